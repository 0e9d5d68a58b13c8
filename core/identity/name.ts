export type NameReason = "empty" | "too-long" | "too-short" | "bad-characters";

export const NAME_REASONS: readonly NameReason[] = ["empty", "too-long", "too-short", "bad-characters"];

export type NameCheck =
  | { valid: true; normalized: string }
  | { valid: false; reason: NameReason; args: Record<string, string | number> };

export const NAME_MIN_GRAPHEMES = 2;
export const NAME_MAX_GRAPHEMES = 64;
// Bounds the work done on hostile input (e.g. thousands of stacked combining marks) before
// graphemes are counted; far above any real name.
const MAX_RAW_LENGTH = 1_000;

// Separators that occur inside real names: space, middle dots (U+00B7 in transliterated Chinese
// names such as 阿依古丽·买买提, U+2027 as typed in Taiwan, U+30FB/U+FF65 in Japanese), hyphens,
// apostrophes (U+2019 is what phone keyboards produce for ') and the period of initials.
const SEPARATORS = " \u00B7\u2027\u30FB\uFF65\\-\u2010\u2011'\u2019.";
const ALLOWED = new RegExp(`^[\\p{L}\\p{M}${SEPARATORS}]$`, "u");

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

export function countGraphemes(text: string): number {
  let count = 0;
  for (const _ of graphemes.segment(text)) count++;
  return count;
}

// Invisible or control characters are reported by code point: printing them would show nothing.
function describe(char: string): string {
  if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(char)) return char;
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Full legal name as typed by the user: letters of any script plus the separators above.
 * Digits, emoji, symbols, control, invisible (\p{Cf}) and private-use characters are rejected.
 */
export function validateFullName(raw: string): NameCheck {
  if (raw.length > MAX_RAW_LENGTH) return { valid: false, reason: "too-long", args: { max: NAME_MAX_GRAPHEMES } };
  const normalized = raw.normalize("NFC").trim().replace(/\s+/g, " ");
  if (normalized === "") return { valid: false, reason: "empty", args: {} };

  for (const char of normalized) {
    if (!ALLOWED.test(char)) return { valid: false, reason: "bad-characters", args: { char: describe(char) } };
  }
  // A name starts with a letter: ".-" or "·张" are typos, and marks alone render as nothing.
  const first = [...normalized][0] ?? "";
  if (!/\p{L}/u.test(first)) return { valid: false, reason: "bad-characters", args: { char: describe(first) } };

  const length = countGraphemes(normalized);
  if (length < NAME_MIN_GRAPHEMES) return { valid: false, reason: "too-short", args: { min: NAME_MIN_GRAPHEMES } };
  if (length > NAME_MAX_GRAPHEMES) return { valid: false, reason: "too-long", args: { max: NAME_MAX_GRAPHEMES } };
  return { valid: true, normalized };
}
