import { readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { verifyJobId } from "../../core/jobs";
import { caseCallback, rejectCallback } from "../../core/staff/callbacks";
import { shortId } from "../../core/staff/card";
import { percentile } from "../../core/staff/queries";
import { maskLabel } from "../../core/staff/case-view";
import { fixture } from "../support/fixtures";
import { openEnrolmentToChallenge, passportOf } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SellerSim } from "../support/seller-sim";
import { bodyOf, buttonsOf, type GroupSim, type Member } from "../support/staff-sim";

/**
 * Every path through the photo checks into staff review, and staff decisions back
 * to the seller: the dialog over HTTP, the BullMQ queues in Redis, the verification
 * worker with the real models, the staff process, PostgreSQL. Scores quoted in
 * comments are from `npm run --silent check-photos` on these fixture pairs.
 */

const STAFF_CHAT = -1001000002;
const ADMIN = 9002;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);
const photo = (name: string) => readFileSync(fixture(name)).toString("base64");
const OBAMA = photo("facerec_obama.jpg");

let h: Harness;
let g: GroupSim;
let admin: Member;
let nextUser = 7_500_000;

beforeAll(async () => {
  h = await startHarness(
    {
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      OPEN_ENROLMENT: "true",
      MAX_ATTEMPTS: "3",
      STAFF_GROUP_MESSAGES_PER_MINUTE: "1000",
      JOB_ATTEMPTS: "2",
      JOB_BACKOFF_MS: "50",
    },
    { staff: true, verify: true },
  );
  g = h.group!;
  admin = g.member(ADMIN, { first_name: "Ada", username: "ada" });
}, 120_000);
afterAll(async () => {
  await h?.close();
});
// The fixture photos with gestures all show one man: each test starts with nobody enrolled and no photo seen before.
beforeEach(() => h.forgetFacesAndPhotos());

async function sellerAtChallenge(document: string, passport?: string): Promise<{ s: SellerSim; caseId: string }> {
  const s = h.seller(nextUser++, { language_code: "en" });
  await openEnrolmentToChallenge(h, s, document, passport ?? passportOf(s.userId));
  const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
  const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId: seller.id }, orderBy: { createdAt: "desc" } });
  return { s, caseId: c.id };
}

/** The challenge asks for the gesture the fixture photo shows (the real draw is random). */
async function selfie(s: SellerSim, caseId: string, file: string, gesture: string): Promise<string> {
  await h.db.verificationCase.update({ where: { id: caseId }, data: { gesture } });
  await s.send({ photo: photo(file) });
  await s.expect(en("verify-checking"));
  return (await s.next(60_000)).text ?? "";
}

const data = (m: { reply_markup?: unknown }) => buttonsOf(m as never).map((b) => b.callback_data);

