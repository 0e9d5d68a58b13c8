import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { parseConfig, type Config } from "../../core/config";
import { createI18n, type Locale } from "../../core/i18n";
import { createLogger } from "../../core/logger";
import { startStandIn, type StandIn } from "../../core/telegram-stand-in/server";
import { startBot, type RunningBot } from "../../bot/main";
import { isolatedDb } from "./db";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env";
import { SellerSim } from "./seller-sim";
import { StandInClient } from "./stand-in-client";

const i18n = createI18n();
/** Expected texts come from the real locale files. */
export const t = (locale: Locale, key: string, args?: Record<string, string | number>) => i18n.t(locale, key, args);

export interface Harness {
  config: Config;
  standIn: StandIn;
  client: StandInClient;
  db: Awaited<ReturnType<typeof isolatedDb>>["db"];
  schema: string;
  bot: RunningBot;
  seller(userId: number, from?: { first_name?: string; language_code?: string }): SellerSim;
  /** Stops the bot abruptly (no graceful drain) and starts a new one on the same state. */
  restartBot(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A whole bot over real HTTP: the Bot API stand-in on a random port, PostgreSQL
 * in a schema of its own, Redis under a key prefix of its own, photos in a temp dir.
 */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const standIn = await startStandIn({ port: 0 });
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
    ...env,
  });
  const log = createLogger({ level: config.LOG_LEVEL, name: "test-bot" });
  // Worker processes are not spawned here; worker tests start them in-process (workers/main.ts).
  const start = () => startBot(config, log, { dbSchema: dbx.schema, migrate: false, workers: false });
  let bot = await start();
  const client = new StandInClient(standIn.url);
  const h: Harness = {
    config,
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
    async close() {
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
