import { Redis, type RedisOptions } from "ioredis";

/**
 * Two connection flavours (BullMQ docs, going-to-production):
 * - producers (the bot) fail fast while Redis is down, so a user gets an error
 *   instead of a hang: enableOfflineQueue false;
 * - workers wait for Redis to come back: maxRetriesPerRequest null.
 */
export function createRedis(url: string, kind: "producer" | "worker", extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    kind === "producer"
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 2 }
      : { maxRetriesPerRequest: null, enableOfflineQueue: true };
  return new Redis(url, {
    ...base,
    retryStrategy: (times) => Math.min(200 * 2 ** Math.min(times, 6), 5_000),
    ...extra,
  });
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