describe("every path through the checks into review reaches the staff group", () => {
  it("an impostor's third failed selfie is a card within 5 s; an admin claims and rejects it, and the seller is told", async () => {
    const { s, caseId } = await sellerAtChallenge(OBAMA);
    // The HandsDataset man against Barack Obama's ID photo: face match 0.23-0.29, below the fail threshold.
    expect(await selfie(s, caseId, "handsdataset_996_pic00124.jpg", "victory")).toContain(en("verdict-reason-face-mismatch"));
    await s.press(`retake:${caseId}`);
    await s.next();
    expect(await selfie(s, caseId, "handsdataset_1528664299.56_pic00127.jpg", "pointing_up")).toContain(en("verdict-reason-face-mismatch"));
    await s.press(`retake:${caseId}`);
    await s.next();
    await h.db.verificationCase.update({ where: { id: caseId }, data: { gesture: "four" } });
    await s.send({ photo: photo("handsdataset_1528664299.56_pic00005.jpg") });
    await s.expect(en("verify-checking"));
    const review = await s.next(60_000);
    const verdictAt = Date.now();
    expect(review.text).toBe(en("result-review", { reasons: [en("verdict-reason-face-mismatch"), en("verdict-reason-attempts-exhausted")].map((r) => `• ${r}`).join("\n") }));

    const card = await g.card(caseId, undefined, 5_000);
    expect(Date.now() - verdictAt).toBeLessThan(5_000);
    expect(card.has_photo).toBe(true);
    const body = bodyOf(card);
    expect(body).toContain(`Why: ${en("staff-reason-face-mismatch")}, ${en("staff-reason-attempts-exhausted")}`);
    expect(body).toMatch(/Face match 0\.[0-3]\d \(pass ≥ 0\.60, fail < 0\.42\)/);
    expect(body).toContain("Gesture asked 4️⃣ four · seen 4️⃣ four");
    expect(body).toContain("First verification · attempt 3 of 3");
    expect(body).toContain(en("staff-card-photos-document", { attempt: 3 }));
    expect(body).not.toContain(passportOf(s.userId));

    expect(await admin.press(card.message_id, caseCallback("claim", caseId))).toBe(en("staff-done-claimed", { id: shortId(caseId) }));
    await admin.press(card.message_id, caseCallback("reject", caseId));
    expect(await admin.press(card.message_id, rejectCallback(caseId, "face-mismatch"))).toBe(en("staff-done-reject", { id: shortId(caseId) }));
    expect((await s.next()).text).toBe(en("decision-rejected", { reason: en("decision-reject-face-mismatch") }));
    const closed = await g.card(caseId, (m) => bodyOf(m).includes("❌ Rejected by Ada (@ada)"));
    expect(buttonsOf(closed)).toEqual([]);
  }, 120_000);

  it("a genuine seller in the review band is approved from the group, gets Verified, and the face is enrolled", async () => {
    // ID portrait and selfie of the same man, 0.565 apart: between the fail (0.42) and pass (0.60) thresholds.
    const { s, caseId } = await sellerAtChallenge(photo("handsdataset_5_pic00097.jpg"));
    const review = await selfie(s, caseId, "handsdataset_996_pic00070.jpg", "victory");
    expect(review).toBe(en("result-review", { reasons: `• ${en("verdict-reason-face-match-uncertain")}` }));
    const card = await g.card(caseId);
    expect(bodyOf(card)).toMatch(/Face match 0\.5\d \(pass ≥ 0\.60/);
    expect(data(card)).toEqual([
      caseCallback("claim", caseId),
      caseCallback("approve", caseId),
      caseCallback("reject", caseId),
      caseCallback("retake", caseId),
      caseCallback("newdoc", caseId),
      caseCallback("reveal", caseId),
    ]);
    expect(buttonsOf(card).map((b) => b.text).join(" ")).toMatch(/Claim.*Approve.*Reject.*Retake.*New ID photo/);

    expect(await admin.press(card.message_id, caseCallback("approve", caseId))).toBe(en("staff-done-approve", { id: shortId(caseId) }));
    const told = await s.next();
    expect(told.text).toMatch(/^✅ Verified!/);
    const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
    expect(told.text).toBe(en("decision-approved", { nextRecheck: seller.nextRecheckAt!.toISOString().slice(0, 10) }));
    expect(seller.status).toBe("verified");
    expect(seller.faceEmbeddingEnc).not.toBeNull();
    expect(await h.db.faceBucket.count({ where: { sellerId: seller.id } })).toBe(32);
    const audit = await h.db.auditEvent.findFirstOrThrow({ where: { caseId, action: "staff.approve" } });
    expect(audit.data).toMatchObject({ enrolled: "face", before: { status: "review", claimedBy: null }, after: { status: "passed", claimedBy: String(ADMIN) } });
  }, 120_000);

  it("the same face under another ID number, and another seller's ID number, go to review with the other shop named, masked", async () => {
    const a = await sellerAtChallenge(photo("handsdataset_5_pic00050.jpg"));
    expect(await selfie(a.s, a.caseId, "handsdataset_5_pic00081.jpg", "victory")).toMatch(/^✅/);

    // The same man under a passport of his own: the duplicate-identity check finds seller A's face.
    const b = await sellerAtChallenge(photo("handsdataset_5_pic00050.jpg"));
    expect(await selfie(b.s, b.caseId, "handsdataset_5_pic00068.jpg", "pointing_up")).toBe(
      en("result-review", { reasons: `• ${en("verdict-reason-duplicate-identity")}` }),
    );
    const shopA = maskLabel(`tg ${a.s.userId}`);
    expect(bodyOf(await g.card(b.caseId))).toMatch(new RegExp(`⚠️ Same face as shop ${shopA.replace(/\*/g, "\\*")} \\(S\\*\\*\\* H\\*\\*\\*\\), similarity 0\\.\\d\\d`));

    // Seller A's passport number under a third shop.
    const c = await sellerAtChallenge(photo("handsdataset_5_pic00050.jpg"), passportOf(a.s.userId));
    expect(await selfie(c.s, c.caseId, "handsdataset_1528664299.56_pic00168.jpg", "victory")).toBe(
      en("result-review", { reasons: `• ${en("verdict-reason-duplicate-id-number")}` }),
    );
    const cardC = bodyOf(await g.card(c.caseId));
    expect(cardC).toContain(`Why: ${en("staff-reason-duplicate-id-number")}`);
    expect(cardC).toContain(`⚠️ Same ID number as shop ${shopA} (S*** H***)`);
  }, 180_000);
});

describe("staff send the case back to the seller", () => {
  it("Retake and New ID photo reach the seller, open the dialog at the right step, and the card follows the case", async () => {
    // In the review band (0.541), as above.
    const { s, caseId } = await sellerAtChallenge(photo("handsdataset_5_pic00097.jpg"));
    expect(await selfie(s, caseId, "handsdataset_996_pic00111.jpg", "four")).toContain(en("verdict-reason-face-match-uncertain"));
    const card = await g.card(caseId);
    const firstImage = card.photo_file_id;

    expect(await admin.press(card.message_id, caseCallback("retake", caseId))).toBe(en("staff-done-retake", { id: shortId(caseId) }));
    const ask = await s.next();
    expect(ask.text).toBe(en("decision-retake", { minutes: 5 }));
    expect(s.buttons(ask)).toEqual([`retake:${caseId}`]);
    await s.press(`retake:${caseId}`, ask.message_id);
    expect((await s.next()).text).toContain(en("verify-challenge", { instruction: "-", emoji: "-", minutes: 5 }).split("\n")[0]!);
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } })).maxAttempts).toBe(2);
    // Still uncertain (0.565): the case comes back to review, as a new alert in reply to the same card.
    expect(await selfie(s, caseId, "handsdataset_996_pic00070.jpg", "victory")).toContain(en("verdict-reason-face-match-uncertain"));
    const again = await g.waitFor((m) => m.reply_to_message_id === card.message_id && bodyOf(m).startsWith("🔔"), "the second review alert");
    expect(bodyOf(again)).toContain(shortId(caseId));
    const edited = await g.card(caseId, (m) => bodyOf(m).includes("attempt 2 of 2") && m.photo_file_id !== firstImage);
    expect(edited.message_id).toBe(card.message_id);

    expect(await admin.press(card.message_id, caseCallback("newdoc", caseId))).toBe(en("staff-done-new_document", { id: shortId(caseId) }));
    const askDoc = await s.next();
    expect(askDoc.text).toBe(en("decision-new-document"));
    await s.press(`retake:${caseId}`, askDoc.message_id);
    await s.expect(en("verify-ask-document", { region: en("identity-region-passport") }));
    await s.send({ photo: photo("handsdataset_5_pic00050.jpg") });
    await s.expect(/\n\n.+\n\n/);
    // Against the new, clearer ID photo the same man passes (0.653).
    expect(await selfie(s, caseId, "handsdataset_996_pic00078.jpg", "pointing_up")).toMatch(/^✅/);
    await g.card(caseId, (m) => bodyOf(m).startsWith("✅ Case") && buttonsOf(m).length === 0);
    // Each decision was delivered before the seller could act on it.
    const decisions = await h.db.staffDecision.findMany({ where: { caseId }, orderBy: { at: "asc" } });
    expect(decisions.map((d) => [d.action, d.notifiedAt !== null])).toEqual([
      ["retake", true],
      ["new_document", true],
    ]);
  }, 180_000);
});

