import type { Redis } from "ioredis";
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";

/**
 * Telegram delivers an update again when its offset was not confirmed before a
 * crash; bot/polling.ts confirms only handled updates, so after a crash the
 * unfinished ones come back together with some finished ones. An update is marked
 * done only after it was handled: a redelivered unfinished update runs, a finished one is skipped.
 * Sequentialize runs before this, so one chat never sees the same id twice at once.
 */
export function dedupeUpdates(redis: Redis, prefix: string, ttlSeconds = 24 * 3600): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const key = `${prefix}:upd:${ctx.me.id}:${ctx.update.update_id}`;
    if (await redis.exists(key)) {
      ctx.log.info({ updateId: ctx.update.update_id }, "duplicate update skipped");
      return;
    }
    await next();
    await redis.set(key, "1", "EX", ttlSeconds);
  };
}
