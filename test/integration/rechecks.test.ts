import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DAY_MS } from "../../core/recheck/policy";
import { recheckData } from "../../core/recheck/rechecks";
import { TELEGRAM_LIMITS } from "../../sandbox/stand-in/server";
import { openEnrolmentToChallenge } from "../support/dialog-steps";
import { fixture } from "../support/fixtures";
import { startHarness, t, type Harness } from "../support/harness";
import type { SellerSim } from "../support/seller-sim";
import { bodyOf } from "../support/staff-sim";

/**
 * Rechecks for life, through the stand-in with Telegram's flood limits on and the bot's
 * own budget at Telegram's figures: a periodic recheck 180 days on, reminders until a
 * restriction, an unscheduled recheck for a risk-flagged seller, staff's /recheck, and a
 * sweep that sends nothing twice. The clock is the harness's, moved forward by the tests.
 */

const STAFF_CHAT = -1001000004;
const ADMIN = 9004;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);
const photo = (name: string) => readFileSync(fixture(name)).toString("base64");

let h: Harness;
let nextUser = 7_700_000;

beforeAll(async () => {
  h = await startHarness(
    {
      OPEN_ENROLMENT: "true",
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      STAFF_GROUP_MESSAGES_PER_MINUTE: "20",
      // Telegram's figures, for the bot's budget and for the stand-in's flood model alike.
      TELEGRAM_MESSAGES_PER_SECOND: "30",
      TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1",
      // Due exactly 180 days after a pass: the reminders fall on known days (the jitter is a unit test).
      RECHECK_JITTER_DAYS: "0",
      RECHECK_GRACE_DAYS: "14",
      RISK_RECHECK_FLAGS: "high-risk",
      RISK_RECHECK_WINDOW_DAYS: "30",
      MARKETPLACE_WEBHOOK_URL: "http://127.0.0.1:9/never-called",
      MARKETPLACE_WEBHOOK_SECRET: "a-secret-of-sixteen-chars",
    },
    { staff: true, verify: true, floodModel: TELEGRAM_LIMITS },
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});
// One man in every gesture fixture: each test starts with nobody enrolled and no photo seen before.
beforeEach(() => h.forgetFacesAndPhotos());

/** A seller verified by the checks (his ID portrait and a V sign from the same session). */
async function verifiedSeller(opts: { riskFlags?: string[] } = {}): Promise<{ s: SellerSim; sellerId: string }> {
  const s = h.seller(nextUser++, { language_code: "en" });
  await openEnrolmentToChallenge(h, s, photo("handsdataset_5_pic00050.jpg"));
  const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
  // As the marketplace's import would have flagged the shop.
  if (opts.riskFlags) await h.db.seller.update({ where: { id: seller.id }, data: { riskFlags: opts.riskFlags } });
  const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId: seller.id, status: "awaiting_selfie" } });
  await h.db.verificationCase.update({ where: { id: c.id }, data: { gesture: "victory" } });
  await s.send({ photo: photo("handsdataset_5_pic00081.jpg") });
  await s.expect(en("verify-checking"));
  expect((await s.next(60_000)).text).toMatch(/^✅/);
  return { s, sellerId: seller.id };
}

/** The recheck: the button under a reminder, a fresh challenge, a selfie of the same man (another photo). */
async function doRecheck(s: SellerSim, reminderId: number, caseId: string): Promise<string> {
  await s.press(recheckData(caseId), reminderId);
  const challenge = await s.next();
  expect(challenge.text).toMatch(/^Last step/);
  await h.db.verificationCase.update({ where: { id: caseId }, data: { gesture: "pointing_up" } });
  await s.send({ photo: photo("handsdataset_5_pic00068.jpg") });
  await s.expect(en("verify-checking"));
  return (await s.next(60_000)).text ?? "";
}

