import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "./config";
import { PiiCrypto } from "./crypto";
import { createDb, type Db } from "./db/client";
import { createNotifyQueue, createStaffQueue, createVerifyQueue, type CheckJob, type DeliverDecisionJob, type StaffJob } from "./jobs";
import type { Logger } from "./logger";
import { EncryptedFsPhotoStore, type PhotoStore } from "./photos/store";

/** What domain functions need; built once by each entry file and passed down. */
export interface CoreDeps {
  config: Config;
  db: Db;
  crypto: PiiCrypto;
  photos: PhotoStore;
  verifyQueue: Queue<CheckJob>;
  staffQueue: Queue<StaffJob>;
  notifyQueue: Queue<DeliverDecisionJob>;
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
  return {
    config,
    db,
    crypto,
    photos: new EncryptedFsPhotoStore({ dir: config.DATA_DIR, crypto }),
    verifyQueue,
    staffQueue,
    notifyQueue,
    log,
    now: () => new Date(),
    async close() {
      await Promise.all([verifyQueue.close(), staffQueue.close(), notifyQueue.close()]);
      await db.$disconnect();
    },
  };
}
