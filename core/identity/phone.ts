// "max" metadata: isValid() checks each country's real number ranges, not only the length as the
// default "min" build does. That precision is what decides whether "13800138000" is a Mainland
// mobile or a North American number; the larger bundle does not matter on a server.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { IdRegion } from "./regions";

export type PhoneCountry = "CN" | "HK" | "MO" | "TW";

const REGION_COUNTRY: Readonly<Record<IdRegion, PhoneCountry | undefined>> = {
  cn: "CN",
  hk: "HK",
  mo: "MO",
  tw: "TW",
  passport: undefined,
};

export function defaultCountryFor(region: IdRegion): PhoneCountry | undefined {
  return REGION_COUNTRY[region];
}

function parseValid(text: string, defaultCountry?: PhoneCountry): string | null {
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * E.164 form ("+8613800138000") of a typed number or of a Telegram contact's phone_number,
 * or null when it is not a valid number.
 */
export function normalizePhone(raw: string, defaultCountry?: PhoneCountry): string | null {
  const text = raw.normalize("NFKC").trim();
  if (text === "") return null;
  const digits = text.replace(/[\s\-().]/g, "");
  // Telegram contacts carry the international number without "+". More than 10 digits is longer
  // than any national number of the four default countries, except an 11-digit Mainland mobile
  // ("1" + 10 digits), which is also what a +1 number looks like without its "+": with a CN
  // default the mobile reading wins, since that is who this bot serves.
  if (/^\d{11,}$/.test(digits)) {
    const international = `+${digits}`;
    const preferNational = defaultCountry === "CN" && /^1\d{10}$/.test(digits);
    const order = preferNational ? [digits, international] : [international, digits];
    for (const candidate of order) {
      const e164 = parseValid(candidate, defaultCountry);
      if (e164) return e164;
    }
    return null;
  }
  return parseValid(text, defaultCountry);
}

export function samePhone(a: string, b: string, defaultCountry?: PhoneCountry): boolean {
  const na = normalizePhone(a, defaultCountry);
  return na !== null && na === normalizePhone(b, defaultCountry);
}
