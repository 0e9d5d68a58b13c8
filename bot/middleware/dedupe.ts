import type { Redis } from "ioredis";
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";

/**
 * Telegram may deliver an update again (after a crash, the offset was not yet
 * confirmed). An update is marked done only after it was handled, so a crash
 * mid-update lets the redelivery run it; a completed one is skipped.
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
