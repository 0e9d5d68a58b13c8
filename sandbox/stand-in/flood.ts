import { ApiError, SandboxError } from "./types";

/**
 * Telegram's flood control, as token buckets per bot: one over all chats, one per private
 * chat, one per group. The figures are the ones Telegram's Bots FAQ gives ("My bot is hitting
 * limits"): about 30 messages/s overall, 1/s in one chat, 20/min in one group.
 */
export interface FloodLimits {
  enabled: boolean;
  /** Messages per second over all chats; the overall burst is one second's worth. */
  perSecond: number;
  perChatPerSecond: number;
  /** Messages a quiet private chat takes at once before its rate applies. */
  chatBurst: number;
  perGroupPerMinute: number;
  groupBurst: number;
}

export type FloodModelOptions = Partial<FloodLimits>;

/** The real limits, switched on: `startStandIn({ floodModel: TELEGRAM_LIMITS })`. */
export const TELEGRAM_LIMITS: Readonly<FloodLimits> = Object.freeze({
  enabled: true,
  perSecond: 30,
  perChatPerSecond: 1,
  chatBurst: 3,
  perGroupPerMinute: 20,
  groupBurst: 20,
});

/** Started from code the model is off, so tests that send freely are unaffected. */
export const DEFAULT_FLOOD_LIMITS: Readonly<FloodLimits> = Object.freeze({ ...TELEGRAM_LIMITS, enabled: false });

/** The limits as the sandbox control API shows and takes them. */
export interface LimitsJson {
  enabled: boolean;
  per_second: number;
  per_chat_per_second: number;
  chat_burst: number;
  per_group_per_minute: number;
  group_burst: number;
}

type Kind = "boolean" | "rate" | "burst";
const FIELDS: ReadonlyArray<{ key: keyof FloodLimits; json: keyof LimitsJson; kind: Kind; max?: number }> = [
  { key: "enabled", json: "enabled", kind: "boolean" },
  { key: "perSecond", json: "per_second", kind: "rate", max: 1_000_000 },
  { key: "perChatPerSecond", json: "per_chat_per_second", kind: "rate", max: 1_000_000 },
  { key: "chatBurst", json: "chat_burst", kind: "burst" },
  { key: "perGroupPerMinute", json: "per_group_per_minute", kind: "rate", max: 60_000_000 },
  { key: "groupBurst", json: "group_burst", kind: "burst" },
];
const MAX_BURST = 1_000_000;

function fieldError(name: string, kind: Kind, v: unknown, max = 0): string | undefined {
  switch (kind) {
    case "boolean":
      return typeof v === "boolean" ? undefined : `${name} must be true or false`;
    case "rate":
      return typeof v === "number" && Number.isFinite(v) && v > 0 && v <= max ? undefined : `${name} must be a number > 0 and <= ${max}`;
    case "burst":
      return typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= MAX_BURST ? undefined : `${name} must be an integer 1..${MAX_BURST}`;
  }
}

/** Checks every field named either way; returns the change and every problem found. */
function checkLimits(input: Record<string, unknown>, naming: "key" | "json"): { patch: Partial<FloodLimits>; errors: string[] } {
  const patch: Record<string, unknown> = {};
  const errors: string[] = [];
  const names = new Set<string>(FIELDS.map((f) => f[naming]));
  for (const k of Object.keys(input)) {
    if (!names.has(k) && input[k] !== undefined) errors.push(`unknown field ${k} (allowed: ${[...names].join(", ")})`);
  }
  for (const f of FIELDS) {
    const v = input[f[naming]];
    if (v === undefined) continue;
    const err = fieldError(f[naming], f.kind, v, f.max);
    if (err) errors.push(err);
    else patch[f.key] = v;
  }
  return { patch: patch as Partial<FloodLimits>, errors };
}

/** `POST /sandbox/limits`: any subset of the fields; all problems in one 400. */
export function parseLimitsBody(body: unknown): Partial<FloodLimits> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SandboxError(400, "body must be a JSON object");
  const { patch, errors } = checkLimits(body as Record<string, unknown>, "json");
  if (errors.length > 0) throw new SandboxError(400, errors.join("; "));
  return patch;
}

/** `startStandIn({ floodModel })`: fills the gaps from DEFAULT_FLOOD_LIMITS, throws on bad values. */
export function resolveFloodLimits(opts: FloodModelOptions = {}): FloodLimits {
  const { patch, errors } = checkLimits(opts as Record<string, unknown>, "key");
  if (errors.length > 0) throw new Error(`floodModel: ${errors.join("; ")}`);
  return { ...DEFAULT_FLOOD_LIMITS, ...patch };
}

export function limitsJson(l: FloodLimits): LimitsJson {
  return {
    enabled: l.enabled,
    per_second: l.perSecond,
    per_chat_per_second: l.perChatPerSecond,
    chat_burst: l.chatBurst,
    per_group_per_minute: l.perGroupPerMinute,
    group_burst: l.groupBurst,
  };
}

/**
 * What counts: the methods that post or change a message in a chat. Reads, chat actions,
 * callback answers and deletions do not (Telegram does not throttle them this way).
 */
const COUNTED = [
  "sendMessage", "sendPhoto", "sendDocument", "sendSticker", "copyMessage", "forwardMessage",
  "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
];
const COUNTED_BY_LOWER = new Map(COUNTED.map((m) => [m.toLowerCase(), m]));

