import type { Redis } from "ioredis";
import { isLocale, localeFromLanguageCode, type Locale } from "../../core/i18n";

const key = (prefix: string, userId: number) => `${prefix}:locale:${userId}`;

/** The seller's chosen locale (/language) wins over the client's language_code. */
export async function negotiateLocale(redis: Redis, prefix: string, from: { id: number; language_code?: string } | undefined): Promise<Locale> {
  if (!from) return "en";
  const chosen = await redis.get(key(prefix, from.id));
  return isLocale(chosen) ? chosen : localeFromLanguageCode(from.language_code);
}

export async function rememberLocale(redis: Redis, prefix: string, userId: number, locale: Locale): Promise<void> {
  await redis.set(key(prefix, userId), locale);
}
