import type { Transformer } from "grammy";
import type { Redis } from "ioredis";
import type { Logger } from "./logger";

/**
 * One outgoing budget for the whole bot, across processes: Telegram allows a bot about
 * 30 messages a second, about 1 a second in one private chat and 20 a minute in a group,
 * and answers 429 beyond that. Every send and edit reserves its moment first, in Redis,
 * on the bot's schedule and its chat's (GCRA: each schedule is one timestamp), and then
 * sleeps until that moment: one Redis call per send, first come first served, no polling.
 *
 * Dialogs go first. A dialog's send (interactive) reserves the next free moment, however
 * far ahead. A reminder or invitation (broadcast) takes a moment only when one is free
 * right now, so it never stands in a dialog's way; it asks again when the schedule says.
 * While sellers are in live dialogs (an interactive send in the last few seconds) broadcasts
 * are also held to BROADCAST_SHARE of the rate; with no dialog live they may use it all.
 * A 429 pauses the whole budget for retry_after.
 *
 * Installed as a grammY API transformer, inside auto-retry, so a retry takes a moment too.
 * If Redis does not answer, the send goes ahead (logged): a message late or lost for want
 * of a token would be worse than a rare 429, which auto-retry absorbs.
 */

export type SendKind = "interactive" | "broadcast";

export interface BudgetOptions {
  perSecond: number;
  chatPerSecond: number;
  /** sends a private chat may have in a row before the 1/s pace applies (a prompt after an acknowledgement) */
  chatBurst: number;
  groupPerMinute: number;
  groupBurst: number;
  broadcastShare: number;
  /** how long after an interactive send dialogs count as live */
  activeWindowMs: number;
}

/** Methods that post or change a message in a chat: the ones Telegram's limits count. */
export const BUDGETED_METHODS: ReadonlySet<string> = new Set([
  "sendMessage", "sendPhoto", "sendDocument", "sendSticker", "sendVideo", "sendAnimation", "sendVoice", "sendAudio", "sendMediaGroup",
  "copyMessage", "forwardMessage", "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
]);

// GCRA: a schedule is its theoretical arrival time T (ms); a send may go at max(now, T - tau),
// and moves T to max(T, now) + interval. tau = (burst - 1) * interval.
// KEYS: global T, chat T, broadcast T, paused-until, interactive-at.
// ARGV: now, mode, global interval, global tau, chat interval, chat tau, broadcast interval, active window.
// mode "i": a dialog's send. Reserves its chat's moment; when that is now, the bot's too.
//   Returns {wait ms, 1} when the chat's moment is later (then ask again with "g" at that moment), else {wait ms, 0}.
// mode "g": the bot's moment for a dialog's send whose chat moment has come. Returns {wait ms, 0}.
// mode "b": a broadcast. Takes the chat's, the bot's and (dialogs live) the share's moment if all are
//   free now: {0, 0}; else takes nothing: {ms until worth asking again, 0}.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local mode = ARGV[2]
local gI, gTau, cI, cTau = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local window = tonumber(ARGV[8])
local base = math.max(now, tonumber(redis.call('GET', KEYS[4]) or '0'))
local function tat(key) return tonumber(redis.call('GET', key) or '0') end
local function take(key, t, interval, from)
  local nt = math.max(t, from) + interval
  redis.call('SET', key, nt, 'PX', math.ceil(nt - now) + 1000)
end
if mode == 'b' then
  if base > now then return {base - now, 0} end
  local tg, tc = tat(KEYS[1]), tat(KEYS[2])
  local wait = math.max(0, tg - gTau - now, tc - cTau - now)
  local live = now - tonumber(redis.call('GET', KEYS[5]) or '0') < window
  local bI, tb = tonumber(ARGV[7]), 0
  if live then
    tb = tat(KEYS[3])
    wait = math.max(wait, tb - now)
  end
  if wait > 0 then return {math.ceil(wait), 0} end
  take(KEYS[1], tg, gI, now)
  take(KEYS[2], tc, cI, now)
  if live then take(KEYS[3], tb, bI, now) end
  return {0, 0}
end
redis.call('SET', KEYS[5], now, 'PX', window)
if mode == 'i' then
  local tc = tat(KEYS[2])
  local at = math.max(base, tc - cTau)
  take(KEYS[2], tc, cI, base)
  if at > now then return {math.ceil(at - now), 1} end
