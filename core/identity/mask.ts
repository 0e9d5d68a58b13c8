// Masked forms let a user or reviewer recognise a value without the screen or log revealing it.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

function splitGraphemes(text: string): string[] {
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

function keepEnds(chars: readonly string[], head: number, tail: number): string {
  const hidden = Math.max(0, chars.length - head - tail);
  return chars.slice(0, head).join("") + "*".repeat(hidden) + chars.slice(chars.length - tail).join("");
}

/**
 * 18-character ids keep 4 + 4 (1101**********002X: region and check digit, the convention of
 * Chinese banks). Shorter ids show at most 40% of the characters, 2 at either end at most.
 */
export function maskIdNumber(id: string): string {
  const chars = [...id];
  if (chars.length >= 18) return keepEnds(chars, 4, 4);
  const budget = Math.floor(chars.length * 0.4);
  const head = Math.min(2, Math.floor(budget / 2));
  const tail = Math.min(2, budget - head);
  return keepEnds(chars, head, tail);
}

/** "+8613800138000" -> "+86 138****8000"; 8-digit numbers keep 2 + 2: "+852 91****78". */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) {
    const digits = [...e164.replace(/\D/g, "")];
    return `+${keepEnds(digits, 0, Math.min(2, Math.floor(digits.length * 0.4)))}`;
  }
  const national = [...parsed.nationalNumber];
  const [head, tail] = national.length >= 10 ? [3, 4] : national.length >= 7 ? [2, 2] : [1, 1];
  return `+${parsed.countryCallingCode} ${keepEnds(national, head, tail)}`;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** "张三丰" -> "张**"; "John Smith" -> "J*** S***". */
export function maskName(name: string): string {
  const text = name.normalize("NFC").trim();
  if (text === "") return "";
  if (CJK.test(text)) {
    const chars = splitGraphemes(text.replace(/\s+/g, ""));
    return chars.length < 2 ? "*" : keepEnds(chars, 1, 0);
  }
  // A fixed "***" per word hides the length of each word.
  return text
    .split(/\s+/)
    .map((word) => `${splitGraphemes(word)[0] ?? ""}***`)
    .join(" ");
}
