import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimCase } from "../../core/staff/actions";
import { caseCallback, queueCallback, rejectCallback } from "../../core/staff/callbacks";
import { shortId } from "../../core/staff/card";
import { maskIdNumber } from "../../core/identity/mask";
import { answer, currentCase, DOC_PHOTO, driveTo, expectNext, openEnrolmentToChallenge, passportOf, SELFIE_PHOTO, startDialog, type Dialog } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import { bodyOf, buttonsOf, type GroupSim, type Member } from "../support/staff-sim";
import type { SandboxMessage } from "../support/stand-in-client";

/**
 * Support staff in their group, over real HTTP against the Bot API stand-in, with
 * real PostgreSQL and Redis and the staff process running in-process. No models here:
 * the cases reach staff by paths that need none (manual review, a check that cannot
 * run); staff-review.test.ts covers the paths through the photo checks.
 */

const STAFF_CHAT = -1001000001;
const ADMIN = 9001;
const STAFF_A = 9101;
const STAFF_B = 9102;
const OUTSIDER = 9201;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);

let h: Harness;
let g: GroupSim;
let admin: Member;
let nextUser = 7_400_000;

beforeAll(async () => {
  h = await startHarness(
    {
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      OPEN_ENROLMENT: "true",
      STAFF_GROUP_MESSAGES_PER_MINUTE: "1000",
      JOB_ATTEMPTS: "2",
      JOB_BACKOFF_MS: "50",
    },
    { staff: true },
  );
  g = h.group!;
  admin = g.member(ADMIN, { first_name: "Ada", username: "ada" });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

/** A seller who declines face data and asks for manual review: the case goes to staff at once. */
async function manualReview(opts: { faceConsent?: boolean } = {}): Promise<{ d: Dialog; caseId: string; requestedAt: number }> {
  const d = await startDialog(h, nextUser++);
  if (opts.faceConsent) {
    await answer(d);
    await d.s.press("face:no", d.prompts.face?.message_id);
  } else {
    await d.s.press("consent:no", d.prompts.consent?.message_id);
  }
  const offer = await expectNext(d.s, en("verify-manual-offer"));
  const requestedAt = Date.now();
  await d.s.press("manual:yes", offer.message_id);
  await expectNext(d.s, en("verify-manual-requested"));
  return { d, caseId: (await currentCase(d)).id, requestedAt };
}

const data = (m: SandboxMessage) => buttonsOf(m).map((b) => b.callback_data);

/** The value once `probe` yields one (within 5 s): for what the staff process writes just after Telegram answered. */
async function eventually<T>(probe: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not within 5 s");
}
const labels = (m: SandboxMessage) => buttonsOf(m).map((b) => b.text);

describe("cases reach the staff group", () => {
  it("a seller's request for manual review becomes a card within 5 s, with the buttons staff need", async () => {
    const { caseId, requestedAt } = await manualReview();
    const card = await g.card(caseId, undefined, 5_000);
    expect(Date.now() - requestedAt).toBeLessThan(5_000);
    expect(card.has_photo).toBe(false);
    expect(bodyOf(card)).toContain(en("staff-card-manual-no-face"));
    expect(bodyOf(card)).toContain(en("staff-card-no-identity"));
    expect(bodyOf(card)).toContain(en("staff-card-title", { emoji: "🟠", id: shortId(caseId), status: en("staff-status-review") }));
    // English labels name the actions; no retake or new ID photo for a seller who gave no face data.
    expect(labels(card).join(" ")).toMatch(/Claim.*Approve.*Reject/);
    expect(data(card)).toEqual([caseCallback("claim", caseId), caseCallback("approve", caseId), caseCallback("reject", caseId)]);
    // The row is marked right after the post went out.
    const alert = await eventually(() => h.db.staffAlert.findFirst({ where: { caseId, reason: "review", postedAt: { not: null } } }));
    expect(alert.messageId).toBe(card.message_id);
  });

  it("a press by someone who is not staff is refused politely, audited, and changes nothing", async () => {
    const { caseId } = await manualReview();
    const card = await g.card(caseId);
    const toast = await g.member(OUTSIDER).press(card.message_id, caseCallback("approve", caseId));
    expect(toast).toBe(en("staff-refused-button"));
    const after = (await g.all()).find((m) => m.message_id === card.message_id)!;
    expect(bodyOf(after)).toBe(bodyOf(card));
    expect(after.edited).toBe(card.edited);
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
    expect([c.status, c.claimedBy]).toEqual(["review", null]);
    const refused = await h.db.auditEvent.findFirstOrThrow({ where: { caseId, action: "staff.refused" } });
    expect([refused.actorType, refused.actorId]).toEqual(["user", String(OUTSIDER)]);
    expect(refused.data).toEqual({ attempted: "approve", why: "not staff" });
  });

  it("a forged or malformed staff button changes nothing and says the button is stale", async () => {
    const { caseId } = await manualReview();
    const card = await g.card(caseId);
    for (const forged of ["st:approve:not-a-uuid", `st:rj:${caseId}:because`, "st:queue:-1", `st:approve:${caseId}:extra`]) {
      expect(await admin.press(card.message_id, forged)).toBe(en("common-button-stale"));
    }
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("review");
  });
});

describe("roles", () => {
  it("admins add staff by id or by replying to a member; staff cannot; /staff lists them", async () => {
    expect(bodyOf(await admin.say(`/staff add ${STAFF_A}`))).toBe(en("staff-added", { name: String(STAFF_A) }));
    const hello = await h.client.send(STAFF_B, { text: "hello", chat_id: STAFF_CHAT, from: { first_name: "Bea", username: "bea" } });
    expect(bodyOf(await admin.say("/staff add", { replyTo: hello.message_id }))).toBe(en("staff-added", { name: "Bea (@bea)" }));
    const a = g.member(STAFF_A, { first_name: "Al" });
    expect(bodyOf(await a.say("/staff add 9301"))).toBe(en("staff-refused-admin-command"));
    expect(await h.db.staffMember.findUnique({ where: { telegramUserId: 9301n } })).toBeNull();
    const list = bodyOf(await a.say("/staff"));
    expect(list).toContain(en("staff-list-line", { name: "Al", role: en("staff-role-staff") }));
    expect(list).toContain(en("staff-list-line", { name: "Bea (@bea)", role: en("staff-role-staff") }));
    expect(list).toContain(en("staff-role-admin"));
    expect(await h.db.auditEvent.count({ where: { action: "staff.added" } })).toBe(2);
  });

  it("two staff race to claim: exactly one wins and the other is told who holds the case", async () => {
    const { caseId } = await manualReview();
    const card = await g.card(caseId);
    const before = (await h.client.callbackAnswers(STAFF_CHAT)).at(-1)?.seq ?? 0;
    await Promise.all(
      [STAFF_A, STAFF_B].map((u) => h.client.press(u, card.message_id, caseCallback("claim", caseId), { chat_id: STAFF_CHAT })),
    );
    let answers: { text?: string }[] = [];
    for (let i = 0; i < 100 && answers.length < 2; i++) answers = await h.client.callbackAnswers(STAFF_CHAT, { after: before, wait: 1 });
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
    const winner = Number(c.claimedBy);
    expect([STAFF_A, STAFF_B]).toContain(winner);
    const winnerName = winner === STAFF_A ? "Al" : "Bea (@bea)";
    expect(answers.map((a) => a.text).sort()).toEqual([en("staff-done-claimed", { id: shortId(caseId) }), en("staff-refused-claimed", { holder: winnerName })].sort());
    await g.card(caseId, (m) => bodyOf(m).includes(en("staff-card-claimed", { name: winnerName })) && data(m).includes(caseCallback("release", caseId)));
    expect(await h.db.auditEvent.count({ where: { caseId, action: "staff.claimed" } })).toBe(1);
    expect(await h.db.auditEvent.count({ where: { caseId, action: "staff.refused" } })).toBe(1);
  });

  it("claiming is a compare-and-set: ten members claiming at once in the database, one wins", async () => {
    const { caseId } = await manualReview();
    const deps = { db: h.db, now: () => new Date() };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimCase(deps, { userId: 8000 + i, role: "staff", name: `m${i}` }, caseId)),
    );
    expect(results.filter((r) => r.ok && r.changed)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.refusal.kind === "claimed")).toHaveLength(9);
  });
});

