import { normalizeIdNumber } from "./normalize";
import type { IdRegion } from "./regions";

export type IdReason =
  | "empty"
  | "bad-length"
  | "bad-format"
  | "bad-province"
  | "bad-birth-date"
  | "future-birth-date"
  | "too-old"
  | "bad-check-digit"
  | "legacy-15-digit";

/** Every IdReason, for exhaustiveness checks (locale files, CLI docs). */
export const ID_REASONS: readonly IdReason[] = [
  "empty",
  "bad-length",
  "bad-format",
  "bad-province",
  "bad-birth-date",
  "future-birth-date",
  "too-old",
  "bad-check-digit",
  "legacy-15-digit",
];

export type IdCheck =
  | { valid: true; normalized: string; reason: "ok"; birthDate?: string }
  | { valid: false; normalized: string; reason: IdReason; args: Record<string, string | number> };

type Fail = Extract<IdCheck, { valid: false }>;

function fail(normalized: string, reason: IdReason, args: Record<string, string | number> = {}): Fail {
  return { valid: false, normalized, reason, args };
}

/**
 * Checks the shape and checksum of an ID number typed by a user. It cannot tell whether the
 * number was ever issued; it catches typos and made-up numbers before they reach a reviewer.
 * `today` is injectable so the future-date rule is testable.
 */
export function validateIdNumber(region: IdRegion, raw: string, today: Date = new Date()): IdCheck {
  const normalized = normalizeIdNumber(raw);
  if (normalized === "") return fail(normalized, "empty");
  switch (region) {
    case "cn":
      return validateCn(normalized, today);
    case "hk":
      return validateHk(normalized);
    case "mo":
      return validateMo(normalized);
    case "tw":
      return validateTw(normalized);
    case "passport":
      return validatePassport(normalized);
  }
}

// --- Mainland China: GB 11643-1999 ----------------------------------------------------------

// Province-level codes of GB/T 2260, plus the first two digits of numbers that follow the same
// standard without being citizen numbers:
//  - 71 Taiwan is listed in GB/T 2260;
//  - 81/82/83: residence permits for Hong Kong, Macau and Taiwan residents (2018 regulation,
//    address codes 810000, 820000, 830000);
//  - 9 + province code: the 2023 foreigners' permanent residence ID (first digit 9, then the
//    issuing province, same MOD 11-2 check). Checked separately below.
const CN_PROVINCES = new Set([
  "11", "12", "13", "14", "15",
  "21", "22", "23",
  "31", "32", "33", "34", "35", "36", "37",
  "41", "42", "43", "44", "45", "46",
  "50", "51", "52", "53", "54",
  "61", "62", "63", "64", "65",
  "71", "81", "82", "83",
]);
const CN_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_CHECK = "10X98765432";
// Cut-off for "too old": no living holder was born before 1900, and GB 11643 dates start at 19xx.
const CN_MIN_YEAR = 1900;

function isCnAddressPrefix(digits: string): boolean {
  if (digits.startsWith("9")) {
    const province = digits.slice(1, 3);
    return CN_PROVINCES.has(province) && Number(province) <= 65;
  }
  return CN_PROVINCES.has(digits.slice(0, 2));
}

/** ISO 7064 MOD 11-2 check character for the 17 leading digits. */
export function cnCheckChar(body17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(body17[i]) * (CN_WEIGHTS[i] ?? 0);
  return CN_CHECK[sum % 11] ?? "";
}

