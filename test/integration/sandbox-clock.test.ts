import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBot, type RunningBot } from "../../bot/main";
import { parseConfig } from "../../core/config";
import { createLogger } from "../../core/logger";
import { startStandIn } from "../../sandbox/stand-in/server";
import { startStaffWorkers, type RunningStaffWorkers } from "../../workers/staff-main";
import { isolatedDb } from "../support/db";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../support/env";

/**
 * Sandbox mode's one clock: POST /sandbox/clock moves the bot's clock and every worker
 * process's, through Redis, so a newcomer can watch a recheck 180 days on in seconds.
 * The bot runs here exactly as `npm start` runs it without a token (its own stand-in).
 */

const DAY_S = 86_400;
let bot: RunningBot;
let staff: RunningStaffWorkers;
let db: Awaited<ReturnType<typeof isolatedDb>>;
let base: string;
const prefix = `t${randomBytes(4).toString("hex")}`;
const dataDir = mkdtempSync(join(tmpdir(), "shiren-clock-"));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  db = await isolatedDb();
  const port = await freePort();
  const config = parseConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    SANDBOX_PORT: String(port),
    METRICS_PORT: "0",
  });
  const log = createLogger({ level: "silent" });
  bot = await startBot(config, log, { dbSchema: db.schema, migrate: false, workers: false });
  base = `${bot.standIn!.url}/sandbox`;
  staff = await startStaffWorkers(config, log, { dbSchema: db.schema, apiRoot: bot.standIn!.url, sweepEveryMs: 3_600_000 });
}, 60_000);
afterAll(async () => {
  await staff?.close();
  await bot?.stop();
  const r = new Redis(TEST_REDIS_URL);
  const keys = await r.keys(`${prefix}:*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const clock = async (body?: unknown) => {
  const res = await fetch(`${base}/clock`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe("POST /sandbox/clock", () => {
  it("moves the clock of the bot and of every worker process, forward only", async () => {
    expect((await clock()).json).toMatchObject({ offset_seconds: 0, moved: false });
    const moved = await clock({ advance_seconds: 180 * DAY_S });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({ offset_seconds: 180 * DAY_S, moved: true });
    expect(Math.abs(new Date(moved.json.now as string).getTime() - (Date.now() + 180 * DAY_S * 1000))).toBeLessThan(5_000);
    const expected = () => Date.now() + 180 * DAY_S * 1000;
    expect(Math.abs(bot.deps.now().getTime() - expected())).toBeLessThan(2_000);
    // The staff process hears of it through Redis.
    for (let i = 0; i < 50 && Math.abs(staff.deps.now().getTime() - expected()) > 2_000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(Math.abs(staff.deps.now().getTime() - expected())).toBeLessThan(2_000);
    await clock({ advance_seconds: DAY_S });
    expect((await clock()).json).toMatchObject({ offset_seconds: 181 * DAY_S });
  });

  it("refuses a clock going back, or not a number, with a clear 400", async () => {
    for (const body of [{ advance_seconds: -60 }, { advance_seconds: 0 }, { advance_seconds: "1d" }, {}]) {
      const r = await clock(body);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(/advance_seconds must be a positive number of seconds/);
    }
  });

  it("a stand-in without a bot has no clock to move", async () => {
    const alone = await startStandIn({ port: 0 });
    try {
      const res = await fetch(`${alone.url}/sandbox/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"advance_seconds":60}' });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: string }).error).toMatch(/no clock here/);
    } finally {
      await alone.close();
    }
  });
});