end
local tg = tat(KEYS[1])
local at = math.max(base, tg - gTau)
take(KEYS[1], tg, gI, base)
return {math.ceil(at - now), 0}
`;

type WithAcquire = Redis & {
  shirenBudgetAcquire(k1: string, k2: string, k3: string, k4: string, k5: string, ...argv: (string | number)[]): Promise<[number, number]>;
};

const TIMEOUT_MS = 1_000;
/**
 * The schedules run at 95% of the allowance: a send reaches Telegram a little later or
 * sooner than it was granted here, and a pace at the exact limit would meet a 429 now and
 * then. The bot's schedule allows a burst of only the other 5% (1.5 sends of 30), so no
 * second ever carries more than the allowance, however many chats wait: 1.5 + 28.5 = 30.
 */
const SAFETY = 0.95;
const sleep = (ms: number): Promise<unknown> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

export class TelegramBudget {
  private readonly redis: WithAcquire;
  /** This process's last 429: moments reserved before it are held until it is over. */
  private pausedUntil = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly opts: BudgetOptions,
    private readonly log?: Pick<Logger, "warn">,
  ) {
    if (!("shirenBudgetAcquire" in redis)) redis.defineCommand("shirenBudgetAcquire", { numberOfKeys: 5, lua: ACQUIRE });
    this.redis = redis as WithAcquire;
  }

  private key(part: string): string {
    return `${this.prefix}:budget:gcra:${part}`;
  }

  private ask(chatId: number | string | undefined, mode: "i" | "g" | "b"): Promise<[number, number]> {
    const group = typeof chatId === "string" ? !/^\d+$/.test(chatId) : chatId !== undefined && chatId < 0;
    const o = this.opts;
    const g = 1000 / (o.perSecond * SAFETY);
    const c = group ? 60_000 / (o.groupPerMinute * SAFETY) : 1000 / (o.chatPerSecond * SAFETY);
    const cBurst = group ? o.groupBurst : o.chatBurst;
    return withTimeout(
      this.redis.shirenBudgetAcquire(
        this.key("global"),
        this.key(`chat:${chatId ?? "-"}`),
        this.key("broadcast"),
        this.key("paused-until"),
        this.key("interactive-at"),
        Date.now(),
        mode,
        g,
        g * (Math.max(1, o.perSecond * (1 - SAFETY)) - 1),
        c,
        c * (Math.max(1, cBurst) - 1),
        g / o.broadcastShare,
        o.activeWindowMs,
      ),
    );
  }

  /** Resolves when a send to `chatId` may go out. */
  async acquire(chatId: number | string | undefined, kind: SendKind): Promise<void> {
    try {
      if (kind === "interactive") {
        const [wait, chatFirst] = await this.ask(chatId, "i");
        await sleep(wait);
        if (chatFirst) await sleep((await this.ask(chatId, "g"))[0]);
      } else {
        for (;;) {
          const [wait] = await this.ask(chatId, "b");
          if (wait <= 0) break;
          await sleep(Math.min(wait, 1_000));
        }
      }
    } catch (err) {
      this.log?.warn({ err: (err as Error).message }, "telegram budget unavailable; sending without it");
      return;
    }
    const paused = this.pausedUntil - Date.now();
    if (paused > 0) await sleep(paused);
  }

  /** Telegram said 429: nobody sends until retry_after is over. */
  async pause(retryAfterSeconds: number): Promise<void> {
    const ms = Math.max(1, retryAfterSeconds) * 1000;
    const until = Date.now() + ms;
    this.pausedUntil = Math.max(this.pausedUntil, until);
    try {
      await withTimeout(this.redis.set(this.key("paused-until"), String(until), "PX", ms + 1000));
    } catch {
      // auto-retry still waits retry_after for this send
    }
  }

  /** A grammY API transformer: install it before @grammyjs/auto-retry, so it sits inside and every attempt asks. */
  transformer(kind: SendKind): Transformer {
    return async (prev, method, payload, signal) => {
      if (BUDGETED_METHODS.has(method)) await this.acquire((payload as { chat_id?: number | string }).chat_id, kind);
      const res = await prev(method, payload, signal);
      if (!res.ok && res.error_code === 429) await this.pause(res.parameters?.retry_after ?? 1);
      return res;
    };
  }
}

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e as Error)),
    );
  });
}

/** The budget's settings from the config (the chat burst and activity window are fixed: see above). */
export function budgetOptions(c: {
  TELEGRAM_MESSAGES_PER_SECOND: number;
  TELEGRAM_CHAT_MESSAGES_PER_SECOND: number;
  STAFF_GROUP_MESSAGES_PER_MINUTE: number;
  BROADCAST_SHARE: number;
}): BudgetOptions {
  return {
    perSecond: c.TELEGRAM_MESSAGES_PER_SECOND,
    chatPerSecond: c.TELEGRAM_CHAT_MESSAGES_PER_SECOND,
    chatBurst: 3,
    groupPerMinute: c.STAFF_GROUP_MESSAGES_PER_MINUTE,
    groupBurst: Math.min(20, c.STAFF_GROUP_MESSAGES_PER_MINUTE),
    broadcastShare: c.BROADCAST_SHARE,
    activeWindowMs: 10_000,
  };
}