describe("decisions reach the seller", () => {
  it("the holder approves; another member and a second approval are refused; the seller is verified without a face template", async () => {
    const { d, caseId } = await manualReview({ faceConsent: false });
    const card = await g.card(caseId);
    const al = g.member(STAFF_A, { first_name: "Al" });
    const bea = g.member(STAFF_B, { first_name: "Bea", username: "bea" });
    expect(await al.press(card.message_id, caseCallback("claim", caseId))).toBe(en("staff-done-claimed", { id: shortId(caseId) }));
    expect(await bea.press(card.message_id, caseCallback("approve", caseId))).toBe(en("staff-refused-claimed", { holder: "Al" }));
    expect(await al.press(card.message_id, caseCallback("approve", caseId))).toBe(en("staff-done-approve", { id: shortId(caseId) }));

    const seller = await h.db.seller.findFirstOrThrow({ where: { shopId: d.shopId } });
    const told = await d.s.next();
    expect(told.text).toBe(en("decision-approved", { nextRecheck: seller.nextRecheckAt!.toISOString().slice(0, 10) }));
    expect(seller.status).toBe("verified");
    expect(seller.faceEmbeddingEnc).toBeNull();
    expect(await h.db.faceBucket.count({ where: { sellerId: seller.id } })).toBe(0);

    const closed = await g.card(caseId, (m) => bodyOf(m).includes("✅ Approved by Al"));
    expect(buttonsOf(closed)).toEqual([]);
    // The old buttons, pressed again (or forged), find the case decided.
    expect(await bea.press(card.message_id, caseCallback("approve", caseId))).toBe(
      `${en("staff-refused-closed", { status: en("staff-status-passed"), by: en("staff-refused-closed-by", { name: "Al" }) })}`,
    );
    const approved = await h.db.auditEvent.findFirstOrThrow({ where: { caseId, action: "staff.approve" } });
    expect(approved.actorId).toBe(String(STAFF_A));
    expect(approved.data).toMatchObject({ enrolled: "none", before: { status: "review", claimedBy: String(STAFF_A) }, after: { status: "passed" } });
    await eventually(() => h.db.staffDecision.findFirst({ where: { caseId, notifiedAt: { not: null } } }));
  });

  it("reject asks for a reason, tells the seller what they can do, and /status says so", async () => {
    const { d, caseId } = await manualReview();
    const card = await g.card(caseId);
    expect(await admin.press(card.message_id, caseCallback("reject", caseId))).toBe(en("staff-pick-reason"));
    const picker = await g.card(caseId, (m) => data(m).includes(rejectCallback(caseId, "suspected-fraud")));
    expect(data(picker).at(-1)).toBe(caseCallback("back", caseId));
    // Back restores the card's buttons; the case is unchanged.
    await admin.press(card.message_id, caseCallback("back", caseId));
    await g.card(caseId, (m) => data(m).includes(caseCallback("approve", caseId)));
    await admin.press(card.message_id, caseCallback("reject", caseId));
    expect(await admin.press(card.message_id, rejectCallback(caseId, "suspected-fraud"))).toBe(en("staff-done-reject", { id: shortId(caseId) }));

    const told = await d.s.next();
    expect(told.text).toBe(en("decision-rejected", { reason: en("decision-reject-suspected-fraud") }));
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("rejected");
    await d.s.text("/status");
    expect((await d.s.next()).text).toBe(en("status-case-rejected", { sellerStatus: en("status-seller-unverified"), reasons: en("decision-reject-suspected-fraud") }));
    await g.card(caseId, (m) => bodyOf(m).includes(`❌ Rejected by Ada (@ada)`) && bodyOf(m).includes(en("staff-reject-suspected-fraud")));
  });
});