describe("/stats", () => {
  it("matches the database: verdict rates and the time from /start to the first verdict", async () => {
    const text = bodyOf(await admin.say("/stats"));
    const since = new Date(h.clock.now().getTime() - 86_400_000);
    const verdicts = await h.db.submission.groupBy({ by: ["verdict"], where: { status: "decided", decidedAt: { gte: since } }, _count: { _all: true } });
    const n = (v: string) => verdicts.find((x) => x.verdict === v)?._count._all ?? 0;
    const total = n("pass") + n("fail") + n("review");
    const pct = (k: number) => `${((100 * k) / total).toFixed(1)}%`;
    expect(text).toContain(en("stats-verdicts", { window: "24 h", total, pass: pct(n("pass")), fail: pct(n("fail")), review: pct(n("review")) }));
    const firsts = await h.db.submission.findMany({ where: { attempt: 1, status: "decided", case: { createdAt: { gte: since } } }, include: { case: true } });
    const secs = firsts.map((f) => (f.decidedAt!.getTime() - f.case.createdAt.getTime()) / 1000).sort((x, y) => x - y);
    expect(text).toContain(`median ${percentile(secs, 50)!.toFixed(1)} s · p95 ${percentile(secs, 95)!.toFixed(1)} s (${secs.length} cases)`);
  });
});

