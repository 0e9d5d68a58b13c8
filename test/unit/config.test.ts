import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../core/config";

const KEY = Buffer.alloc(32, 1).toString("base64");

describe("parseConfig", () => {
  it("gives development safe defaults and sandbox mode without a token", () => {
    const c = parseConfig({});
    expect(c.sandbox).toBe(true);
    expect(c.CHALLENGE_TTL_SECONDS).toBe(300);
    expect(c.PII_KEY[0]!.key).toHaveLength(32);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("lists every bad key in one error", () => {
    try {
      parseConfig({ DATABASE_URL: "mysql://x", REDIS_URL: "http://x", CHALLENGE_TTL_SECONDS: "5", ADMIN_TELEGRAM_IDS: "12,abc", BOT_TOKEN: "nope" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const keys = (err as ConfigError).problems.map((p) => p.split(":")[0]!.split(".")[0]);
      expect(keys).toEqual(expect.arrayContaining(["DATABASE_URL", "REDIS_URL", "CHALLENGE_TTL_SECONDS", "ADMIN_TELEGRAM_IDS", "BOT_TOKEN"]));
    }
  });

  it("refuses production without a real key and token", () => {
    expect(() => parseConfig({ NODE_ENV: "production" })).toThrow(/PII_KEY: is required with a real BOT_TOKEN[\s\S]*BOT_TOKEN: is required in production/);
    expect(() => parseConfig({ NODE_ENV: "production", BOT_TOKEN: "123:abcdefghijklmnopqrstuvwxyz", PII_KEY: Buffer.alloc(32, 7).toString("base64") })).toThrow(
      /development key/,
    );
    const c = parseConfig({ NODE_ENV: "production", BOT_TOKEN: "123:abcdefghijklmnopqrstuvwxyz", PII_KEY: `k2:${KEY},k1:${KEY}` });
    expect(c.sandbox).toBe(false);
    expect(c.PII_KEY.map((k) => k.id)).toEqual(["k2", "k1"]);
  });

  it("refuses any real BOT_TOKEN without a key of its own, whatever NODE_ENV says; sandbox and tests keep the default", () => {
    for (const NODE_ENV of ["development", "test", "sandbox", "production"]) {
      expect(() => parseConfig({ NODE_ENV, BOT_TOKEN: "123:abcdefghijklmnopqrstuvwxyz" }), NODE_ENV).toThrow(/PII_KEY: is required with a real BOT_TOKEN; generate one with: PII_KEY="k1:\$\(openssl rand -base64 32\)"/);
      expect(() => parseConfig({ NODE_ENV, BOT_TOKEN: "123:abcdefghijklmnopqrstuvwxyz", PII_KEY: Buffer.alloc(32, 7).toString("base64") }), NODE_ENV).toThrow(
        /development key, which is public/,
      );
    }
    expect(parseConfig({ NODE_ENV: "test" }).PII_KEY[0]!.id).toBe("dev");
    expect(parseConfig({ NODE_ENV: "development", BOT_TOKEN: "123:abcdefghijklmnopqrstuvwxyz", PII_KEY: `k1:${KEY}` }).sandbox).toBe(false);
  });

  it("rejects keys of the wrong length", () => {
    expect(() => parseConfig({ PII_KEY: Buffer.alloc(16).toString("base64") })).toThrow(/32 bytes/);
  });
});
