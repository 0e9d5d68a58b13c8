import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../bot/features/commands";
import type { Locale } from "../../core/i18n";
import { ID_REGIONS } from "../../core/identity/regions";
import { answer, currentCase, startDialog, type Dialog } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SandboxMessage } from "../support/stand-in-client";

/**
 * The language comes from the client's Telegram `language_code`; every prompt of
 * a complete dialog is the real locale file's text for that language.
 */

let h: Harness;
let nextUser = 7_300_000;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const labels = (m: SandboxMessage | undefined) =>
  ((m?.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined)?.inline_keyboard ?? []).flat().map((b) => b.text);

describe.each<[string, Locale]>([
  ["en", "en"],
  ["en-GB", "en"],
  ["zh-hans", "zh-Hans"],
  ["zh-CN", "zh-Hans"],
  ["zh-TW", "zh-Hant"],
  ["zh-hant", "zh-Hant"],
])("language_code %s", (languageCode, locale) => {
  it(`runs the whole dialog in ${locale}`, async () => {
    // startDialog asserts the welcome and the consent texts in `locale`.
    const d: Dialog = await startDialog(h, nextUser++, { languageCode, locale });
    expect(labels(d.prompts.consent)).toEqual([t(locale, "verify-consent-agree"), t(locale, "verify-consent-decline")]);
    await answer(d); // -> face consent
    expect(labels(d.prompts.face)).toEqual([t(locale, "verify-consent-agree"), t(locale, "verify-consent-decline")]);
    await answer(d); // -> region
    expect(labels(d.prompts.region)).toEqual(ID_REGIONS.map((r) => t(locale, `identity-region-${r}`)));
    await answer(d); // -> name
    await answer(d); // -> ID number
    await answer(d); // -> phone
    const phoneKeyboard = (d.prompts.phone?.reply_markup as { keyboard?: { text: string }[][] } | undefined)?.keyboard;
    expect(phoneKeyboard?.flat().map((b) => b.text)).toEqual([t(locale, "verify-phone-button")]);
    await answer(d); // -> identity saved, document
    await answer(d); // -> selfie challenge (gesture read from the case)
    await answer(d); // -> checking
    expect(d.step).toBe("checking");
    expect((await currentCase(d)).status).toBe("queued");
    const seller = await h.db.seller.findUniqueOrThrow({ where: { shopId: d.shopId } });
    expect(seller.locale).toBe(locale);

    await d.s.text("/status");
    const status = await d.s.next();
    expect(status.text?.split("\n")[0]).toBe(t(locale, "status-case-queued", { sellerStatus: t(locale, "status-seller-unverified"), attempt: 1, maxAttempts: h.config.MAX_ATTEMPTS }).split("\n")[0]);
  });
});

describe("command menus", () => {
  const menu = (locale: Locale) => COMMANDS.map((command) => ({ command, description: t(locale, `command-${command}`) }));

  it("registers English as the default menu and for en, Simplified Chinese for zh", async () => {
    expect(await h.client.commands()).toEqual(menu("en"));
    expect(await h.client.commands({ language_code: "en" })).toEqual(menu("en"));
    expect(await h.client.commands({ language_code: "zh" })).toEqual(menu("zh-Hans"));
    // Sanity: the two menus really differ (a test against two equal lists could not fail).
    expect(menu("zh-Hans")).not.toEqual(menu("en"));
  });
});