/** The method's canonical name if the flood model counts it (method names are case-insensitive). */
export function countedMethod(method: string): string | undefined {
  return COUNTED_BY_LOWER.get(method.toLowerCase());
}

/** A numeric chat_id as the call gave it (JSON number or form string); undefined otherwise. */
export function floodChatId(v: unknown): number | undefined {
  const n = typeof v === "number" ? v : typeof v === "string" && /^\s*-?\d{1,16}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n !== 0 ? n : undefined;
}

interface Bucket {
  tokens: number;
  /** Clock reading (ms) of the last refill. */
  at: number;
}

/** Float drift must not turn a token that is due into a 429. */
const EPSILON = 1e-9;

export class FloodModel {
  private limits: FloodLimits;
  private overall: Bucket | undefined;
  /** Least recently used first; bounded like the chats themselves. */
  private readonly chats = new Map<number, Bucket>();

  constructor(
    limits: FloodLimits,
    private readonly maxChats: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.limits = { ...limits };
  }

  get current(): FloodLimits {
    return { ...this.limits };
  }

  /** Applies a (checked) change; buckets keep their level, clamped to the new bursts on next use. */
  configure(patch: Partial<FloodLimits>): FloodLimits {
    const wasOn = this.limits.enabled;
    this.limits = { ...this.limits, ...patch };
    // Switching on starts from full buckets, not from whatever was left the last time it was on.
    if (!wasOn && this.limits.enabled) this.reset();
    return this.current;
  }

  reset(): void {
    this.overall = undefined;
    this.chats.clear();
  }

  /**
   * One send: takes a token from the bot's bucket and the chat's, or none at all. Returns the
   * 429 to answer when either is empty, with retry_after = whole seconds until both have one.
   */
  take(chatId: number | undefined): ApiError | undefined {
    const l = this.limits;
    if (!l.enabled) return undefined;
    const now = this.clock();
    const overallBurst = Math.max(1, Math.floor(l.perSecond));
    this.overall ??= { tokens: overallBurst, at: now };
    const checks: Array<{ bucket: Bucket; perMs: number; burst: number }> = [{ bucket: this.overall, perMs: l.perSecond / 1000, burst: overallBurst }];
    if (chatId !== undefined) {
      const group = chatId < 0;
      const burst = group ? l.groupBurst : l.chatBurst;
      checks.push({ bucket: this.chatBucket(chatId, burst, now), perMs: group ? l.perGroupPerMinute / 60_000 : l.perChatPerSecond / 1000, burst });
    }
    let waitMs = 0;
    for (const { bucket, perMs, burst } of checks) {
      bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.at) * perMs);
      bucket.at = now;
      if (bucket.tokens + EPSILON < 1) waitMs = Math.max(waitMs, (1 - bucket.tokens) / perMs);
    }
    if (waitMs > 0) {
      const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
      return new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
    }
    for (const { bucket } of checks) bucket.tokens = Math.max(0, bucket.tokens - 1);
    return undefined;
  }

  private chatBucket(chatId: number, burst: number, now: number): Bucket {
    let b = this.chats.get(chatId);
    if (b) {
      this.chats.delete(chatId);
    } else {
      b = { tokens: burst, at: now };
    }
    this.chats.set(chatId, b);
    if (this.chats.size > this.maxChats) {
      // A forgotten bucket comes back full: at worst one extra burst for a chat idle that long.
      const oldest = this.chats.keys().next();
      if (!oldest.done) this.chats.delete(oldest.value);
    }
    return b;
  }
}

export interface SendCounts {
  /** Calls of counted methods that reached the method (any outcome). */
  calls: number;
  ok: number;
  /** 429 answers: the flood model's and injected ones alike. */
  too_many: number;
}

export interface StatsJson {
  /** Unix time (s) of start or the last reset. */
  since: number;
  methods: Record<string, SendCounts>;
  chats: Record<string, SendCounts>;
  total: SendCounts;
}

export type SendOutcome = "ok" | "too_many" | "error";

const zero = (): SendCounts => ({ calls: 0, ok: 0, too_many: 0 });
const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Counted sends per method and per chat; the chat map keeps the most recently active `maxChats`. */
export class SendStats {
  private since = nowSec();
  private total = zero();
  private readonly methods = new Map<string, SendCounts>();
  private readonly chats = new Map<number, SendCounts>();

  constructor(private readonly maxChats: number) {}

  record(method: string, chatId: number | undefined, outcome: SendOutcome): void {
    let m = this.methods.get(method);
    if (!m) {
      m = zero();
      this.methods.set(method, m);
    }
    const targets = [this.total, m];
    if (chatId !== undefined) {
      const c = this.chats.get(chatId) ?? zero();
      this.chats.delete(chatId);
      this.chats.set(chatId, c);
      if (this.chats.size > this.maxChats) {
        const oldest = this.chats.keys().next();
        if (!oldest.done) this.chats.delete(oldest.value);
      }
      targets.push(c);
    }
    for (const t of targets) {
      t.calls += 1;
      if (outcome === "ok") t.ok += 1;
      else if (outcome === "too_many") t.too_many += 1;
    }
  }

  json(): StatsJson {
    const copy = (m: Map<string | number, SendCounts>): Record<string, SendCounts> =>
      Object.fromEntries([...m].map(([k, v]) => [String(k), { ...v }]));
    return { since: this.since, methods: copy(this.methods), chats: copy(this.chats), total: { ...this.total } };
  }

  reset(): void {
    this.since = nowSec();
    this.total = zero();
    this.methods.clear();
    this.chats.clear();
  }
}
