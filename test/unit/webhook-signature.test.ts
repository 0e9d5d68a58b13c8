import { describe, expect, it } from "vitest";
import { signWebhook, verifyWebhook } from "../../core/webhooks/signature";

const SECRET = "whsec_test_secret_0123";
const OTHER = "another_secret_456789";
const T = 1_700_000_000;
const BODY = '{"id":"e1","type":"seller.verified"}';
// Computed independently: printf '%s' '1700000000.<BODY>' | openssl dgst -sha256 -hmac <secret>
const V1 = "e825213e0cc38ce6043de4182e5f92cc19e2b4dfb2f19b1069612a0b1046e8df";
const V1_OTHER = "29ada5ab72731dc8d7da9fb908e46e3eae623933698177efa9b7be08ca1663ee";
const at = (unix: number) => ({ now: new Date(unix * 1000) });

describe("signWebhook", () => {
  it("writes t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>", () => {
    expect(signWebhook(SECRET, T, BODY)).toBe(`t=${T},v1=${V1}`);
    expect(signWebhook(SECRET, T, Buffer.from(BODY))).toBe(`t=${T},v1=${V1}`);
  });

  it("signs with every secret while one is rotated", () => {
    expect(signWebhook([SECRET, OTHER], T, BODY)).toBe(`t=${T},v1=${V1},v1=${V1_OTHER}`);
  });

  it("refuses a timestamp in milliseconds or an empty secret", () => {
    expect(() => signWebhook(SECRET, 1.5, BODY)).toThrow(/whole unix seconds/);
    expect(() => signWebhook("", T, BODY)).toThrow(/secret/);
  });
});

describe("verifyWebhook", () => {
  it("accepts a genuine header, with the body as a string or as bytes", () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY, at(T))).toEqual({ valid: true });
    expect(verifyWebhook(SECRET, header, Buffer.from(BODY), at(T + 10))).toEqual({ valid: true });
  });

  it("rejects a changed body, a changed timestamp and the wrong secret as a mismatch", () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY.replace("verified", "restricted"), at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
    expect(verifyWebhook(SECRET, header, BODY + "\n", at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
    expect(verifyWebhook(SECRET, `t=${T + 1},v1=${V1}`, BODY, at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
    expect(verifyWebhook(OTHER, header, BODY, at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
    expect(verifyWebhook(SECRET, `t=${T},v1=${V1.replace(/^e/, "f")}`, BODY, at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
  });

  it("accepts any of several v1 values, and any of several secrets (key rotation)", () => {
    const junk = "0".repeat(64);
    expect(verifyWebhook(SECRET, `t=${T},v1=${junk},v1=${V1}`, BODY, at(T))).toEqual({ valid: true });
    expect(verifyWebhook(OTHER, `t=${T},v1=${V1},v1=${V1_OTHER}`, BODY, at(T))).toEqual({ valid: true });
    expect(verifyWebhook([OTHER, SECRET], `t=${T},v1=${V1}`, BODY, at(T))).toEqual({ valid: true });
    expect(verifyWebhook(OTHER, `t=${T},v1=${V1},v1=${junk}`, BODY, at(T))).toEqual({ valid: false, reason: "signature-mismatch" });
  });

  it("ignores schemes it does not know and spaces around parts", () => {
    expect(verifyWebhook(SECRET, ` t=${T} , v0=abc, v1=${V1.toUpperCase()} `, BODY, at(T))).toEqual({ valid: true });
  });

  it("rejects a genuine but old or future-dated header outside the tolerance (300 s by default)", () => {
    const header = signWebhook(SECRET, T, BODY);
    expect(verifyWebhook(SECRET, header, BODY, at(T + 300))).toEqual({ valid: true });
    expect(verifyWebhook(SECRET, header, BODY, at(T - 300))).toEqual({ valid: true });
    expect(verifyWebhook(SECRET, header, BODY, at(T + 301))).toEqual({ valid: false, reason: "timestamp-outside-tolerance" });
    expect(verifyWebhook(SECRET, header, BODY, at(T - 301))).toEqual({ valid: false, reason: "timestamp-outside-tolerance" });
    expect(verifyWebhook(SECRET, header, BODY, { ...at(T + 3600), toleranceSeconds: 3600 })).toEqual({ valid: true });
    expect(verifyWebhook(SECRET, header, BODY, { ...at(T + 61), toleranceSeconds: 60 })).toEqual({ valid: false, reason: "timestamp-outside-tolerance" });
  });

  it("says a tampered old header is a mismatch, not merely old", () => {
    expect(verifyWebhook(SECRET, `t=${T},v1=${"1".repeat(64)}`, BODY, at(T + 10_000))).toEqual({ valid: false, reason: "signature-mismatch" });
  });

  it("calls anything not shaped t=<digits>,v1=<64 hex> malformed", () => {
    for (const header of [
      undefined,
      null,
      "",
      V1,
      `v1=${V1}`,
      `t=${T}`,
      `t=${T},v0=${V1}`,
      `t=abc,v1=${V1}`,
      `t=-5,v1=${V1}`,
      `t=${T}.5,v1=${V1}`,
      `t=${T},t=${T},v1=${V1}`,
      `t=${T},v1=${V1.slice(1)}`,
      `t=${T},v1=${V1.slice(0, 63)}z`,
      `t=${T};v1=${V1}`,
      `t=${T},v1`,
    ]) {
      expect(verifyWebhook(SECRET, header, BODY, at(T)), String(header)).toEqual({ valid: false, reason: "malformed-header" });
    }
  });
});
