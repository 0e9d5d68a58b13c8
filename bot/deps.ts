import type { Redis } from "ioredis";
import type { Config } from "../core/config";
import { PiiCrypto } from "../core/crypto";
import type { CoreDeps } from "../core/deps";
import { createDb } from "../core/db/client";
import { createVerifyQueue } from "../core/jobs";
import type { Logger } from "../core/logger";
import { EncryptedFsPhotoStore } from "../core/photos/store";
import { createRedis, redisReady } from "../core/redis";

export interface BotDeps extends CoreDeps {
  redis: Redis;
  /** Bot API root for file downloads (the stand-in in sandbox mode) */
  apiRoot: string;
  token: string;
  close(): Promise<void>;
}

export async function createDeps(config: Config, log: Logger, opts: { apiRoot: string; token: string; dbSchema?: string }): Promise<BotDeps> {
  const redis = createRedis(config.REDIS_URL, "producer");
  await redisReady(redis);
  const db = createDb(config.DATABASE_URL, { schema: opts.dbSchema });
  const crypto = new PiiCrypto(config.PII_KEY);
  const verifyQueue = createVerifyQueue(redis, config.REDIS_PREFIX);
  return {
    config,
    db,
    crypto,
    photos: new EncryptedFsPhotoStore({ dir: config.DATA_DIR, crypto }),
    verifyQueue,
    log,
    now: () => new Date(),
    redis,
    apiRoot: opts.apiRoot,
    token: opts.token,
    async close() {
      await verifyQueue.close();
      await db.$disconnect();
      redis.disconnect();
    },
  };
}
