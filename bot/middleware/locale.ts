import type { Redis } from "ioredis";
import { isLocale, localeFromLanguageCode, type Locale } from "../../core/i18n";

const key = (prefix: string, userId: number) => `${prefix}:locale:${userId}`;

/**
 * The stored choice per user, kept in memory for CHOICE_TTL_MS. The conversation
 * plugin replays every earlier update of a dialog through i18n, so without this
 * each update cost one Redis GET per step already taken (bench:dialog, 200 dialogs:
 * i18n 1.0 s of 21.7 s bot CPU, plus the GETs). rememberLocale writes through, so
 * in this process a /language choice applies at once; the TTL bounds how long
 * another process (a restart, a second replica) could serve an older choice.
 */
const CHOICE_TTL_MS = 10_000;
const MAX_ENTRIES = 50_000;
const choices = new WeakMap<Redis, Map<string, { chosen: string | null; until: number }>>();

function choicesOf(redis: Redis): Map<string, { chosen: string | null; until: number }> {
  let m = choices.get(redis);
  if (!m) choices.set(redis, (m = new Map()));
  return m;
}

function keep(redis: Redis, k: string, chosen: string | null): void {
  const m = choicesOf(redis);
  if (m.size >= MAX_ENTRIES) m.clear();
  m.set(k, { chosen, until: Date.now() + CHOICE_TTL_MS });
}

/** The seller's chosen locale (/language) wins over the client's language_code. */
export async function negotiateLocale(redis: Redis, prefix: string, from: { id: number; language_code?: string } | undefined): Promise<Locale> {
  if (!from) return "en";
  const k = key(prefix, from.id);
  const hit = choicesOf(redis).get(k);
  let chosen: string | null;
  if (hit && hit.until > Date.now()) {
    chosen = hit.chosen;
  } else {
    chosen = await redis.get(k);
    keep(redis, k, chosen);
  }
  return isLocale(chosen) ? chosen : localeFromLanguageCode(from.language_code);
}

export async function rememberLocale(redis: Redis, prefix: string, userId: number, locale: Locale): Promise<void> {
  const k = key(prefix, userId);
  // Forget first: should the write fail, the next update reads Redis again.
  choicesOf(redis).delete(k);
  await redis.set(k, locale);
  keep(redis, k, locale);
}