const sweepAt = async (days: number, since: Date) => {
  const target = since.getTime() + days * DAY_MS;
  h.clock.advance(Math.max(0, target - h.clock.now().getTime()));
  return h.sweep();
};

describe("periodic rechecks", () => {
  it("verify, 173 days on a reminder with a button, a fresh challenge, verified again with a new date", async () => {
    const { s, sellerId } = await verifiedSeller();
    const first = await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
    expect(first.nextRecheckAt!.getTime() - first.lastVerifiedAt!.getTime()).toBe(180 * DAY_MS);

    // Nothing before the first reminder is due.
    expect((await sweepAt(172, first.lastVerifiedAt!)).rechecks).toBe(0);
    await s.expectSilence(300);
    const swept = await sweepAt(173, first.lastVerifiedAt!);
    expect([swept.rechecks, swept.reminders]).toEqual([1, 1]);
    const reminder = await s.next(15_000);
    expect(reminder.text).toBe(en("recheck-reminder", { offset: -7, date: first.nextRecheckAt!.toISOString().slice(0, 10), restrictOn: new Date(first.nextRecheckAt!.getTime() + 14 * DAY_MS).toISOString().slice(0, 10) }));
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "periodic" } });
    expect(s.buttons(reminder)).toEqual([recheckData(c.id)]);
    expect((await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).status).toBe("recheck_due");

    // A second sweep the same day sends nothing more.
    await h.sweep();
    await s.expectSilence(500);

    expect(await doRecheck(s, reminder.message_id, c.id)).toMatch(/^✅/);
    const after = await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
    expect(after.status).toBe("verified");
    expect(after.nextRecheckAt!.getTime()).toBe(after.lastVerifiedAt!.getTime() + 180 * DAY_MS);
    expect(after.nextRecheckAt!.getTime()).toBeGreaterThan(first.nextRecheckAt!.getTime());
    // The recheck compared the selfie with the enrolled face: no ID photo was asked for.
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: c.id } })).documentPhotoId).toBeNull();
    // Pressed again after the recheck was done: nothing happens but a polite word.
    const seq = (await h.client.callbackAnswers(s.userId)).at(-1)?.seq ?? 0;
    await h.client.press(s.userId, reminder.message_id, recheckData(c.id), { from: s.from });
    expect((await h.client.callbackAnswers(s.userId, { after: seq, wait: 5 }))[0]?.text).toBe(en("recheck-not-open"));
    const events = await h.db.webhookEvent.findMany({ where: { sellerId }, orderBy: { createdAt: "asc" } });
    expect(events.map((e) => e.type)).toEqual(["seller.verified", "seller.recheck_due", "seller.verified"]);
  }, 120_000);

  it("a seller who ignores every reminder gets four, is restricted after the grace period and told how to lift it; a pass lifts it", async () => {
    const { s, sellerId } = await verifiedSeller();
    const since = (await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).lastVerifiedAt!;
    const texts: string[] = [];
    for (const day of [173, 179, 180, 183]) {
      await sweepAt(day, since);
      texts.push((await s.next(15_000)).text ?? "");
    }
    expect(texts.map((x) => x.slice(0, 2))).toEqual(["🔁", "🔁", "🔁", "⚠️"]);
    expect(texts[1]).toContain("tomorrow");
    expect((await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).status).toBe("recheck_due");

    // (The sweep restricts everyone overdue: earlier tests' sellers may be among them.)
    const r = await sweepAt(194, since);
    expect(r.restricted).toBeGreaterThanOrEqual(1);
    const notice = await s.next(15_000);
    expect(notice.text).toBe(en("recheck-restricted"));
    const restricted = await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
    expect([restricted.status, restricted.restrictedAt !== null]).toEqual(["restricted", true]);
    expect(await h.db.auditEvent.count({ where: { sellerId, action: "seller.restricted" } })).toBe(1);
    await h.sweep();
    await s.expectSilence(500);

    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "periodic" } });
    expect(await doRecheck(s, notice.message_id, c.id)).toMatch(/^✅/);
    const lifted = await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } });
    expect([lifted.status, lifted.restrictedAt]).toEqual(["verified", null]);
    expect((await h.db.webhookEvent.findMany({ where: { sellerId }, orderBy: { createdAt: "asc" } })).map((e) => e.type)).toEqual([
      "seller.verified",
      "seller.recheck_due",
      "seller.restricted",
      "seller.verified",
    ]);
  }, 180_000);
});

