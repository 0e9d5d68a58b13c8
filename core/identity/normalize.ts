// Whitespace (\s covers NBSP, U+3000 and U+FEFF), invisible format characters that ride along
// with copy-paste (zero-width space, bidi marks), and every dash a phone keyboard or IME produces.
const STRIP = /[\s\p{Cf}\-\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/gu;

/**
 * Canonical form of a typed ID number: NFKC (full-width digits and letters become ASCII),
 * no whitespace or dashes, upper case. Punctuation that is part of a region's written form
 * (HKID parentheses, Macau slashes) is left for the region's validator.
 */
export function normalizeIdNumber(raw: string): string {
  return raw.normalize("NFKC").replace(STRIP, "").toUpperCase();
}
