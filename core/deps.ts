import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "./config";
import { PiiCrypto } from "./crypto";
import { createDb, type Db } from "./db/client";
import {
  createNotifyQueue,
  createRemindQueue,
  createStaffQueue,
  createVerifyQueue,
  type CheckJob,
  type DeliverDecisionJob,
  type ReminderJob,
  type StaffJob,
  createWebhookQueue,
  type WebhookJob,
} from "./jobs";
import type { Logger } from "./logger";
import { EncryptedFsPhotoStore, type PhotoStore } from "./photos/store";
import { TelegramBudget, budgetOptions } from "./telegram-budget";

/** What domain functions need; built once by each entry file and passed down. */
export interface CoreDeps {
  config: Config;
  db: Db;
  crypto: PiiCrypto;
  photos: PhotoStore;
  verifyQueue: Queue<CheckJob>;
  staffQueue: Queue<StaffJob>;
  notifyQueue: Queue<DeliverDecisionJob>;
  remindQueue: Queue<ReminderJob>;
  webhookQueue: Queue<WebhookJob>;
  /** the outgoing Telegram budget every process sends through (core/telegram-budget.ts) */
  budget: TelegramBudget;
  log: Logger;
  /** injectable clock for tests */
  now: () => Date;
}

/** The deps both processes share, on a Redis connection of the caller's kind (see core/redis.ts). */
export function createCoreDeps(
  config: Config,
  log: Logger,
  opts: { redis: Redis; dbSchema?: string; dbPoolMax?: number },
): CoreDeps & { close(): Promise<void> } {
  const db = createDb(config.DATABASE_URL, { schema: opts.dbSchema, max: opts.dbPoolMax });
  const crypto = new PiiCrypto(config.PII_KEY);
  const retry = { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS };
  const verifyQueue = createVerifyQueue(opts.redis, config.REDIS_PREFIX, retry);
  const staffQueue = createStaffQueue(opts.redis, config.REDIS_PREFIX);
  const notifyQueue = createNotifyQueue(opts.redis, config.REDIS_PREFIX, retry);
  const remindQueue = createRemindQueue(opts.redis, config.REDIS_PREFIX, retry);
  const webhookQueue = createWebhookQueue(opts.redis, config.REDIS_PREFIX);
  return {
    config,
    db,
    crypto,
    photos: new EncryptedFsPhotoStore({ dir: config.DATA_DIR, crypto }),
    verifyQueue,
    staffQueue,
    notifyQueue,
    remindQueue,
    webhookQueue,
    budget: new TelegramBudget(opts.redis, config.REDIS_PREFIX, budgetOptions(config), log),
    log,
    now: () => new Date(),
    async close() {
      await Promise.all([verifyQueue.close(), staffQueue.close(), notifyQueue.close(), remindQueue.close(), webhookQueue.close()]);
      await db.$disconnect();
    },
  };
}
