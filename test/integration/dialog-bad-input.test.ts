import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cnCheckChar, hkCheckChar, validateIdNumber } from "../../core/identity/id-number";
import { maskPhone } from "../../core/identity/mask";
import { validateFullName } from "../../core/identity/name";
import {
  answer,
  currentCase,
  driveTo,
  expectNext,
  expectPrompt,
  finish,
  RESERVED_PHONE,
  startDialog,
  type Dialog,
} from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SandboxMessage } from "../support/stand-in-client";

/**
 * What a seller sees when an answer is wrong: the dialog stays at its step, says
 * what to do, and the step can still be completed. Over real HTTP against the
 * Bot API stand-in, with real PostgreSQL and Redis.
 */

let h: Harness;
let nextUser = 7_200_000;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const begin = (opts: Parameters<typeof startDialog>[2] = {}) => startDialog(h, nextUser++, opts);

/** Presses `data` on `messageId` and returns the toast; the bot must answer the query and send nothing. */
async function pressForToast(d: Dialog, data: string, messageId: number): Promise<string | undefined> {
  const before = await h.client.callbackAnswers(d.user);
  const after = before.at(-1)?.seq ?? 0;
  await h.client.press(d.user, messageId, data, { from: d.s.from });
  const answers = await h.client.callbackAnswers(d.user, { after, wait: 5 });
  expect(answers).toHaveLength(1);
  expect(answers[0]!.message_id).toBe(messageId);
  await d.s.expectSilence(300);
  return answers[0]!.text;
}

const replyKeyboard = (m: SandboxMessage) => (m.reply_markup as { keyboard?: { text: string; request_contact?: boolean }[][] } | undefined)?.keyboard;

describe("ID number step", () => {
  it("rejects a wrong check digit, then accepts the right number", async () => {
    const d = await driveTo(await begin(), "id");
    await d.s.text("110105194912310021");
    await expectNext(d.s, en("identity-error-bad-check-digit"));
    await answer(d);
    expect(d.step).toBe("phone");
  });

  it("rejects a birth date that does not exist (with a correct check character) and names the date", async () => {
    const d = await driveTo(await begin(), "id");
    const body = "11010519990230002";
    const id = body + cnCheckChar(body);
    const r = validateIdNumber("cn", id);
    expect(r).toMatchObject({ valid: false, reason: "bad-birth-date", args: { date: "1999-02-30" } });
    if (r.valid) throw new Error("unreachable");
    await d.s.text(id);
    const m = await expectNext(d.s, en(`identity-error-${r.reason}`, r.args));
    expect(m.text).toContain("1999-02-30");
    await answer(d);
    expect(d.step).toBe("phone");
  });

  it("explains the Hong Kong format when the number does not fit it, then accepts an HKID", async () => {
    const d = await driveTo(await begin({ region: "hk" }), "id");
    expect(d.prompts.id?.text).toBe(en("verify-ask-id-hk"));
    const r = validateIdNumber("hk", "12345");
    expect(r).toMatchObject({ valid: false, reason: "bad-format", args: { region: "hk" } });
    if (r.valid) throw new Error("unreachable");
    await d.s.text("12345");
    await expectNext(d.s, en("identity-error-bad-format", r.args));
    await d.s.text(`A123456(${hkCheckChar("A123456")})`);
    await expectPrompt(d, "phone");
  });

  it("accepts a full-width number typed with a Chinese IME (and stores it normalised)", async () => {
    const d = await driveTo(await begin(), "id");
    await d.s.text("１１０１０５　１９４９１２３１　００２ｘ");
    await expectPrompt(d, "phone");
    // The saved-identity message shows the mask of the ASCII, upper-case number.
    await answer(d);
    expect(d.step).toBe("document");
  });
});

describe("name step", () => {
  it.each([
    ["a zero-width space", "张\u200b三"],
    ["a control character", "张\u0007三"],
  ])("rejects a name with %s, naming the code point, then accepts the name", async (_what, name) => {
    const d = await driveTo(await begin(), "name");
    const r = validateFullName(name);
    expect(r.valid).toBe(false);
    if (r.valid) throw new Error("unreachable");
    expect(r.args.char).toMatch(/^U\+[0-9A-F]{4}$/);
    await d.s.text(name);
    await expectNext(d.s, en(`identity-name-error-${r.reason}`, r.args));
    await answer(d);
    expect(d.step).toBe("id");
  });
});

