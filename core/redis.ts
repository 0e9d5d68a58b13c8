import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger";

/**
 * Two connection flavours (BullMQ docs, going-to-production):
 * - producers (the bot) fail fast while Redis is down, so a user gets an error
 *   instead of a hang: enableOfflineQueue false;
 * - workers wait for Redis to come back: maxRetriesPerRequest null.
 */
export function createRedis(url: string, kind: "producer" | "worker", log?: Pick<Logger, "warn">): Redis {
  const base: RedisOptions =
    kind === "producer"
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 2 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  const redis = new Redis(url, {
    ...base,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 5_000),
  });
  // Without a listener ioredis prints every failed reconnect as an "unhandled error event".
  redis.on("error", (err: Error) => log?.warn({ err: err.message, kind }, "redis connection error; reconnecting"));
  return redis;
}

/** Resolves once the connection is ready (a producer with no offline queue must not be used before). */
export async function redisReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    redis.once("ready", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
