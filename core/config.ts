import { z } from "zod";

/**
 * The one configuration schema for every process (bot, workers, CLIs).
 * `parseConfig` is pure: entry files pass `process.env`, tests pass a literal.
 * Development, test and sandbox get safe defaults; production refuses to start
 * without real secrets.
 */

/** The token the bot uses against the local Bot API stand-in (any well-formed token works there). */
export const SANDBOX_TOKEN = "1000000001:sandbox-token-not-a-secret-000";

const DEV_PII_KEY = Buffer.alloc(32, 7).toString("base64"); // deliberately weak, refused in production

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const idList = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^\d+$/, "must be numeric Telegram user ids").transform(Number)));

/** "keyId:base64key,keyId:base64key" - the first is used to encrypt, all are tried to decrypt. */
const piiKeys = z.string().transform((raw, ctx) => {
  const keys: { id: string; key: Buffer }[] = [];
  for (const part of raw.split(",").map((p) => p.trim()).filter(Boolean)) {
    const idx = part.indexOf(":");
    const id = idx > 0 ? part.slice(0, idx) : "k1";
    const key = Buffer.from(idx > 0 ? part.slice(idx + 1) : part, "base64");
    if (!/^[a-zA-Z0-9_-]{1,16}$/.test(id)) ctx.addIssue({ code: "custom", message: `key id "${id}" must be 1-16 of [a-zA-Z0-9_-]` });
    if (key.length !== 32) ctx.addIssue({ code: "custom", message: `key "${id}" must be 32 bytes, base64-encoded (got ${key.length})` });
    keys.push({ id, key });
  }
  if (keys.length === 0) ctx.addIssue({ code: "custom", message: "at least one key is required" });
  return keys;
});

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "sandbox", "production"]).default("development"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "must look like 123456:ABC... (from @BotFather)")
      .optional(),
    TELEGRAM_API_ROOT: z.url().optional(),
    /** for deep links printed by sellers:import; read with getMe when unset */
    BOT_USERNAME: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "must be a Telegram bot username without @").optional(),
    ENROL_LINK_TTL_DAYS: intIn(1, 365).default(30),
    SANDBOX_HOST: z.string().default("127.0.0.1"),
    SANDBOX_PORT: intIn(1, 65535).default(8081),
    /**
     * The Mini App's camera capture: the bot serves its page and upload on WEBAPP_PORT (0: any free port);
     * WEBAPP_URL is the public HTTPS origin in front of it (a reverse proxy), by default http://127.0.0.1:<port>.
     */
    WEBAPP_PORT: intIn(0, 65535).default(8090),
    WEBAPP_URL: z.url().optional(),
    /** how the gesture selfie may arrive: the Mini App's camera, a photo in the chat, or either */
    SELFIE_CAPTURE: z.enum(["both", "webapp", "photo"]).default("both"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").default("postgresql://postgres@127.0.0.1:5432/shiren"),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// URL").default("redis://127.0.0.1:6379/0"),
    REDIS_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default("shiren"),
    DATA_DIR: z.string().min(1).default("./data"),
    PII_KEY: piiKeys.optional(),
    /** the staff group (a negative Telegram chat id): case cards, alerts and the daily digest go there */
    STAFF_CHAT_ID: z.string().regex(/^-\d+$/, "must be a group chat id (negative, e.g. -1001234567890)").transform(Number).optional(),
    ADMIN_TELEGRAM_IDS: idList.default([]),
    /** language of the staff group (cards, alerts, replies there); private chats follow each member's language */
    STAFF_LOCALE: z.enum(["en", "zh-Hans", "zh-Hant"]).default("en"),
    /** a case waiting in review this long gets one reminder in the staff group */
    STAFF_NUDGE_MINUTES: intIn(1, 10_080).default(60),
    /** Telegram allows a bot about 20 messages a minute in one group */
    STAFF_GROUP_MESSAGES_PER_MINUTE: intIn(1, 10_000).default(20),
    OPEN_ENROLMENT: bool.default(false),
    CHALLENGE_TTL_SECONDS: intIn(30, 3600).default(300),
    MAX_ATTEMPTS: intIn(1, 20).default(3),
    RECHECK_INTERVAL_DAYS: intIn(1, 3650).default(180),
    /** each periodic due date moves by up to this many days either way, so one rollout's rechecks do not all fall due at once */
    RECHECK_JITTER_DAYS: intIn(0, 365).default(14),
    /** days after a recheck's due date until the seller is restricted */
    RECHECK_GRACE_DAYS: intIn(0, 365).default(14),
    /** sellers with any of these risk flags (comma-separated) get unscheduled rechecks as well */
    RISK_RECHECK_FLAGS: z.string().transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)).default(["high-risk", "duplicate-id-number"]),
    /** an unscheduled recheck falls at a random time within this many days */
    RISK_RECHECK_WINDOW_DAYS: intIn(1, 365).default(30),
    /** the most of the Telegram budget reminders and invitations may take while sellers are in live dialogs */
    BROADCAST_SHARE: z.coerce.number().min(0.05).max(1).default(0.6),
    /** the bot's Telegram allowance: messages per second overall, and per private chat */
    TELEGRAM_MESSAGES_PER_SECOND: intIn(1, 10_000).default(30),
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: intIn(1, 1000).default(1),
    /** where seller status changes are POSTed (signed); unset: nothing is sent */
    MARKETPLACE_WEBHOOK_URL: z.url().optional(),
    MARKETPLACE_WEBHOOK_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    RETENTION_DAYS: intIn(1, 3650).default(365),
    /** per-user flood limit: a token bucket of RATE_LIMIT_BURST updates, refilled at RATE_LIMIT_PER_SECOND */
    RATE_LIMIT_PER_SECOND: intIn(1, 1000).default(3),
    RATE_LIMIT_BURST: intIn(1, 1000).default(12),
    MAX_PHOTO_BYTES: intIn(1024, 20 * 1024 * 1024).default(20 * 1024 * 1024),
    MIN_PHOTO_SIDE: intIn(64, 4096).default(480),
    MAX_PHOTO_PIXELS: intIn(1_000_000, 400_000_000).default(50_000_000),
    /** TensorFlow.js backend of the workers: auto = tfjs-node when installed, else wasm */
    TF_BACKEND: z.enum(["auto", "node", "wasm", "cpu"]).default("auto"),
    /** jobs per worker process; the wasm backend is single-threaded, so scale with processes */
    WORKER_CONCURRENCY: intIn(1, 16).default(1),
    /** worker processes `npm start` runs beside the bot (0: run them elsewhere) */
    WORKER_PROCESSES: intIn(0, 32).default(1),
    /** selfies one seller may send in a day (core clock), across cases: more attempts are refused until the next day */
    MAX_ATTEMPTS_PER_DAY: intIn(1, 100).default(6),
    /** /healthz, /readyz and /metrics: the bot on this port, the staff process on +1, verification workers on +2, +3, ...; 0 picks a free port */
    METRICS_PORT: intIn(0, 65535).default(9460),
    METRICS_HOST: z.string().default("127.0.0.1"),
    /** tries of a check or delivery job before it counts as failed (the sweep then runs it again) */
    JOB_ATTEMPTS: intIn(1, 20).default(5),
    /** first retry delay of a job; it doubles with every try */
    JOB_BACKOFF_MS: intIn(10, 600_000).default(2_000),
  })
  .superRefine((c, ctx) => {
    // Real sellers' data (any BOT_TOKEN, whatever NODE_ENV says) is never sealed with the published development key.
    if (c.BOT_TOKEN || c.NODE_ENV === "production") {
      const how = `generate one with: PII_KEY="k1:$(openssl rand -base64 32)" (keep it secret and backed up: data sealed with a lost key cannot be read)`;
      if (!c.PII_KEY) ctx.addIssue({ code: "custom", path: ["PII_KEY"], message: `is required with a real BOT_TOKEN; ${how}` });
      else if (c.PII_KEY.some((k) => k.key.toString("base64") === DEV_PII_KEY))
        ctx.addIssue({ code: "custom", path: ["PII_KEY"], message: `is the development key, which is public; ${how}` });
    }
    if (c.NODE_ENV === "production" && !c.BOT_TOKEN) ctx.addIssue({ code: "custom", path: ["BOT_TOKEN"], message: "is required in production" });
    if (c.WEBAPP_URL && c.BOT_TOKEN && !c.WEBAPP_URL.startsWith("https://"))
      ctx.addIssue({ code: "custom", path: ["WEBAPP_URL"], message: "must be https:// with a real BOT_TOKEN (Telegram opens Mini Apps over HTTPS only)" });
    if (c.MARKETPLACE_WEBHOOK_URL && !c.MARKETPLACE_WEBHOOK_SECRET)
      ctx.addIssue({ code: "custom", path: ["MARKETPLACE_WEBHOOK_SECRET"], message: "is required with MARKETPLACE_WEBHOOK_URL (the signing key the marketplace verifies with)" });
  });

type Parsed = z.infer<typeof schema>;

export type Config = Readonly<
  Omit<Parsed, "PII_KEY"> & {
    PII_KEY: readonly { id: string; key: Buffer }[];
    /** true when no BOT_TOKEN is set: the bot talks to the local Bot API stand-in */
    sandbox: boolean;
  }
>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (a blank line in .env should not break the defaults).
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(clean);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`));
  }
  const c = result.data;
  return Object.freeze({
    ...c,
    PII_KEY: c.PII_KEY ?? [{ id: "dev", key: Buffer.from(DEV_PII_KEY, "base64") }],
    sandbox: !c.BOT_TOKEN,
  });
}