describe("phone step", () => {
  it("refuses someone else's contact, a contact card without account, a number other than the reserved one and typed text", async () => {
    const d = await driveTo(await begin(), "phone");
    const ownNumber = RESERVED_PHONE.slice(1);

    await d.s.send({ contact: { phone_number: ownNumber, user_id: d.user + 1_000 } });
    await expectNext(d.s, en("verify-phone-not-yours"));

    await d.s.send({ contact: { phone_number: ownNumber } });
    await expectNext(d.s, en("verify-phone-not-yours"));

    await d.s.send({ contact: { phone_number: "8613900139000", user_id: d.user } });
    const mismatch = await expectNext(d.s, en("verify-phone-mismatch", { reserved: maskPhone(RESERVED_PHONE) }));
    expect(mismatch.text).toContain("+86 138****8000");

    await d.s.text(RESERVED_PHONE);
    const useButton = await expectNext(d.s, en("verify-phone-use-button"));
    expect(replyKeyboard(useButton)?.flat()).toEqual([{ text: en("verify-phone-button"), request_contact: true }]);

    // Nothing was saved on the way: the case still has no identity.
    expect((await currentCase(d)).identityId).toBeNull();
    await answer(d);
    expect(d.step).toBe("document");
    expect((await currentCase(d)).identityId).not.toBeNull();
  });
});

describe("document photo step", () => {
  let bigPng: Buffer;
  let gif: Buffer;
  let smallJpeg: Buffer;

  beforeAll(async () => {
    // 60 megapixels of one colour: ~190 kB as PNG, a decompression bomb for a naive decoder.
    bigPng = await sharp({ create: { width: 10_000, height: 6_000, channels: 3, background: "#3366aa" } }).png({ compressionLevel: 9 }).toBuffer();
    gif = await sharp({ create: { width: 640, height: 640, channels: 3, background: "#cc2200" } }).gif().toBuffer();
    smallJpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: "#808080" } }).jpeg().toBuffer();
  });

  it("names the file type of a PDF and a ZIP, refuses a GIF, a 60-megapixel PNG and a 300×300 JPEG, then takes a real photo", async () => {
    const d = await driveTo(await begin(), "document");
    const pdf = Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", "latin1");
    const zip = Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(60, 0)]);

    await h.client.sendDocument(d.user, pdf, "id-card.pdf", "application/pdf", { from: d.s.from });
    await expectNext(d.s, en("photo-error-not-an-image", { kind: "PDF" }));

    await h.client.sendDocument(d.user, zip, "id-card.zip", "application/zip", { from: d.s.from });
    await expectNext(d.s, en("photo-error-not-an-image", { kind: "ZIP" }));

    await h.client.sendDocument(d.user, gif, "id-card.gif", "image/gif", { from: d.s.from });
    await expectNext(d.s, en("photo-error-animated"));

    await h.client.sendDocument(d.user, bigPng, "id-card.png", "image/png", { from: d.s.from });
    await expectNext(d.s, en("photo-error-too-many-pixels", { maxMp: Math.floor(h.config.MAX_PHOTO_PIXELS / 1e6) }));

    await h.client.sendDocument(d.user, smallJpeg, "id-card.jpg", "image/jpeg", { from: d.s.from });
    await expectNext(d.s, en("photo-error-too-small", { minSide: h.config.MIN_PHOTO_SIDE, width: "300", height: "300" }));

    expect((await currentCase(d)).documentPhotoId).toBeNull();
    expect(await h.db.photo.count({ where: { case: { seller: { shopId: d.shopId } } } })).toBe(0);
    await answer(d);
    expect(d.step).toBe("selfie");
  });

  it("asks for a photo when given text or a sticker, at the document and at the selfie step", async () => {
    const d = await driveTo(await begin(), "document");
    await d.s.text("here it is");
    await expectNext(d.s, en("photo-error-expected-photo"));
    await d.s.send({ sticker: true });
    await expectNext(d.s, en("photo-error-sticker"));
    await answer(d);

    await d.s.text("done");
    await expectNext(d.s, en("photo-error-expected-photo"));
    await d.s.send({ sticker: true });
    await expectNext(d.s, en("photo-error-sticker"));
    await finish(d);
    expect((await currentCase(d)).status).toBe("queued");
  });
});

