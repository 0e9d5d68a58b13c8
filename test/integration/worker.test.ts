import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger";
import { startWorkers, type RunningWorkers } from "../../workers/main";
import { fixture } from "../support/fixtures";
import { openEnrolmentToChallenge } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SellerSim } from "../support/seller-sim";

/**
 * Real photos through the whole path: the dialog over HTTP, the BullMQ queue in
 * Redis, the worker with the real TensorFlow.js models, the verdict in PostgreSQL
 * and the message back to the seller.
 */

let h: Harness;
let workers: RunningWorkers;
let nextUser = 7_300_000;
const photo = (name: string) => readFileSync(fixture(name)).toString("base64");
// One man in every HandsDataset photo (labels.json): his fist photo serves as the ID portrait.
const DOCUMENT = photo("handsdataset_5_pic00050.jpg");

beforeAll(async () => {
  h = await startHarness({ OPEN_ENROLMENT: "true", MAX_ATTEMPTS: "3" });
  workers = await startWorkers(h.config, createLogger({ level: "silent" }), { dbSchema: h.schema, apiRoot: h.standIn.url });
}, 120_000);
afterAll(async () => {
  await workers?.close();
  await h?.close();
});
// The fixture photos with gestures all show one man: each test starts with nobody enrolled, or the
// duplicate-identity check would find him, enrolled by an earlier test, behind every new seller.
beforeEach(async () => {
  await h.db.faceBucket.deleteMany({});
});

/** Drives a seller to the gesture challenge and fixes the requested gesture, so the fixture photo can match it. */
async function toChallenge(s: SellerSim, gesture: string): Promise<string> {
  await openEnrolmentToChallenge(h, s, DOCUMENT);
  return forceGesture(s, gesture);
}

async function forceGesture(s: SellerSim, gesture: string): Promise<string> {
  const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
  const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId: seller.id, status: "awaiting_selfie" } });
  await h.db.verificationCase.update({ where: { id: c.id }, data: { gesture } });
  return c.id;
}

