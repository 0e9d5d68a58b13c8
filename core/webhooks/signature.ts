import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The `X-Shiren-Signature` header, in Stripe's format: `t=<unix seconds>,v1=<hex>`, where
 * v1 is HMAC-SHA256 over `<t>.<raw body>` with the shared secret. The timestamp is signed
 * too, so a captured request cannot be replayed later with a fresh `t`. Several v1 values
 * may appear (one per secret while a secret is rotated); one match is enough.
 */

export const SIGNATURE_HEADER = "X-Shiren-Signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookBody = string | Uint8Array;
export type VerifyFailure = "malformed-header" | "timestamp-outside-tolerance" | "signature-mismatch";
export type VerifyResult = { valid: true } | { valid: false; reason: VerifyFailure };

const asList = (secret: string | readonly string[]): readonly string[] => (typeof secret === "string" ? [secret] : secret);

function hmac(secret: string, timestamp: number, body: WebhookBody): Buffer {
  return createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for a body sent at `timestamp` (unix seconds); one v1 per secret. */
export function signWebhook(secret: string | readonly string[], timestamp: number, body: WebhookBody): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`timestamp must be whole unix seconds, got ${timestamp}`);
  const secrets = asList(secret);
  if (secrets.length === 0 || secrets.some((s) => s.length === 0)) throw new RangeError("a non-empty secret is required");
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${hmac(s, timestamp, body).toString("hex")}`)].join(",");
}

function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | null {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return null;
      signatures.push(Buffer.from(value, "hex"));
    }
    // Other schemes (a future v2, Stripe's v0) are ignored, so a receiver keeps working when one is added.
  }
  return timestamp === null || signatures.length === 0 ? null : { timestamp, signatures };
}

/**
 * Checks a header against the raw body exactly as received (parse the JSON after, never
 * re-serialize it first). The signature is checked before the time, so
 * "timestamp-outside-tolerance" always means a genuine but old (or replayed) request.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  header: string | null | undefined,
  body: WebhookBody,
  opts: { now?: Date; toleranceSeconds?: number } = {},
): VerifyResult {
  const parsed = header ? parseHeader(header) : null;
  if (!parsed) return { valid: false, reason: "malformed-header" };
  const expected = asList(secret).filter((s) => s.length > 0).map((s) => hmac(s, parsed.timestamp, body));
  // Every pair is compared (no early exit) in constant time: the time taken says nothing about which byte differed.
  let match = false;
  for (const want of expected) for (const got of parsed.signatures) match = timingSafeEqual(want, got) || match;
  if (!match) return { valid: false, reason: "signature-mismatch" };
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - parsed.timestamp) > (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return { valid: false, reason: "timestamp-outside-tolerance" };
  return { valid: true };
}