describe("staff commands", () => {
  it("are refused in a seller's private chat, and change nothing there", async () => {
    const d = await startDialog(h, nextUser++);
    for (const cmd of ["/queue", "/case 12345678", "/stats", "/staff add 1"]) {
      await d.s.text(cmd);
      expect((await d.s.next()).text).toBe(en("staff-refused-command"));
    }
    // The dialog still waits at consent.
    await answer(d);
    expect(d.step).toBe("face");
  });

  it("/case rejects a malformed id, finds a case by its first 8 characters, and shows its audit trail", async () => {
    expect(bodyOf(await admin.say("/case"))).toBe(en("case-usage"));
    expect(bodyOf(await admin.say("/case ../../etc"))).toBe(en("case-bad-id", { input: "../../etc" }));
    expect(bodyOf(await admin.say("/case 0000000g"))).toBe(en("case-bad-id", { input: "0000000g" }));
    const { caseId } = await manualReview();
    const card = await g.card(caseId);
    const missing = caseId.startsWith("f") ? "00000000" : "ffffffff";
    expect(bodyOf(await admin.say(`/case ${missing}`))).toBe(en("case-not-found", { input: missing }));
    await admin.press(card.message_id, caseCallback("claim", caseId));
    const shown = await admin.say(`/case ${shortId(caseId).toUpperCase()}`, { answer: (m) => bodyOf(m).includes(en("case-trail-title", { id: shortId(caseId) })) });
    expect(shown.reply_to_message_id).toBe(card.message_id);
    expect(bodyOf(shown)).toContain(en("case-trail-title", { id: shortId(caseId) }));
    expect(bodyOf(shown)).toMatch(/case\.started[\s\S]*case\.manual_review_requested[\s\S]*Ada \(@ada\) · staff\.claimed \(claimedBy: - → 9001/);
    expect(buttonsOf(shown)).toEqual([]);
  });

  it("/seller shows a seller's cases and staff decisions", async () => {
    const { d, caseId } = await manualReview();
    const card = await g.card(caseId);
    await admin.press(card.message_id, caseCallback("approve", caseId));
    await d.s.next();
    const text = bodyOf(await admin.say(`/seller ${d.shopId}`));
    expect(text).toContain(en("seller-title", { shop: `${d.shopId} · Shop ${d.shopId}`, status: en("status-seller-verified") }));
    expect(text).toContain(shortId(caseId));
    expect(text).toContain(`${en("seller-action-approve")} by Ada (@ada)`);
    expect(bodyOf(await admin.say(`/seller ${d.user}`))).toBe(text);
    expect(bodyOf(await admin.say("/seller nobody-here"))).toBe(en("seller-not-found", { input: "nobody-here" }));
  });

  it("/queue lists open cases oldest first and pages with buttons", async () => {
    for (let i = 0; i < 9; i++) await manualReview();
    const open = await h.db.verificationCase.findMany({ where: { status: "review" }, orderBy: { reviewAt: "asc" } });
    expect(open.length).toBeGreaterThan(8);
    const first = await admin.say("/queue");
    expect(bodyOf(first)).toContain(en("queue-title", { from: 1, to: 8, total: open.length }));
    expect(bodyOf(first).indexOf(shortId(open[0]!.id))).toBeLessThan(bodyOf(first).indexOf(shortId(open[1]!.id)));
    expect(data(first)).toContain(queueCallback(1));
    expect(data(first)[0]).toBe(caseCallback("open", open[0]!.id));
    await admin.press(first.message_id, queueCallback(1));
    const second = await g.waitFor((m) => m.message_id === first.message_id && bodyOf(m).includes(en("queue-title", { from: 9, to: open.length, total: open.length })), "page 2");
    expect(data(second)).toContain(queueCallback(0));
  });

  it("/stats matches the database", async () => {
    const text = bodyOf(await admin.say("/stats"));
    const byStatus = await h.db.verificationCase.groupBy({ by: ["status"], _count: { _all: true } });
    for (const s of byStatus) expect(text).toMatch(new RegExp(`Cases by status: .*${s.status} ${s._count._all}\\b`));
    const sellers = await h.db.seller.groupBy({ by: ["status"], _count: { _all: true } });
    for (const s of sellers) expect(text).toMatch(new RegExp(`Sellers by status: .*${s.status} ${s._count._all}\\b`));
    const oldest = await h.db.verificationCase.findFirstOrThrow({
      where: { status: { in: ["collecting", "awaiting_selfie", "queued", "checking", "failed", "review"] } },
      orderBy: { createdAt: "asc" },
    });
    expect(text).toContain(`Oldest open case: ${shortId(oldest.id)}`);
    expect(text).toContain(en("stats-unreachable", { count: await h.db.seller.count({ where: { unreachableAt: { not: null } } }) }));
    expect(text).toMatch(/Queues \(waiting\/active\/delayed\/failed\): verify \d+\/\d+\/\d+\/\d+ · staff/);
  });
});

describe("the sweep and the staff group", () => {
  it("a check that cannot run is re-queued, and brought to staff once after 5 minutes, as a photo card", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    await openEnrolmentToChallenge(h, s, DOC_PHOTO.toString("base64"));
    await s.send({ photo: SELFIE_PHOTO.toString("base64") });
    await s.expect(en("verify-checking"));
    const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId: seller.id } });
    // No verification worker runs in this file: the job waits in the queue.
    // Time only moves forward here (cards remember when they were drawn): these tests come last.
    h.clock.advance(6 * 60_000);
    {
      const before = await g.mark();
      await h.sweep();
      const card = await g.card(c.id);
      expect(card.has_photo).toBe(true);
      expect(bodyOf(card)).toContain("⏳ Check not finished after 6 min");
      expect(data(card)).toEqual([caseCallback("claim", c.id), caseCallback("reveal", c.id)]);
      await h.sweep();
      await h.sweep();
      await new Promise((r) => setTimeout(r, 500));
      expect((await g.fresh(before)).filter((m) => bodyOf(m).includes(c.id))).toHaveLength(1);
      expect(await h.db.staffAlert.count({ where: { caseId: c.id } })).toBe(1);

      // An admin reveals the full passport number for 60 s; staff may not; it is audited and edited back.
      expect(await g.member(STAFF_A, { first_name: "Al" }).press(card.message_id, caseCallback("reveal", c.id))).toBe(en("staff-refused-admin-only"));
      expect(await admin.press(card.message_id, caseCallback("reveal", c.id))).toBe(en("staff-done-revealed", { seconds: 60 }));
      const passport = passportOf(s.userId);
      await g.card(c.id, (m) => bodyOf(m).includes(passport));
      expect(await h.db.auditEvent.count({ where: { caseId: c.id, action: "staff.revealed_id_number" } })).toBe(1);
      h.clock.advance(61_000);
      await h.sweep();
      await g.card(c.id, (m) => !bodyOf(m).includes(passport) && bodyOf(m).includes(maskIdNumber(passport)));
    }
  });

  it("never reposts; nudges a waiting review once; posts one digest a day of stalled dialogs", async () => {
    const { caseId } = await manualReview();
    const card = await g.card(caseId);
    const stalled = await startDialog(h, nextUser++);
    await driveTo(stalled, "name");
    const before = await g.mark();
    await h.sweep();
    await h.sweep();
    expect(await g.fresh(before)).toEqual([]);

    h.clock.advance(25 * 3600_000);
    {
      await h.sweep();
      const fresh = await g.waitFor((m) => m.message_id > before && bodyOf(m).includes(shortId(caseId)) && bodyOf(m).startsWith("⏰"), "the nudge");
      expect(fresh.reply_to_message_id).toBe(card.message_id);
      const digest = await g.waitFor((m) => m.message_id > before && bodyOf(m).startsWith("💤"), "the digest");
      expect(bodyOf(digest)).toContain(shortId((await currentCase(stalled)).id));
      const mark = await g.mark();
      await h.sweep();
      await h.sweep();
      await new Promise((r) => setTimeout(r, 500));
      expect(await g.fresh(mark)).toEqual([]);
      expect(await h.db.staffAlert.count({ where: { caseId, reason: "nudge" } })).toBe(1);
    }
  });

  it("the bot removed from the staff group: the case is kept and posted when the bot is back", async () => {
    await h.client.setBotStatus(STAFF_CHAT, "kicked", { from: ADMIN });
    try {
      const { caseId } = await manualReview();
      const row = async () => h.db.staffAlert.findFirst({ where: { caseId } });
      for (let i = 0; i < 100 && !(await row()); i++) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 500));
      expect((await row())?.postedAt).toBeNull();
      expect((await g.all()).some((m) => bodyOf(m).includes(caseId))).toBe(false);
      await h.client.setBotStatus(STAFF_CHAT, "administrator", { from: ADMIN });
      const card = await g.card(caseId);
      expect(data(card)).toContain(caseCallback("approve", caseId));
      await eventually(async () => (await row())?.postedAt);
    } finally {
      await h.client.setBotStatus(STAFF_CHAT, "administrator", { from: ADMIN });
    }
  });
});