describe("unscheduled rechecks", () => {
  it("a risk-flagged seller gets one at a random time inside the window, never shown to the seller", async () => {
    const passedAt = h.clock.now();
    const { s, sellerId } = await verifiedSeller({ riskFlags: ["high-risk"] });
    // Drawn at the pass, within RISK_RECHECK_WINDOW_DAYS.
    const when = (await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).unscheduledRecheckAt!;
    expect(when.getTime()).toBeGreaterThan(passedAt.getTime());
    expect(when.getTime()).toBeLessThanOrEqual(h.clock.now().getTime() + 30 * DAY_MS);
    // /status says nothing of it.
    await s.text("/status");
    const status = (await s.next()).text ?? "";
    expect(status).not.toContain(when.toISOString().slice(0, 10));
    expect(status).toContain(en("status-seller-verified"));

    h.clock.advance(when.getTime() - h.clock.now().getTime() + 1000);
    expect((await h.sweep()).rechecks).toBeGreaterThanOrEqual(1);
    expect((await s.next(15_000)).text).toBe(en("recheck-unscheduled", { minutes: 5 }));
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "unscheduled" } });
    expect(c.dueAt!.getTime()).toBeGreaterThanOrEqual(when.getTime());
    expect((await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).unscheduledRecheckAt).toBeNull();
  }, 180_000);
});

describe("the sweep", () => {
  it("two sweeps at once, and a rerun, open one recheck and send one reminder", async () => {
    const { s, sellerId } = await verifiedSeller();
    const since = (await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).lastVerifiedAt!;
    h.clock.advance(since.getTime() + 173 * DAY_MS - h.clock.now().getTime());
    await Promise.all([h.sweep(), h.sweep()]);
    await h.sweep();
    expect(await h.db.verificationCase.count({ where: { sellerId, kind: "periodic" } })).toBe(1);
    expect(await h.db.reminder.count({ where: { sellerId } })).toBe(1);
    // Until the reminder a day before, the minute sweeps do not read this recheck at all.
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "periodic" } });
    expect(c.remindAt).toEqual(new Date(c.dueAt!.getTime() - DAY_MS));
    await s.next(15_000);
    await s.expectSilence(1_000);
  }, 120_000);

  it("a seller who blocked the bot is marked unreachable and not retried; /stats counts them", async () => {
    const { s, sellerId } = await verifiedSeller();
    const since = (await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).lastVerifiedAt!;
    await h.client.block(s.userId);
    const callsBefore = (await h.client.stats()).chats[String(s.userId)]?.calls ?? 0;
    await sweepAt(173, since);
    let r = await h.db.reminder.findFirst({ where: { sellerId } });
    for (let i = 0; i < 100 && !r?.sentAt; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await h.db.reminder.findFirst({ where: { sellerId } });
    }
    expect(r?.outcome).toBe("unreachable");
    expect((await h.db.seller.findUniqueOrThrow({ where: { id: sellerId } })).unreachableAt).not.toBeNull();
    const stats = await h.client.stats();
    // One try, answered 403, and no retry.
    expect((stats.chats[String(s.userId)]?.calls ?? 0) - callsBefore).toBe(1);
    const text = bodyOf(await h.group!.member(ADMIN, { first_name: "Ada" }).say("/stats"));
    expect(text).toContain(en("stats-unreachable", { count: await h.db.seller.count({ where: { unreachableAt: { not: null } } }) }));
    await h.client.unblock(s.userId);
  }, 120_000);
});

