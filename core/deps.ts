import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Config } from "./config";
import { PiiCrypto } from "./crypto";
import { createDb, type Db } from "./db/client";
import { createVerifyQueue, type CheckJob } from "./jobs";
import type { Logger } from "./logger";
import { EncryptedFsPhotoStore, type PhotoStore } from "./photos/store";

/** What domain functions need; built once by each entry file and passed down. */
export interface CoreDeps {
  config: Config;
  db: Db;
  crypto: PiiCrypto;
  photos: PhotoStore;
  verifyQueue: Queue<CheckJob>;
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
  const verifyQueue = createVerifyQueue(opts.redis, config.REDIS_PREFIX);
  return {
    config,
    db,
    crypto,
    photos: new EncryptedFsPhotoStore({ dir: config.DATA_DIR, crypto }),
    verifyQueue,
    log,
    now: () => new Date(),
    async close() {
      await verifyQueue.close();
      await db.$disconnect();
    },
  };
}
