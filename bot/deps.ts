import type { Redis } from "ioredis";
import type { Config } from "../core/config";
import { createCoreDeps, type CoreDeps } from "../core/deps";
import type { Logger } from "../core/logger";
import { createBotMetrics, watchQueues, type BotMetrics } from "../core/metrics";
import { createRedis, redisReady } from "../core/redis";

export interface BotDeps extends CoreDeps {
  redis: Redis;
  /** Bot API root for file downloads (the stand-in in sandbox mode) */
  apiRoot: string;
  token: string;
  /** this bot's own registry (updates, dialog steps, Bot API calls, queue depth) */
  metrics: BotMetrics;
  /** the Mini App's public origin: WEBAPP_URL, or the capture server's own address once it listens */
  webApp: { url: string | undefined };
  close(): Promise<void>;
}

export async function createDeps(
  config: Config,
  log: Logger,
  opts: { apiRoot: string; token: string; dbSchema?: string; now?: () => Date; metrics?: BotMetrics },
): Promise<BotDeps> {
  const redis = createRedis(config.REDIS_URL, "producer", log);
  await redisReady(redis);
  const core = createCoreDeps(config, log, { redis, dbSchema: opts.dbSchema });
  const metrics = opts.metrics ?? createBotMetrics();
  watchQueues(metrics.registry, [core.verifyQueue, core.staffQueue, core.notifyQueue], log);
  return {
    ...core,
    ...(opts.now ? { now: opts.now } : {}),
    redis,
    apiRoot: opts.apiRoot,
    token: opts.token,
    metrics,
    webApp: { url: config.WEBAPP_URL },
    async close() {
      await core.close();
      redis.disconnect();
    },
  };
}