describe("staff's /recheck", () => {
  it("opens an unscheduled recheck now for a verified seller; an unknown or never-verified one gets a clear answer", async () => {
    const admin = h.group!.member(ADMIN, { first_name: "Ada" });
    expect(bodyOf(await admin.say("/recheck"))).toBe(en("recheck-staff-usage"));
    expect(bodyOf(await admin.say("/recheck nobody"))).toBe(en("seller-not-found", { input: "nobody" }));
    const { s, sellerId } = await verifiedSeller();
    const answer = bodyOf(await admin.say(`/recheck ${s.userId}`));
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "unscheduled" } });
    expect(answer).toBe(en("recheck-staff-opened", { shop: `tg ${s.userId}`, id: c.id.slice(0, 8) }));
    const reminder = await s.next(15_000);
    expect(reminder.text).toBe(en("recheck-unscheduled", { minutes: 5 }));
    expect(bodyOf(await admin.say(`/recheck ${s.userId}`))).toBe(en("recheck-staff-case-open", { shop: `tg ${s.userId}`, id: c.id.slice(0, 8) }));
    expect(await doRecheck(s, reminder.message_id, c.id)).toMatch(/^✅/);
  }, 120_000);
});

describe("rollout waves", () => {
  it("a wave's date comes: a seller who opened the bot is invited with a button that starts the dialog; one who did not waits for the marketplace", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    await s.text("/start");
    await s.expect(en("verify-consent", { retentionDays: h.config.RETENTION_DAYS }));
    await s.text("/cancel");
    await s.expect(en("verify-cancelled"));
    const bound = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
    const unbound = await h.db.seller.create({ data: { shopId: `W${Date.now()}` } });
    const at = h.clock.now();
    await h.db.seller.updateMany({ where: { id: { in: [bound.id, unbound.id] } }, data: { rolloutWave: 1, inviteAt: at } });
    const r = await h.sweep();
    expect(r.reminders).toBeGreaterThanOrEqual(2);
    const invite = await s.next(15_000);
    expect(invite.text).toBe(en("recheck-invite"));
    await s.press("invite:start", invite.message_id);
    await s.expect(en("verify-consent", { retentionDays: h.config.RETENTION_DAYS }));
    let unboundReminder = await h.db.reminder.findFirst({ where: { sellerId: unbound.id } });
    for (let i = 0; i < 50 && !unboundReminder?.sentAt; i++) {
      await new Promise((res) => setTimeout(res, 100));
      unboundReminder = await h.db.reminder.findFirst({ where: { sellerId: unbound.id } });
    }
    expect(unboundReminder?.outcome).toBe("no-chat");
    // Invited once: the next sweep sends nothing more.
    await h.sweep();
    expect(await h.db.reminder.count({ where: { sellerId: { in: [bound.id, unbound.id] } } })).toBe(2);
  }, 60_000);
});

describe("a recheck without an enrolled face", () => {
  it("goes through the whole dialog, ID photo included: never a pass without a comparison", async () => {
    const { s, sellerId } = await verifiedSeller();
    // The template is gone (past retention, or staff approved a seller who gave no face data).
    await h.db.seller.update({ where: { id: sellerId }, data: { faceEmbeddingEnc: null } });
    await h.db.faceBucket.deleteMany({ where: { sellerId } });
    await h.group!.member(ADMIN, { first_name: "Ada" }).say(`/recheck ${s.userId}`);
    const reminder = await s.next(15_000);
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId, kind: "unscheduled" } });
    await s.press(recheckData(c.id), reminder.message_id);
    expect((await s.next()).text).toBe(en("verify-consent", { retentionDays: h.config.RETENTION_DAYS }));
  }, 120_000);
});

describe("Telegram's limits", () => {
  it("nothing here was refused by the flood model", async () => {
    expect((await h.client.stats()).total.too_many).toBe(0);
  });
});
