import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseConfig, type Config } from "../../core/config";
import { createI18n, type Locale } from "../../core/i18n";
import { createLogger } from "../../core/logger";
import { startStandIn, type FloodModelOptions, type StandIn } from "../../sandbox/stand-in/server";
import { sandboxProduct, startBot, type RunningBot } from "../../bot/main";
import { startWorkers, type RunningWorkers } from "../../workers/main";
import { startStaffWorkers, type RunningStaffWorkers } from "../../workers/staff-main";
import { sweep, type SweepSummary } from "../../workers/jobs/sweep";
import { GroupSim } from "./staff-sim";
import { isolatedDb } from "./db";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env";
import { SellerSim } from "./seller-sim";
import { StandInClient } from "./stand-in-client";

const i18n = createI18n();
/** Expected texts come from the real locale files. */
export const t = (locale: Locale, key: string, args?: Record<string, string | number>) => i18n.t(locale, key, args);

/** One clock for the bot and the workers of a harness, which a test can move forward. */
export interface TestClock {
  now(): Date;
  advance(ms: number): void;
}

export interface Harness {
  config: Config;
  clock: TestClock;
  /** the staff process (staff group posts, decisions, the sweep), when started with `staff: true` */
  staff?: RunningStaffWorkers;
  /** a verification worker with the real models, when started with `verify: true` */
  workers?: RunningWorkers;
  /** the staff group (STAFF_CHAT_ID), with the bot in it as an administrator */
  group?: GroupSim;
  /** one run of the minute sweep, now, on the harness clock */
  sweep(): Promise<SweepSummary>;
  standIn: StandIn;
  client: StandInClient;
  db: Awaited<ReturnType<typeof isolatedDb>>["db"];
  schema: string;
  bot: RunningBot;
  seller(userId: number, from?: { first_name?: string; language_code?: string }): SellerSim;
  /** Stops the bot abruptly (no graceful drain) and starts a new one on the same state. */
  restartBot(): Promise<void>;
  /**
   * Forgets every enrolled face and every photo's hash: the gesture fixtures all show one man, so without
   * it the duplicate-identity and replay checks would find an earlier test's seller.
   */
  forgetFacesAndPhotos(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A whole bot over real HTTP: the Bot API stand-in on a random port, PostgreSQL
 * in a schema of its own, Redis under a key prefix of its own, photos in a temp dir.
 */
export async function startHarness(
  env: Record<string, string> = {},
  opts: { staff?: boolean; verify?: boolean; logTo?: (line: string) => void; floodModel?: FloodModelOptions } = {},
): Promise<Harness> {
  const standIn = await startStandIn({ port: 0, floodModel: opts.floodModel });
  let offset = 0;
  const clock: TestClock = { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
  const dbx = await isolatedDb();
  const dataDir = mkdtempSync(join(tmpdir(), "shiren-test-"));
  const config = parseConfig({
    NODE_ENV: "test",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `t${randomBytes(4).toString("hex")}`,
    DATA_DIR: dataDir,
    TELEGRAM_API_ROOT: standIn.url,
    // Scripted sellers answer in milliseconds; the flood test sets the real limit.
    RATE_LIMIT_PER_SECOND: "1000",
    // ... and the bot answers them as fast (the Telegram budget is tested on its own, and by the benches).
    TELEGRAM_MESSAGES_PER_SECOND: "10000",
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1000",
    // /healthz, /readyz and /metrics of the bot and each worker on a free port (RunningBot.metrics.url, ...).
    METRICS_PORT: "0",
    // The Mini App's capture server on a free port too (the camera button points at it).
    WEBAPP_PORT: "0",
    ...env,
  });
  // logTo: a test reads every log line (the plaintext scan); the level comes from LOG_LEVEL then.
  const destination = opts.logTo ? { write: (line: string) => opts.logTo!(line) } : undefined;
  const log = createLogger({ level: config.LOG_LEVEL, name: "test-bot", destination });
  const client = new StandInClient(standIn.url);
  let group: GroupSim | undefined;
  if (config.STAFF_CHAT_ID !== undefined) {
    await client.setBotStatus(config.STAFF_CHAT_ID, "administrator", { title: "Shiren staff", ...(config.ADMIN_TELEGRAM_IDS[0] ? { from: config.ADMIN_TELEGRAM_IDS[0] } : {}) });
    group = new GroupSim(client, config.STAFF_CHAT_ID);
  }
  // Worker processes are not spawned here: the workers a test asks for run in-process, on the same clock.
  const start = async () => {
    const b = await startBot(config, log, { dbSchema: dbx.schema, migrate: false, workers: false, now: clock.now });
    // What npm start lends its own stand-in: the web sandbox's panel and shop import.
    standIn.state.product = sandboxProduct(b.deps);
    return b;
  };
  let bot = await start();
  const workerLog = createLogger({ level: config.LOG_LEVEL, name: "test-worker", destination });
  const staff = opts.staff ? await startStaffWorkers(config, workerLog, { dbSchema: dbx.schema, apiRoot: standIn.url, now: clock.now, sweepEveryMs: 3_600_000 }) : undefined;
  const workers = opts.verify ? await startWorkers(config, workerLog, { dbSchema: dbx.schema, apiRoot: standIn.url, now: clock.now }) : undefined;
  const h: Harness = {
    config,
    clock,
    staff,
    workers,
    group,
    async sweep() {
      if (!staff) throw new Error("sweep(): start the harness with { staff: true }");
      return sweep(staff.deps);
    },
    standIn,
    client,
    db: dbx.db,
    schema: dbx.schema,
    get bot() {
      return bot;
    },
    seller: (userId, from) => new SellerSim(client, userId, from),
    async restartBot() {
      await bot.stop();
      bot = await start();
    },
    async forgetFacesAndPhotos() {
      await dbx.db.faceBucket.deleteMany({});
      await dbx.db.photo.updateMany({ data: { phash: null, phashC0: null, phashC1: null, phashC2: null, phashC3: null } });
    },
    async close() {
      await workers?.close();
      await staff?.close();
      await bot.stop();
      const { Redis } = await import("ioredis");
      const r = new Redis(TEST_REDIS_URL);
      const keys = await r.keys(`${config.REDIS_PREFIX}:*`);
      if (keys.length) await r.del(...keys);
      r.disconnect();
      await dbx.drop();
      await standIn.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