function validateCn(n: string, today: Date): IdCheck {
  if (/^\d{15}$/.test(n)) return fail(n, "legacy-15-digit");
  if (n.length !== 18) return fail(n, "bad-length", { expected: 18, actual: [...n].length });
  if (!/^\d{17}[\dX]$/.test(n)) return fail(n, "bad-format", { region: "cn" });
  if (!isCnAddressPrefix(n)) return fail(n, "bad-province", { prefix: n.slice(0, 2) });

  const year = Number(n.slice(6, 10));
  const month = Number(n.slice(10, 12));
  const day = Number(n.slice(12, 14));
  const date = `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`;
  if (!isCalendarDate(year, month, day)) return fail(n, "bad-birth-date", { date });
  if (year < CN_MIN_YEAR) return fail(n, "too-old", { date });
  if (date > calendarDateUtc8(today)) return fail(n, "future-birth-date", { date });

  // The expected character is deliberately not returned: it would let anyone "fix" a made-up number.
  if (cnCheckChar(n.slice(0, 17)) !== n[17]) return fail(n, "bad-check-digit");
  return { valid: true, normalized: n, reason: "ok", birthDate: date };
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

// All four regions are UTC+8 (no DST): someone born "today" there is not flagged as born in the
// future while the server's UTC date is still yesterday.
function calendarDateUtc8(now: Date): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

// --- Hong Kong: HKID -------------------------------------------------------------------------

const HK_PATTERN = /^([A-Z]{1,2}\d{6})(?:\(([\dA])\)|([\dA]))$/;

/** HKID check character for 1-2 letters + 6 digits. */
export function hkCheckChar(body: string): string {
  // A single-letter HKID is weighted as if a space (value 36) came first.
  const padded = body.length === 7 ? ` ${body}` : body;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = padded[i] ?? " ";
    const value = c === " " ? 36 : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 55; // A=10..Z=35
    sum += value * (9 - i);
  }
  const check = 11 - (sum % 11);
  return check === 11 ? "0" : check === 10 ? "A" : String(check);
}

function validateHk(input: string): IdCheck {
  const n = input.replace(/[()]/g, "");
  const m = HK_PATTERN.exec(input);
  if (!m) return fail(n, "bad-format", { region: "hk" });
  const body = m[1] ?? "";
  const check = m[2] ?? m[3] ?? "";
  if (hkCheckChar(body) !== check) return fail(n, "bad-check-digit");
  return { valid: true, normalized: n, reason: "ok" };
}

// --- Macau: BIR number -----------------------------------------------------------------------

// Written 1234567(8), 1/234567/8 or plain. The Identification Services Bureau publishes no
// check-digit algorithm, so only the layout is checked; the last digit is kept but not verified.
const MO_LAYOUTS = [/^\d{8}$/, /^\d{7}\(\d\)$/, /^\d\/\d{6}\/\d$/];

function validateMo(input: string): IdCheck {
  const n = input.replace(/[()/]/g, "");
  if (n.length !== 8) return fail(n, "bad-length", { expected: 8, actual: [...n].length });
  if (!/^[1578]\d{7}$/.test(n) || !MO_LAYOUTS.some((re) => re.test(input))) {
    return fail(n, "bad-format", { region: "mo" });
  }
  return { valid: true, normalized: n, reason: "ok" };
}

// --- Taiwan: national ID and (since 2021) resident certificate numbers -------------------------

// Letter values of the official table: not alphabetical (I, O, W..Z were added later).
const TW_LETTERS: Readonly<Record<string, number>> = {
  A: 10, B: 11, C: 12, D: 13, E: 14, F: 15, G: 16, H: 17, I: 34, J: 18, K: 19, L: 20, M: 21,
  N: 22, O: 35, P: 23, Q: 24, R: 25, S: 26, T: 27, U: 28, V: 29, W: 32, X: 30, Y: 31, Z: 33,
};
const TW_WEIGHTS = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1];

export function twChecksumOk(n: string): boolean {
  const letter = TW_LETTERS[n[0] ?? ""];
  if (letter === undefined) return false;
  const digits = [Math.floor(letter / 10), letter % 10, ...[...n.slice(1)].map(Number)];
  const sum = digits.reduce((acc, d, i) => acc + d * (TW_WEIGHTS[i] ?? 0), 0);
  return sum % 10 === 0;
}

function validateTw(n: string): IdCheck {
  if (n.length !== 10) return fail(n, "bad-length", { expected: 10, actual: [...n].length });
  // Second digit: 1/2 citizens; 8/9 the 2021 unified resident certificate numbers (same checksum).
  if (!/^[A-Z][1289]\d{8}$/.test(n)) return fail(n, "bad-format", { region: "tw" });
  if (!twChecksumOk(n)) return fail(n, "bad-check-digit");
  return { valid: true, normalized: n, reason: "ok" };
}

// --- Passport / other: format only ----------------------------------------------------------

function validatePassport(n: string): IdCheck {
  if (!/^[A-Z\d]{5,20}$/.test(n) || !/\d/.test(n)) return fail(n, "bad-format", { region: "passport" });
  return { valid: true, normalized: n, reason: "ok" };
}