describe("buttons", () => {
  it("answers a button from an old message with a 'no longer active' toast and changes nothing", async () => {
    const d = await driveTo(await begin(), "face");
    const stale = en("common-button-stale");
    const oldConsent = d.prompts.consent!.message_id;

    // At the face-consent step: the consent message's own button, pressed again.
    expect(await pressForToast(d, "consent:yes", oldConsent)).toBe(stale);
    await answer(d);
    // At the region step; then at the name step (a text step) with the region button.
    expect(await pressForToast(d, "face:yes", d.prompts.face!.message_id)).toBe(stale);
    await answer(d);
    expect(await pressForToast(d, "region:cn", d.prompts.region!.message_id)).toBe(stale);
    await answer(d);
    expect(d.step).toBe("id");
  });

  it("answers forged callback data and a real button on the wrong message with the same toast; the dialog is unchanged", async () => {
    const d = await driveTo(await begin(), "region");
    const stale = en("common-button-stale");
    const regionMsg = d.prompts.region!.message_id;

    expect(await pressForToast(d, "region:xx", regionMsg)).toBe(stale);
    expect(await pressForToast(d, "zzz", regionMsg)).toBe(stale);
    expect(await pressForToast(d, "face:yes", regionMsg)).toBe(stale);
    expect(await pressForToast(d, "region:cn", d.prompts.consent!.message_id)).toBe(stale);
    // Typing instead of pressing is answered, and does not count as a choice either.
    await d.s.text("cn");
    await expectNext(d.s, en("common-use-buttons"));

    expect((await currentCase(d)).identityId).toBeNull();
    await answer(d);
    expect(d.step).toBe("name");
  });
});

