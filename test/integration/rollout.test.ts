import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PiiCrypto } from "../../core/crypto";
import { createDb, type Db } from "../../core/db/client";
import { setupDatabase } from "../../core/db/setup";
import { importSeller } from "../../core/verification/sellers";
import { parseConfig } from "../../core/config";
import { TEST_DATABASE_URL } from "../support/env";

/**
 * npm run rollout, as an operator runs it: a plan first, then waves written, reruns that
 * change nothing, new imports appended after the last wave, and bad arguments refused.
 * On a database of its own: the plan covers every never-verified seller in it.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const name = `shiren_rollout_${randomBytes(4).toString("hex")}`;
const url = (() => {
  const u = new URL(TEST_DATABASE_URL);
  u.pathname = `/${name}`;
  return u.toString();
})();
let db: Db;
const config = parseConfig({ DATABASE_URL: url });

beforeAll(async () => {
  await setupDatabase(url);
  db = createDb(url);
}, 60_000);
afterAll(async () => {
  await db?.$disconnect();
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const c = new pg.Client({ connectionString: admin.toString() });
  await c.connect();
  await c.query(`drop database if exists "${name}"`);
  await c.end();
});

const rollout = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "bot/cli/rollout.ts", ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, REDIS_PREFIX: `t${randomBytes(3).toString("hex")}` },
    encoding: "utf8",
  });

async function importShops(n: number, from: number): Promise<void> {
  const deps = { db, crypto: new PiiCrypto(config.PII_KEY), now: () => new Date() };
  for (let i = from; i < from + n; i++) await importSeller(deps, { shopId: `R${i}`, shopName: `Shop ${i}`, reservedPhone: "", riskFlags: [] }, { tokenTtlDays: 30 });
}

describe("npm run rollout", () => {
  it("prints the plan, writes waves, reruns idempotently, and appends new imports after the last wave", async () => {
    await importShops(25, 1);
    // One of them opened the bot already: the bot can message that one itself.
    await db.seller.update({ where: { shopId: "R1" }, data: { telegramUserId: 555_001n, telegramChatId: 555_001n } });
    // A verified seller is not invited.
    await db.seller.update({ where: { shopId: "R2" }, data: { status: "verified", lastVerifiedAt: new Date() } });

    const dry = rollout("--batch-size", "10", "--every", "1d", "--start", "2026-12-07T01:00:00Z", "--dry-run");
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("rollout plan (dry run: nothing is written)");
    expect(dry.stdout).toMatch(/wave\s+1\s+2026-12-07T01:00:00.000Z\s+10 sellers\s+\(1 in the bot, 9 by the marketplace's link\)\s+would be planned/);
    expect(dry.stdout).toMatch(/wave\s+3\s+2026-12-09T01:00:00.000Z\s+4 sellers/);
    expect(dry.stdout).toMatch(/expected peak: 1\.0 invitations\/s .* plus 0\.03 messages\/s of dialogs/);
    expect(await db.seller.count({ where: { rolloutWave: { not: null } } })).toBe(0);

    const real = rollout("--batch-size", "10", "--every", "1d", "--start", "2026-12-07T01:00:00Z");
    expect(real.status, real.stderr).toBe(0);
    expect(real.stdout).toContain("planned now");
    const waves = await db.seller.groupBy({ by: ["rolloutWave"], _count: { _all: true }, orderBy: { rolloutWave: "asc" } });
    expect(waves.map((w) => [w.rolloutWave, w._count._all])).toEqual([
      [1, 10],
      [2, 10],
      [3, 4],
      [null, 1],
    ]);

    const again = rollout("--batch-size", "10", "--every", "1d", "--start", "2026-12-07T01:00:00Z");
    expect(again.stdout).not.toContain("planned now");
    expect(again.stdout.match(/planned earlier/g)).toHaveLength(3);

    await importShops(3, 100);
    const more = rollout("--batch-size", "10", "--every", "1d");
    expect(more.stdout).toMatch(/wave\s+4\s+2026-12-10T01:00:00.000Z\s+3 sellers .* planned now/);
    expect(await db.seller.count({ where: { rolloutWave: 4 } })).toBe(3);
  }, 60_000);

  it("refuses a bad batch size or interval with a clear message, and writes nothing", () => {
    for (const args of [["--batch-size", "0", "--every", "1d"], ["--batch-size", "-5", "--every", "1d"], ["--batch-size", "10", "--every", "soon"], ["--every", "1d"]]) {
      const r = rollout(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/--batch-size must be a whole number|--every must look like/);
      expect(r.stderr).toContain("usage: npm run rollout");
    }
  });
});
