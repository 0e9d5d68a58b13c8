import type { Redis } from "ioredis";
import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";

/**
 * Per-user token bucket in Redis (one atomic round trip, shared by all bot
 * processes): `burst` updates at once, then `perSecond` sustained. A person, or a
 * script that waits for each answer, never notices it; a flood (50 messages in a
 * second) gets `burst` answers, the rest is dropped, and one polite notice per
 * `noticeSeconds` tells the user why.
 */
const TAKE = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local ts = tonumber(redis.call('HGET', KEYS[1], 'ts'))
local now = tonumber(ARGV[1]); local rate = tonumber(ARGV[2]); local burst = tonumber(ARGV[3])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', KEYS[1], 't', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
if allowed == 0 and redis.call('SET', KEYS[2], '1', 'EX', ARGV[4], 'NX') then return 2 end
return allowed
`;

type WithTake = Redis & { shirenTakeToken(...args: (string | number)[]): Promise<number> };

export function rateLimit(redis: Redis, prefix: string, opts: { perSecond: number; burst: number; noticeSeconds?: number }): MiddlewareFn<BotContext> {
  // defineCommand runs the script by its SHA (EVALSHA), not by sending its source every time.
  if (!("shirenTakeToken" in redis)) redis.defineCommand("shirenTakeToken", { numberOfKeys: 2, lua: TAKE });
  const r2 = redis as WithTake;
  return async (ctx, next) => {
    const user = ctx.from?.id;
    if (user === undefined) return next();
    const r = await r2.shirenTakeToken(
      `${prefix}:rl:${user}`,
      `${prefix}:rl-notice:${user}`,
      Date.now(),
      opts.perSecond,
      opts.burst,
      opts.noticeSeconds ?? 10,
    );
    if (r === 1) return next();
    if (r === 2 && ctx.chat) await ctx.api.sendMessage(ctx.chat.id, ctx.t("common-rate-limited"));
  };
}