describe("commands in the middle of the dialog", () => {
  it("/start offers to resume or restart; resume re-sends the pending question and only its buttons are live", async () => {
    const d = await driveTo(await begin(), "region");
    const oldRegion = d.prompts.region!.message_id;
    await d.s.text("/start");
    const offer = await expectNext(d.s, en("start-resume-or-restart"));
    expect(d.s.buttons(offer)).toEqual(["start:resume", "start:restart"]);

    await d.s.press("start:resume", offer.message_id);
    const again = await expectPrompt(d, "region");
    expect(again.message_id).not.toBe(oldRegion);
    const answers = await h.client.callbackAnswers(d.user);
    expect(answers.at(-1)).toMatchObject({ callback_data: "start:resume", message_id: offer.message_id });
    expect(answers.at(-1)?.text).toBeUndefined();

    expect(await pressForToast(d, "region:cn", oldRegion)).toBe(en("common-button-stale"));
    await answer(d);
    await answer(d);
    expect(d.step).toBe("id");
  });

  it("/start then 'start again' cancels the case and begins a new one at consent", async () => {
    const d = await driveTo(await begin(), "id");
    const oldCase = await currentCase(d);
    await d.s.text("/start");
    const offer = await expectNext(d.s, en("start-resume-or-restart"));
    await d.s.press("start:restart", offer.message_id);
    await expectNext(d.s, en("start-restarted"));
    await expectPrompt(d, "consent");

    const cases = await h.db.verificationCase.findMany({ where: { seller: { shopId: d.shopId } }, orderBy: { createdAt: "asc" } });
    expect(cases.map((c) => [c.id, c.status])).toEqual([
      [oldCase.id, "cancelled"],
      [expect.any(String), "collecting"],
    ]);
    expect(cases[1]!.consentAt).toBeNull();
    // The answers of the old dialog are gone: the old region button is stale, and the new dialog runs.
    expect(await pressForToast(d, "region:cn", d.prompts.region!.message_id)).toBe(en("common-button-stale"));
    await driveTo(d, "phone");
  });

  it("an old 'start again' button pressed after the selfie was submitted does not start a second verification", async () => {
    const d = await driveTo(await begin(), "name");
    await d.s.text("/start");
    const offer = await expectNext(d.s, en("start-resume-or-restart"));
    await d.s.press("start:resume", offer.message_id);
    await expectPrompt(d, "name");
    await finish(d);
    const queued = await currentCase(d);
    expect(queued.status).toBe("queued");

    // The offer is still in the chat; /start itself would now say the check is in progress.
    await d.s.press("start:restart", offer.message_id);
    await new Promise((r) => setTimeout(r, 700));
    await d.s.drain();
    const after = d.s.history.slice(d.s.history.findIndex((m) => m.text === en("verify-checking")) + 1).map((m) => m.text);
    expect(after).not.toContain(en("start-restarted"));
    expect(after).not.toContain(en("verify-consent", { retentionDays: h.config.RETENTION_DAYS }));
    const cases = await h.db.verificationCase.findMany({ where: { seller: { shopId: d.shopId } } });
    expect(cases.map((c) => [c.id, c.status])).toEqual([[queued.id, "queued"]]);
  });

  it("a command typed with a capital letter mid-dialog is not answered as if no verification were running", async () => {
    const d = await driveTo(await begin(), "id");
    // isControlUpdate() lower-cases the command, so the dialog hands "/Status" on to the command handlers.
    await d.s.text("/Status");
    const m = await d.s.next();
    expect(m.text).not.toBe(en("fallback-hint"));
    expect(m.text).toBe(en("status-case-collecting", { sellerStatus: en("status-seller-unverified") }));
    await answer(d);
    expect(d.step).toBe("phone");
  });

  it("/status and /help answer mid-dialog without moving it", async () => {
    const d = await driveTo(await begin(), "id");
    await d.s.text("/status");
    const status = await expectNext(d.s, en("status-case-collecting", { sellerStatus: en("status-seller-unverified") }));
    expect(status.text?.split("\n")[0]).toBe(en("status-case-collecting", { sellerStatus: en("status-seller-unverified") }).split("\n")[0]);
    await d.s.text("/help");
    await expectNext(d.s, en("help"));
    await answer(d);
    expect(d.step).toBe("phone");
  });

  it("/language switches mid-dialog: resume repeats the question in the new language and the rest follows it", async () => {
    const d = await driveTo(await begin(), "name");
    await d.s.text("/language");
    const choose = await expectNext(d.s, en("language-choose"));
    expect(d.s.buttons(choose)).toEqual(["lang:zh-Hans", "lang:zh-Hant", "lang:en"]);
    await d.s.press("lang:zh-Hans", choose.message_id);
    const changed = await expectNext(d.s, t("zh-Hans", "language-changed"));
    expect(d.s.buttons(changed)).toEqual(["start:resume"]);

    await d.s.press("start:resume", changed.message_id);
    await expectPrompt(d, "name", "zh-Hans");
    d.locale = "zh-Hans";
    await d.s.text("/status");
    await expectNext(d.s, t("zh-Hans", "status-case-collecting", { sellerStatus: t("zh-Hans", "status-seller-unverified") }));
    await finish(d);
    const seller = await h.db.seller.findUniqueOrThrow({ where: { shopId: d.shopId } });
    expect(seller.locale).toBe("zh-Hans");
  });

  it("/cancel ends the dialog, removes the contact keyboard and cancels the case", async () => {
    const d = await driveTo(await begin(), "phone");
    await d.s.text("/cancel");
    const m = await expectNext(d.s, en("verify-cancelled"));
    expect(m.reply_markup).toEqual({ remove_keyboard: true });
    expect((await currentCase(d)).status).toBe("cancelled");
    // No dialog any more: a contact is not taken as an answer.
    await d.s.send({ contact: { phone_number: RESERVED_PHONE.slice(1), user_id: d.user } });
    await expectNext(d.s, en("fallback-hint"));
    await d.s.text("/cancel");
    await expectNext(d.s, en("cancel-nothing"));
  });
});

describe("a flood from one user (real rate limit)", () => {
  let hf: Harness;
  beforeAll(async () => {
    hf = await startHarness({ RATE_LIMIT_PER_SECOND: "5" });
  });
  afterAll(async () => {
    await hf?.close();
  });

  it("drops most of 50 parallel messages with exactly one polite notice, and the user is served again afterwards", async () => {
    const user = nextUser++;
    const s = hf.seller(user, { language_code: "en" });
    await Promise.all(Array.from({ length: 50 }, (_, i) => s.text(`spam ${i}`)));
    await s.expect(en("common-rate-limited"));
    await new Promise((r) => setTimeout(r, 1_500));
    await s.drain();

    const texts = s.history.map((m) => m.text);
    expect(texts.filter((x) => x === en("common-rate-limited"))).toHaveLength(1);
    const answered = texts.filter((x) => x === en("fallback-hint")).length;
    expect(answered).toBeGreaterThanOrEqual(5);
    expect(answered).toBeLessThan(50);
    expect(texts.every((x) => x === en("common-rate-limited") || x === en("fallback-hint"))).toBe(true);

    expect(hf.bot.runner.isRunning()).toBe(true);
    await s.text("/status");
    await expectNext(s, en("status-none"));
  });
});
