import { fileURLToPath } from "node:url";
import { I18n } from "@grammyjs/i18n";
import type { Context } from "grammy";

export const LOCALES = ["zh-Hans", "zh-Hant", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
export const LOCALES_DIR = fileURLToPath(new URL("../locales", import.meta.url));

export function isLocale(x: unknown): x is Locale {
  return typeof x === "string" && (LOCALES as readonly string[]).includes(x);
}

/**
 * Telegram's `language_code` is an IETF tag chosen by the client ("zh-hans",
 * "zh-TW", "zh-hk", "en-US", ...). Traditional script for Taiwan, Hong Kong and
 * Macau, simplified for every other Chinese tag, English for everything else.
 */
export function localeFromLanguageCode(code: string | undefined | null): Locale {
  const c = (code ?? "").toLowerCase();
  if (!c.startsWith("zh")) return DEFAULT_LOCALE;
  if (/hant|-tw|-hk|-mo/.test(c)) return "zh-Hant";
  return "zh-Hans";
}

/** Loads every .ftl under locales/<locale>/. `useIsolating: false`: bidi marks around variables show up as garbage in Telegram. */
export function createI18n<C extends Context = Context>(opts: {
  localeNegotiator?: (ctx: C) => Promise<string | undefined> | string | undefined;
} = {}): I18n<C> {
  return new I18n<C>({
    defaultLocale: DEFAULT_LOCALE,
    directory: LOCALES_DIR,
    fluentBundleOptions: { useIsolating: false },
    localeNegotiator: opts.localeNegotiator,
  });
}
