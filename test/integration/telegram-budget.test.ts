import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TelegramBudget, type BudgetOptions } from "../../core/telegram-budget";
import { TEST_REDIS_URL } from "../support/env";

/**
 * The outgoing budget against real Redis: the pace it grants sends at, measured on the
 * grant times. Small rates keep it quick; the same code paces 30/s in production
 * (npm run bench:broadcast measures that against the stand-in's flood model).
 */

let redis: Redis;
beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis.quit();
});

const OPTS: BudgetOptions = {
  perSecond: 40,
  chatPerSecond: 100,
  chatBurst: 3,
  groupPerMinute: 20,
  groupBurst: 20,
  broadcastShare: 0.25,
  activeWindowMs: 10_000,
};
const budget = (opts: Partial<BudgetOptions> = {}) => new TelegramBudget(redis, `test:budget:${randomUUID()}`, { ...OPTS, ...opts });

/** Grant times (ms since the start) of acquires started together. */
async function grants(b: TelegramBudget, sends: ReadonlyArray<{ chat: number; kind: "interactive" | "broadcast" }>): Promise<number[]> {
  const t0 = performance.now();
  return Promise.all(sends.map(async (s) => (await b.acquire(s.chat, s.kind), performance.now() - t0)));
}

/** The most grants inside any window of `ms`. */
function busiest(times: readonly number[], ms = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < sorted.length; j++) {
    while (sorted[j]! - sorted[i]! >= ms) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

const chats = (n: number, kind: "interactive" | "broadcast", from = 1) => Array.from({ length: n }, (_, i) => ({ chat: from + i, kind }));

describe("the Telegram budget", () => {
  it("never grants more than the bot's allowance in any one second, however many chats ask at once; first come, first served, one Redis call each", async () => {
    let calls = 0; // the budget's script, counted where the budget reaches for it
    const counted = new Proxy(redis, {
      get(target, p) {
        if (p === "shirenBudgetAcquire") calls++;
        const v: unknown = Reflect.get(target, p, target);
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
    const times = await grants(new TelegramBudget(counted, `test:budget:${randomUUID()}`, OPTS), chats(110, "interactive"));
    expect(busiest(times)).toBeLessThanOrEqual(OPTS.perSecond);
    // 110 sends at 95 % of 40/s take about 3 s: the budget paces, it does not drop.
    expect(Math.max(...times)).toBeGreaterThan(2_400);
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]! - 5);
    expect(calls).toBe(110);
  });

  it("paces one private chat at its own rate after a short burst", async () => {
    const times = (await grants(budget({ chatPerSecond: 5 }), chats(1, "interactive").flatMap((c) => Array(8).fill(c)))).sort((a, b) => a - b);
    expect(times[2]).toBeLessThan(150); // the burst of 3 (an acknowledgement and the next prompt) goes at once
    const rate = 5 * 0.95;
    for (let k = 3; k < times.length; k++) expect(times[k]).toBeGreaterThanOrEqual(((k - 2) / rate) * 1000 * 0.9);
  });

  it("paces a group per minute, apart from private chats", async () => {
    const b = budget({ groupPerMinute: 600, groupBurst: 2 });
    const times = (await grants(b, [...Array(5).fill({ chat: -1001, kind: "interactive" as const })])).sort((a, b) => a - b);
    expect(times[1]).toBeLessThan(150);
    expect(times[4]).toBeGreaterThanOrEqual((3 / 9.5) * 1000 * 0.9); // 600/min at 95 %: 9.5/s
    const [privateChat] = await grants(b, chats(1, "interactive", 7));
    expect(privateChat).toBeLessThan(150);
  });

  it("gives broadcasts only BROADCAST_SHARE while dialogs are live, and dialogs go through meanwhile", async () => {
    const b = budget();
    await b.acquire(999, "interactive"); // a live dialog: broadcasts get 25 % of 38/s, 9.5/s
    const t0 = performance.now();
    const broadcast = grants(b, chats(27, "broadcast", 1_000));
    await new Promise((r) => setTimeout(r, 300));
    const dialog = await grants(b, chats(10, "interactive", 2_000)); // ten sellers answer while it runs
    const reminders = await broadcast;
    expect(Math.max(...reminders)).toBeGreaterThan(1_500); // 27 at 9.5/s after a burst of 9.5: about 1.8 s
    expect(busiest(reminders)).toBeLessThanOrEqual(Math.ceil(9.5 + 9.5));
    expect(Math.max(...dialog)).toBeLessThan(1_000); // the dialogs were not queued behind the reminders
    expect(performance.now() - t0).toBeGreaterThan(Math.max(...dialog) + 300);
  });

  it("never lets a broadcast take a moment a dialog is waiting for", async () => {
    const b = budget();
    const dialogs = grants(b, chats(60, "interactive")); // the schedule is full for about 1.5 s
    await new Promise((r) => setTimeout(r, 20));
    const [reminder] = await grants(b, chats(1, "broadcast", 500));
    const dialog = await dialogs;
    expect(reminder! + 20).toBeGreaterThanOrEqual(Math.max(...dialog) - 30);
  });

  it("lets broadcasts use the whole budget when no dialog is live", async () => {
    const times = await grants(budget(), chats(27, "broadcast"));
    expect(Math.max(...times)).toBeLessThan(1_500); // 38/s, not 9.5/s
  });

  it("pauses every send, in every chat, for retry_after after a 429; other methods go on", async () => {
    const b = budget();
    const calls: string[] = [];
    const transformer = b.transformer("interactive");
    const prev = vi.fn(async (method: string) => {
      calls.push(method);
      return method === "sendMessage" && calls.length === 1
        ? { ok: false as const, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }
        : { ok: true as const, result: true };
    });
    const call = (method: string, chat: number) => transformer(prev as never, method as never, { chat_id: chat } as never);
    const first = await call("sendMessage", 1);
    expect(first).toMatchObject({ ok: false, error_code: 429 });
    const t0 = performance.now();
    await call("answerCallbackQuery", 2);
    expect(performance.now() - t0).toBeLessThan(150);
    await call("sendMessage", 3);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it("sends without the budget when Redis does not answer, and says so", async () => {
    const dead = new Redis("redis://127.0.0.1:1", { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on("error", () => undefined);
    const warn = vi.fn();
    try {
      const t0 = performance.now();
      await new TelegramBudget(dead, "test:budget:dead", OPTS, { warn }).acquire(1, "interactive");
      expect(performance.now() - t0).toBeLessThan(1_500);
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(String) }), expect.stringContaining("sending without it"));
    } finally {
      dead.disconnect();
    }
  });
});
