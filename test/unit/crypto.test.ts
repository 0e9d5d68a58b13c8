import { describe, expect, it } from "vitest";
import { PiiCrypto } from "../../core/crypto";

const k = (n: number) => Buffer.alloc(32, n);

describe("PiiCrypto", () => {
  it("seals and opens, bound to its AAD", () => {
    const c = new PiiCrypto([{ id: "k1", key: k(1) }]);
    const blob = c.seal("11010519491231002X", "identity:a");
    expect(blob.toString("latin1")).not.toContain("11010519491231002X");
    expect(c.openText(blob, "identity:a")).toBe("11010519491231002X");
    expect(() => c.open(blob, "identity:b")).toThrow();
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => c.open(tampered, "identity:a")).toThrow();
  });

  it("rotates keys: new data under the first key, old data still opens, lookups stay stable", () => {
    const old = new PiiCrypto([{ id: "k1", key: k(1) }]);
    const rotated = new PiiCrypto([
      { id: "k2", key: k(2) },
      { id: "k1", key: k(1) },
    ]);
    const blob = old.seal("x");
    expect(rotated.openText(blob)).toBe("x");
    expect(rotated.keyId).toBe("k2");
    expect(rotated.hmac("phone", "+8613800138000")).toEqual(old.hmac("phone", "+8613800138000"));
    expect(() => new PiiCrypto([{ id: "k3", key: k(3) }]).open(blob)).toThrow(/k1/);
  });

  it("separates HMAC domains and issues unguessable tokens", () => {
    const c = new PiiCrypto([{ id: "k1", key: k(1) }]);
    expect(c.hmac("phone", "1")).not.toEqual(c.hmac("id:cn", "1"));
    const a = c.newToken();
    const b = c.newToken();
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(c.sameDigest(a.digest, c.hmac("token", a.token))).toBe(true);
  });
});