describe("verification worker", () => {
  it("passes the right person showing the requested gesture, enrols the face and tells the seller", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    const caseId = await toChallenge(s, "victory");
    await s.send({ photo: photo("handsdataset_5_pic00081.jpg") }); // V sign, same man
    await s.expect(t("en", "verify-checking"));
    const verdict = await s.next(60_000);
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, include: { seller: true, submissions: true } });
    expect(c.submissions[0]!.reasons).toEqual([]);
    expect(c.status).toBe("passed");
    expect(verdict.text).toBe(t("en", "result-pass", { nextRecheck: c.seller.nextRecheckAt!.toISOString().slice(0, 10) }));
    expect(c.seller.status).toBe("verified");
    expect(c.seller.faceEmbeddingEnc).not.toBeNull();
    expect(await h.db.faceBucket.count({ where: { sellerId: c.sellerId } })).toBe(32);
    // The ID portrait was analysed once, sealed, and its photo hashed for replay lookups.
    const doc = await h.db.photo.findUniqueOrThrow({ where: { id: c.documentPhotoId! } });
    expect(doc.faceCount).toBe(1);
    expect(doc.embeddingEnc).not.toBeNull();
    expect(doc.phash).toMatch(/^[0-9a-f]{16}$/);
    const sub = c.submissions[0]!;
    expect(sub.notifiedAt).not.toBeNull();
    expect((sub.scores as { matchScore: number }).matchScore).toBeGreaterThan(0.6);
  }, 90_000);

  it("fails a wrong gesture with an actionable reason, offers a retake with a new gesture, and catches a replayed photo", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    const caseId = await toChallenge(s, "victory");
    const pointing = photo("handsdataset_5_pic00068.jpg");
    await s.send({ photo: pointing }); // index finger up, not a V
    await s.expect(t("en", "verify-checking"));
    const failed = await s.next(60_000);
    expect(failed.text).toBe(t("en", "result-fail", { reasons: `• ${t("en", "verdict-reason-wrong-gesture")}`, attemptsLeft: 2 }));
    expect(s.buttons(failed)).toEqual([`retake:${caseId}`]);

    await s.press(`retake:${caseId}`);
    const challenge = await s.next();
    const c1 = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } });
    expect(c1.status).toBe("awaiting_selfie");
    expect(c1.gesture).not.toBe("victory");
    expect(challenge.text).toContain(t("en", `gesture-${c1.gesture}`));

    await forceGesture(s, "pointing_up");
    await s.send({ photo: pointing }); // the very same photo again
    await s.expect(t("en", "verify-checking"));
    const replay = await s.next(60_000);
    expect(replay.text).toContain(t("en", "verdict-reason-replayed-photo"));
    const subs = await h.db.submission.findMany({ where: { caseId }, orderBy: { attempt: "asc" } });
    expect(subs.map((x) => [x.attempt, x.verdict])).toEqual([
      [1, "fail"],
      [2, "fail"],
    ]);
    expect(subs[1]!.reasons).toContain("replayed-photo");
  }, 120_000);

  it("asks for the ID photo again when it shows no usable portrait, then checks against the new one", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    // Two hands and no face (labels.json), enlarged past the 480 px intake minimum.
    const noFace = (await sharp(readFileSync(fixture("tfjs_hands.jpg"))).resize({ width: 1000 }).jpeg().toBuffer()).toString("base64");
    await openEnrolmentToChallenge(h, s, noFace);
    const caseId = await forceGesture(s, "victory");
    await s.send({ photo: photo("handsdataset_5_pic00081.jpg") });
    await s.expect(t("en", "verify-checking"));
    const failed = await s.next(60_000);
    expect(failed.text).toContain(t("en", "verdict-reason-reference-unusable"));

    await s.press(`retake:${caseId}`);
    await s.expect(t("en", "verify-ask-document", { region: t("en", "identity-region-passport") }));
    await s.send({ photo: DOCUMENT });
    await s.expect(/\n\n.+\n\n/);
    await forceGesture(s, "pointing_up");
    await s.send({ photo: photo("handsdataset_1528664299.56_pic00127.jpg") }); // index up, same man
    await s.expect(t("en", "verify-checking"));
    const passed = await s.next(60_000);
    expect(passed.text).toMatch(/^✅/);
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, include: { photos: true } });
    expect(c.status).toBe("passed");
    expect(c.photos.filter((p) => p.kind === "id_document")).toHaveLength(2);
  }, 120_000);

  it("sends the same face under another ID number to staff review (duplicate identity), without saying why", async () => {
    // The man is enrolled under one passport ...
    const first = h.seller(nextUser++, { language_code: "en" });
    await toChallenge(first, "pointing_up");
    await first.send({ photo: photo("handsdataset_996_pic00143.jpg") }); // same session as the photo below, sent by no other test
    await first.expect(t("en", "verify-checking"));
    expect((await first.next(60_000)).text).toMatch(/^✅/);
    // ... and claims another identity.
    const s = h.seller(nextUser++, { language_code: "en" });
    await openEnrolmentToChallenge(h, s, DOCUMENT, "K98765432");
    const caseId = await forceGesture(s, "victory");
    await s.send({ photo: photo("handsdataset_996_pic00070.jpg") }); // V sign, same man, another session
    await s.expect(t("en", "verify-checking"));
    const verdict = await s.next(60_000);
    expect(verdict.text).toBe(t("en", "result-review", { reasons: `• ${t("en", "verdict-reason-duplicate-identity")}` }));
    const c = await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, include: { submissions: true, seller: true } });
    expect(c.status).toBe("review");
    expect(c.seller.status).toBe("unverified");
    expect((c.submissions[0]!.scores as { duplicateOf: string | null }).duplicateOf).not.toBeNull();
  }, 90_000);

  it("marks a seller who blocked the bot unreachable instead of retrying the verdict", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    const caseId = await toChallenge(s, "victory");
    // The seller blocks the bot while the check is in the queue.
    await workers.worker.pause();
    await s.send({ photo: photo("handsdataset_996_pic00124.jpg") });
    await s.expect(t("en", "verify-checking"));
    await h.client.block(s.userId);
    await workers.worker.resume();
    const deadline = Date.now() + 60_000;
    let sub = await h.db.submission.findFirst({ where: { caseId } });
    while (!sub?.notifiedAt && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      sub = await h.db.submission.findFirst({ where: { caseId } });
    }
    expect(sub?.status).toBe("decided");
    expect(sub?.notifiedAt).not.toBeNull();
    const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
    expect(seller.unreachableAt).not.toBeNull();
    await h.client.unblock(s.userId);
  }, 90_000);

  it("decides a job only once: a re-run of a decided submission sends nothing new", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    const caseId = await toChallenge(s, "victory");
    await s.send({ photo: photo("handsdataset_1528664299.56_pic00168.jpg") });
    await s.expect(t("en", "verify-checking"));
    await s.next(60_000);
    const sub = await h.db.submission.findFirstOrThrow({ where: { caseId } });
    // A second job for the same submission (as after a lost ack): the handler finds the verdict and stays quiet.
    await h.bot.deps.verifyQueue.add("verify-selfie", { submissionId: sub.id, caseId }, { jobId: `verify-${sub.id}-again` });
    await s.expectSilence(3_000);
    const again = await h.db.submission.findUniqueOrThrow({ where: { id: sub.id } });
    expect(again.decidedAt).toEqual(sub.decidedAt);
  }, 90_000);
});