describe("stuck work is repaired by the sweep", () => {
  it("a verdict whose delivery failed every retry is delivered once Telegram answers again, and staff hear of it meanwhile", async () => {
    const { s, caseId } = await sellerAtChallenge(photo("handsdataset_5_pic00050.jpg"));
    await h.client.injectFault({ method: "sendMessage", error_code: 400, description: "Bad Request: injected outage", times: 1000, chat_id: s.userId });
    await h.db.verificationCase.update({ where: { id: caseId }, data: { gesture: "victory" } });
    await s.send({ photo: photo("handsdataset_5_pic00081.jpg") });
    const sub = await waitFor(async () => {
      const x = await h.db.submission.findFirst({ where: { caseId } });
      const job = x ? await h.bot.deps.verifyQueue.getJob(verifyJobId(x.id)) : undefined;
      return x?.status === "decided" && (await job?.getState()) === "failed" ? x : null;
    });
    expect(sub.notifiedAt).toBeNull();

    const failedAgain = async () => {
      const job = await h.bot.deps.verifyQueue.getJob(verifyJobId(sub.id));
      return waitFor(async () => ((await job?.getState()) === "failed" ? true : null));
    };

    // Five minutes on, Telegram still refuses: the sweep runs the delivery again, and staff see the seller was not told.
    h.clock.advance(6 * 60_000);
    await h.sweep();
    const card = await g.card(caseId, (m) => bodyOf(m).includes("📭"));
    await failedAgain();
    await s.expectSilence(300);
    // Telegram answers again: the next sweep delivers the verdict, once.
    await h.client.clearFaults();
    await h.sweep();
    const verdicts = (await collect(s, 60_000, (m) => /^✅/.test(m.text ?? ""))).filter((m) => /^✅/.test(m.text ?? ""));
    expect(verdicts).toHaveLength(1);
    await waitFor(async () => (await h.db.submission.findUniqueOrThrow({ where: { id: sub.id } })).notifiedAt);
    await g.card(caseId, (m) => m.message_id === card.message_id && !bodyOf(m).includes("📭"));
  }, 120_000);

  it("a check whose job failed every attempt really runs again; one that keeps failing goes to staff", async () => {
    const failedJob = (subId: string) =>
      waitFor(async () => ((await (await h.bot.deps.verifyQueue.getJob(verifyJobId(subId)))?.getState()) === "failed" ? true : null));

    const one = await unreadableSelfie("handsdataset_996_pic00124.jpg");
    await failedJob(one.subId);
    expect((await h.db.submission.findUniqueOrThrow({ where: { id: one.subId } })).status).not.toBe("decided");
    // Storage is back; the sweep runs the same job id again (a plain re-add would be ignored by BullMQ).
    one.restore();
    h.clock.advance(3 * 60_000);
    expect((await h.sweep()).rerun).toBeGreaterThanOrEqual(1);
    expect((await one.s.next(60_000)).text).toMatch(/^✅/);

    // A second check that fails however often it is run: after three re-runs it goes to staff, and the seller is told.
    const two = await unreadableSelfie("handsdataset_5_pic00081.jpg");
    for (let run = 0; run < 3; run++) {
      await failedJob(two.subId);
      h.clock.advance(3 * 60_000);
      await h.sweep();
    }
    await failedJob(two.subId);
    expect((await h.sweep()).escalated).toBe(1);
    expect((await two.s.next(60_000)).text).toBe(en("result-review", { reasons: `• ${en("verdict-reason-check-failed")}` }));
    const card = await g.card(two.caseId, (m) => bodyOf(m).includes(en("staff-reason-check-failed")));
    expect(data(card)).toContain(caseCallback("approve", two.caseId));
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: two.caseId } });
    expect([c.status, c.reasons]).toEqual(["review", ["check-failed"]]);
    expect(await h.db.auditEvent.count({ where: { caseId: two.caseId, action: "check.escalated" } })).toBe(1);
  }, 180_000);
});

/** A seller whose stored selfie the worker cannot read, as in a storage outage, until `restore()`. */
async function unreadableSelfie(file: string) {
  await h.workers!.worker.pause();
  const { s, caseId } = await sellerAtChallenge(photo("handsdataset_5_pic00050.jpg"));
  await h.db.verificationCase.update({ where: { id: caseId }, data: { gesture: "victory" } });
  await s.send({ photo: photo(file) });
  await s.expect(en("verify-checking"));
  const sub = await h.db.submission.findFirstOrThrow({ where: { caseId }, include: { photo: true } });
  const key = sub.photo.storageKey;
  const stored = join(h.config.DATA_DIR, "photos", key.slice(0, 2), key.slice(2, 4), `${key}.bin`);
  renameSync(stored, `${stored}.away`);
  await h.workers!.worker.resume();
  return { s, caseId, subId: sub.id, restore: () => renameSync(`${stored}.away`, stored) };
}

async function waitFor<T>(probe: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bot messages to a seller until `until` matches one (and a short quiet spell after it). */
async function collect(s: SellerSim, timeoutMs: number, until: (m: { text?: string }) => boolean) {
  const got = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await s.next(Math.max(1, deadline - Date.now()));
    got.push(m);
    if (until(m)) break;
  }
  await s.expectSilence(1_000);
  return got;
}
