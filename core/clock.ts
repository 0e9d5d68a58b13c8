import { Redis } from "ioredis";
import type { Logger } from "./logger";

/**
 * The core clock in sandbox mode: real time plus an offset that POST /sandbox/clock
 * moves forward, kept in Redis so the bot and every worker process read the same time
 * (a recheck 180 days on can be watched in seconds). Every process holds the offset in
 * memory; a move is published and reaches them at once, and each re-reads it every few
 * seconds in case a message was missed. Only sandbox mode (no BOT_TOKEN) builds one.
 */
export interface SandboxClock {
  now(): Date;
  offsetMs(): number;
  /** moves every process's clock forward; returns the new offset */
  advance(seconds: number): Promise<number>;
  /** called in this process after the clock moved (the staff process runs its sweep at once) */
  onMove(fn: (offsetMs: number) => void): void;
  close(): Promise<void>;
}

const REFRESH_MS = 5_000;

export async function sandboxClock(redisUrl: string, prefix: string, log?: Pick<Logger, "warn">): Promise<SandboxClock> {
  const key = `${prefix}:clock:offset-ms`;
  const channel = `${prefix}:clock`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
  for (const r of [redis, sub]) r.on("error", (err: Error) => log?.warn({ err: err.message }, "sandbox clock: redis connection error"));
  let offset = Number((await redis.get(key)) ?? 0);
  const listeners: ((o: number) => void)[] = [];
  const set = (o: number) => {
    if (o === offset) return;
    offset = o;
    for (const fn of listeners) fn(o);
  };
  await sub.subscribe(channel);
  sub.on("message", (_ch: string, msg: string) => set(Number(msg)));
  const timer = setInterval(() => {
    redis.get(key).then((v) => set(Number(v ?? 0)), () => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    now: () => new Date(Date.now() + offset),
    offsetMs: () => offset,
    async advance(seconds) {
      if (!Number.isFinite(seconds) || seconds <= 0) throw new Error("advance_seconds must be a positive number (the clock never goes back)");
      const next = await redis.incrby(key, Math.round(seconds * 1000));
      await redis.publish(channel, String(next));
      set(next);
      return next;
    },
    onMove(fn) {
      listeners.push(fn);
    },
    async close() {
      clearInterval(timer);
      redis.disconnect();
      sub.disconnect();
    },
  };
}
