import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { PiiCrypto } from "../../core/crypto";
import type { Locale } from "../../core/i18n";
import { maskIdNumber, maskName } from "../../core/identity/mask";
import type { IdRegion } from "../../core/identity/regions";
import { GESTURES, isGesture } from "../../core/verification/gestures";
import { importSeller } from "../../core/verification/sellers";
import { fixture } from "./fixtures";
import { t, type Harness } from "./harness";
import type { SandboxMessage } from "./stand-in-client";
import type { SellerSim } from "./seller-sim";

/**
 * Reusable steps of the seller dialog. Each step answers the pending question
 * correctly and asserts that the very next bot message is the next prompt,
 * rendered from the real locale files.
 */

export const VALID_CN_ID = "11010519491231002X";
export const RESERVED_PHONE = "+8613800138000";
export const NAME = "张三";
export const DOC_PHOTO = readFileSync(fixture("facerec_obama.jpg"));
export const SELFIE_PHOTO = readFileSync(fixture("handsdataset_5_pic00050.jpg"));

/** Steps in dialog order; a dialog "is at" a step when that step's prompt is the last thing it asked. */
export const STEPS = ["consent", "face", "region", "name", "id", "phone", "document", "selfie", "checking"] as const;
export type Step = (typeof STEPS)[number];

export interface Dialog {
  h: Harness;
  s: SellerSim;
  user: number;
  locale: Locale;
  shopId: string;
  region: IdRegion;
  step: Step;
  /** The latest prompt message of each step (its buttons are the live ones). */
  prompts: Partial<Record<Step, SandboxMessage>>;
}

