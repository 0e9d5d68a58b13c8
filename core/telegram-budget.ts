import type { Transformer } from "grammy";
import type { Redis } from "ioredis";
import type { Logger } from "./logger";

/**
 * One outgoing budget for the whole bot, across processes: Telegram allows a bot about
 * 30 messages a second, about 1 a second in one private chat and 20 a minute in a group,
 * and answers 429 beyond that. Every send takes a token from Redis token buckets first:
 * the bot's, the chat's and, for broadcasts (reminders, invitations), the broadcast
 * share's. While sellers are in live dialogs (an interactive send in the last few
 * seconds) broadcasts refill at BROADCAST_SHARE of the rate, so dialogs go first; with
 * no dialog running they may use it all. A 429 pauses the whole budget for retry_after.
 *
 * Installed as a grammY API transformer, inside auto-retry, so a retry takes a token too.
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
  /** how long after an interactive send dialogs count as active */
  activeWindowMs: number;
}

/** Methods that post or change a message in a chat: the ones Telegram's limits count. */
export const BUDGETED_METHODS: ReadonlySet<string> = new Set([
  "sendMessage", "sendPhoto", "sendDocument", "sendSticker", "sendVideo", "sendAnimation", "sendVoice", "sendAudio", "sendMediaGroup",
  "copyMessage", "forwardMessage", "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
]);

// KEYS: global, chat, broadcast, pause, last-interactive.
// ARGV: now ms, kind ("i"|"b"), global rate/s, global burst, chat rate/s, chat burst, broadcast share, active window ms.
// Returns 0 when the tokens were taken, else the ms to wait before asking again.
const ACQUIRE = `
local now = tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[4]) or '0')
if paused > now then return paused - now end
local function level(key, rate, burst)
  local t = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(t[1]) or burst
  local ts = tonumber(t[2]) or now
  return math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
end
local grate, gburst = tonumber(ARGV[3]), tonumber(ARGV[4])
local crate, cburst = tonumber(ARGV[5]), tonumber(ARGV[6])
local g = level(KEYS[1], grate, gburst)
local c = level(KEYS[2], crate, cburst)
local wait = 0
if g < 1 then wait = math.max(wait, (1 - g) * 1000 / grate) end
if c < 1 then wait = math.max(wait, (1 - c) * 1000 / crate) end
local b, brate, bburst
if ARGV[2] == 'b' then
  local active = now - tonumber(redis.call('GET', KEYS[5]) or '0') < tonumber(ARGV[8])
  brate = active and grate * tonumber(ARGV[7]) or grate
  bburst = math.max(1, brate)
  b = level(KEYS[3], brate, bburst)
  if b < 1 then wait = math.max(wait, (1 - b) * 1000 / brate) end
end
if wait > 0 then return math.ceil(wait) end
redis.call('HSET', KEYS[1], 'tokens', g - 1, 'ts', now)
redis.call('PEXPIRE', KEYS[1], 60000)
redis.call('HSET', KEYS[2], 'tokens', c - 1, 'ts', now)
redis.call('PEXPIRE', KEYS[2], math.ceil(cburst * 1000 / crate) + 1000)
if ARGV[2] == 'b' then
  redis.call('HSET', KEYS[3], 'tokens', b - 1, 'ts', now)
  redis.call('PEXPIRE', KEYS[3], 60000)
else
  redis.call('SET', KEYS[5], now, 'PX', tonumber(ARGV[8]))
end
return 0
`;

type WithAcquire = Redis & {
  shirenBudgetAcquire(k1: string, k2: string, k3: string, k4: string, k5: string, ...argv: (string | number)[]): Promise<number>;
};

const TIMEOUT_MS = 1_000;
/**
 * Tokens refill at 95% of the allowance: a send reaches Telegram a little later or sooner
 * than it was granted here, and a pace at the exact limit would meet a 429 now and then.
 * The bot's bucket holds only the other 5% (1.5 sends of 30), so no second ever carries
 * more than the allowance, however many chats wait: 1.5 + 28.5 = 30.
 */
const SAFETY = 0.95;
const globalBurst = (perSecond: number) => Math.max(1, perSecond * (1 - SAFETY));

export class TelegramBudget {
  private readonly redis: WithAcquire;

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
    return `${this.prefix}:budget:${part}`;
  }

  /** Resolves when a send to `chatId` may go out; waits (without busy looping) when the budget is spent. */
  async acquire(chatId: number | string | undefined, kind: SendKind): Promise<void> {
    const group = typeof chatId === "string" ? !/^\d+$/.test(chatId) : chatId !== undefined && chatId < 0;
    const [rate, burst] = group ? [(this.opts.groupPerMinute / 60) * SAFETY, this.opts.groupBurst] : [this.opts.chatPerSecond * SAFETY, this.opts.chatBurst];
    for (;;) {
      let wait: number;
      try {
        wait = await withTimeout(
          this.redis.shirenBudgetAcquire(
            this.key("global"),
            this.key(`chat:${chatId ?? "-"}`),
            this.key("broadcast"),
            this.key("paused-until"),
            this.key("interactive-at"),
            Date.now(),
            kind === "broadcast" ? "b" : "i",
            this.opts.perSecond * SAFETY,
            globalBurst(this.opts.perSecond),
            rate,
            burst,
            this.opts.broadcastShare,
            this.opts.activeWindowMs,
          ),
        );
      } catch (err) {
        this.log?.warn({ err: (err as Error).message }, "telegram budget unavailable; sending without it");
        return;
      }
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(wait, 1_000)));
    }
  }

  /** Telegram said 429: nobody sends until retry_after is over. */
  async pause(retryAfterSeconds: number): Promise<void> {
    const until = Date.now() + Math.max(1, retryAfterSeconds) * 1000;
    try {
      await withTimeout(this.redis.set(this.key("paused-until"), String(until), "PX", Math.max(1, retryAfterSeconds) * 1000 + 1000));
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
