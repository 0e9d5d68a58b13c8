import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { PiiCrypto } from "../../core/crypto";
import { parseConfig } from "../../core/config";
import { createDb } from "../../core/db/client";
import { TEST_DATABASE_URL } from "../support/env";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const db = createDb(TEST_DATABASE_URL);
afterAll(() => db.$disconnect());

describe("npm run sellers:import", () => {
  it("creates sellers with sealed phones and prints one single-use deep link per shop", () => {
    const shop = `cli-${Date.now()}`;
    const dir = mkdtempSync(join(tmpdir(), "import-"));
    const csv = join(dir, "sellers.csv");
    writeFileSync(csv, `shop_id,shop_name,reserved_phone,risk_flags\n${shop},Tea House,13800138000,chargebacks\n`);
    const run = () =>
      execFileSync(process.execPath, ["--import", "tsx", "bot/cli/sellers-import.ts", csv], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, BOT_USERNAME: "shiren_test_bot", LOG_LEVEL: "silent" },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    const out = run();
    const m = new RegExp(`^${shop}\\thttps://t\\.me/shiren_test_bot\\?start=([A-Za-z0-9_-]{24})$`, "m").exec(out);
    expect(m, out).not.toBeNull();
    const again = run();
    expect(again).not.toContain(m![1]!); // a new link replaces the old one while the shop is unbound
    return db.seller.findUniqueOrThrow({ where: { shopId: shop } }).then((s) => {
      expect(s.riskFlags).toEqual(["chargebacks"]);
      expect(s.reservedPhoneMask).toMatch(/^\+86 138\*+8000$/);
      expect(new PiiCrypto(parseConfig({}).PII_KEY).openText(s.reservedPhoneEnc!, "phone")).toBe("+8613800138000");
      expect(Buffer.from(s.reservedPhoneEnc!).toString("latin1")).not.toContain("13800138000");
    });
  }, 60_000);
});