/** A marketplace seller with a single-use deep-link token, as `npm run sellers:import` creates it. */
export async function newShop(h: Harness, phone = RESERVED_PHONE): Promise<{ token: string; shopId: string }> {
  const shopId = `shop-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await importSeller(
    { db: h.db, crypto: new PiiCrypto(h.config.PII_KEY), now: h.clock.now },
    { shopId, shopName: `Shop ${shopId}`, reservedPhone: phone, riskFlags: [] },
    { tokenTtlDays: 30 },
  );
  return { token: r.token!, shopId };
}

/** The next bot message must be exactly `text` (no skipping). */
export async function expectNext(s: SellerSim, text: string, timeoutMs?: number): Promise<SandboxMessage> {
  const m = await s.next(timeoutMs);
  expect(m.text ?? m.caption).toBe(text);
  return m;
}

/** The text the dialog shows for a step's prompt (the selfie challenge needs the drawn gesture). */
export async function promptText(d: Dialog, step: Step, locale: Locale = d.locale): Promise<string> {
  const regionName = t(locale, `identity-region-${d.region}`);
  const retentionDays = d.h.config.RETENTION_DAYS;
  switch (step) {
    case "consent":
      return t(locale, "verify-consent", { retentionDays });
    case "face":
      return t(locale, "verify-consent-face", { retentionDays });
    case "region":
      return t(locale, "verify-ask-region");
    case "name":
      return t(locale, "verify-ask-name", { region: regionName });
    case "id":
      return t(locale, `verify-ask-id-${d.region}`);
    case "phone":
      return t(locale, "verify-ask-phone");
    case "document":
      return t(locale, "verify-ask-document", { region: regionName });
    case "selfie": {
      const c = await currentCase(d);
      const g = c.gesture;
      if (!g || !isGesture(g)) throw new Error(`case ${c.id} has no gesture (status ${c.status})`);
      return t(locale, "verify-challenge", {
        instruction: t(locale, `gesture-${g}`),
        emoji: GESTURES[g].emoji,
        minutes: Math.round(d.h.config.CHALLENGE_TTL_SECONDS / 60),
      });
    }
    case "checking":
      return t(locale, "verify-checking");
  }
}

export async function currentCase(d: Pick<Dialog, "h" | "shopId">) {
  return d.h.db.verificationCase.findFirstOrThrow({ where: { seller: { shopId: d.shopId } }, orderBy: { createdAt: "desc" } });
}

export async function expectPrompt(d: Dialog, step: Step, locale: Locale = d.locale): Promise<SandboxMessage> {
  const m = await d.s.next();
  expect(m.text ?? m.caption).toBe(await promptText(d, step, locale));
  d.prompts[step] = m;
  d.step = step;
  return m;
}

/**
 * A new shop, bound by `/start <token>` from `user`; the dialog stands at consent.
 * `locale` is what the bot should negotiate from `languageCode`.
 */
export async function startDialog(
  h: Harness,
  user: number,
  opts: { languageCode?: string; locale?: Locale; region?: IdRegion } = {},
): Promise<Dialog> {
  const { token, shopId } = await newShop(h);
  const s = h.seller(user, opts.languageCode !== undefined ? { language_code: opts.languageCode } : { language_code: "en" });
  const d: Dialog = { h, s, user, locale: opts.locale ?? "en", shopId, region: opts.region ?? "cn", step: "consent", prompts: {} };
  await s.text(`/start ${token}`);
  await expectNext(s, t(d.locale, "start-welcome-shop", { shop: `Shop ${shopId}` }));
  const consent = await expectPrompt(d, "consent");
  expect(s.buttons(consent)).toEqual(["consent:yes", "consent:no"]);
  return d;
}

/** Answers the pending step correctly and waits for the next prompt. */
export async function answer(d: Dialog): Promise<void> {
  const { s } = d;
  switch (d.step) {
    case "consent":
      await s.press("consent:yes", d.prompts.consent?.message_id);
      await expectPrompt(d, "face");
      return;
    case "face":
      await s.press("face:yes", d.prompts.face?.message_id);
      await expectPrompt(d, "region");
      return;
    case "region":
      await s.press(`region:${d.region}`, d.prompts.region?.message_id);
      await expectPrompt(d, "name");
      return;
    case "name":
      await s.text(NAME);
      await expectPrompt(d, "id");
      return;
    case "id":
      if (d.region !== "cn") throw new Error("answer(): only the cn ID number is scripted");
      await s.text(VALID_CN_ID);
      await expectPrompt(d, "phone");
      return;
    case "phone":
      await s.send({ contact: { phone_number: RESERVED_PHONE.slice(1), user_id: d.user } });
      await expectNext(s, t(d.locale, "verify-identity-saved", { name: maskName(NAME), idNumber: maskIdNumber(VALID_CN_ID) }));
      await expectPrompt(d, "document");
      return;
    case "document":
      await s.send({ photo: DOC_PHOTO.toString("base64") });
      await expectPrompt(d, "selfie");
      return;
    case "selfie":
      await s.send({ photo: SELFIE_PHOTO.toString("base64") });
      await expectPrompt(d, "checking");
      return;
    case "checking":
      throw new Error("the dialog is over");
  }
}

/** Answers every step until the dialog stands at `step`. */
export async function driveTo(d: Dialog, step: Step): Promise<Dialog> {
  if (STEPS.indexOf(step) < STEPS.indexOf(d.step)) throw new Error(`dialog is already past ${step} (at ${d.step})`);
  while (d.step !== step) await answer(d);
  return d;
}

/** Answers from the current step through to `verify-checking`. */
export const finish = (d: Dialog) => driveTo(d, "checking");

/** A passport number of this seller's own: a number two sellers share sends both to staff review. */
export const passportOf = (userId: number) => `E${userId}`;

/**
 * An open-enrolment seller (OPEN_ENROLMENT=true) answers everything up to the gesture
 * challenge, with a passport and the given ID-document photo; returns when the challenge is shown.
 */
export async function openEnrolmentToChallenge(h: Harness, s: SellerSim, documentBase64: string, passportNumber = passportOf(s.userId)): Promise<void> {
  await s.text("/start");
  await s.expect(t("en", "verify-consent", { retentionDays: h.config.RETENTION_DAYS }), 20_000);
  await s.press("consent:yes");
  await s.expect(t("en", "verify-consent-face", { retentionDays: h.config.RETENTION_DAYS }));
  await s.press("face:yes");
  await s.expect(t("en", "verify-ask-region"));
  await s.press("region:passport");
  await s.expect(t("en", "verify-ask-name", { region: t("en", "identity-region-passport") }));
  await s.text("Subhi Hamed");
  await s.expect(t("en", "verify-ask-id-passport"));
  await s.text(passportNumber);
  await s.expect(t("en", "verify-ask-phone"));
  await s.send({ contact: { phone_number: "+85291234567", user_id: s.userId } });
  await s.expect(t("en", "verify-ask-document", { region: t("en", "identity-region-passport") }));
  await s.send({ photo: documentBase64 });
  await s.expect(/\n\n.+\n\n/);
}
