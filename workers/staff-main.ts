import { Queue, Worker, type Job } from "bullmq";
import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { createCoreDeps } from "../core/deps";
import { apiRootOf, runIfEntry, serveUntilSignalled } from "../core/entry";
import { createI18n } from "../core/i18n";
import { CASE_CARD, QUEUES, STAFF_ALERT, STAFF_RESUME, type DeliverDecisionJob, type ReminderJob, type StaffJob, type WebhookJob } from "../core/jobs";
import { sandboxClock } from "../core/clock";
import type { SendKind } from "../core/telegram-budget";
import { sendReminder } from "./jobs/send-reminder";
import type { Logger } from "../core/logger";
import { createJobMetrics, createRegistry, telegramApiMetrics, watchQueues, withMetricsServer, type MetricsServer, type Registry } from "../core/metrics";
import { createRedis } from "../core/redis";
import { DEFAULT_WEBHOOK_OPTIONS, type WebhookDeliveryOptions } from "../core/webhooks/delivery";
import { refreshCard, resumeStaffGroup } from "./jobs/case-card";
import { deliverDecision } from "./jobs/deliver-decision";
import { deliverWebhook } from "./jobs/deliver-webhook";
import { staffAlert } from "./jobs/staff-alert";
import { sweep, type SweepSummary } from "./jobs/sweep";
import type { StaffDeps } from "./staff/publish";

export interface RunningStaffWorkers {
  deps: StaffDeps;
  staff: Worker<StaffJob>;
  notify: Worker<DeliverDecisionJob>;
  /** seller status changes to the marketplace (MARKETPLACE_WEBHOOK_URL) */
  webhook: Worker<WebhookJob>;
  /** recheck reminders, restriction notices, rollout invitations */
  remind: Worker<ReminderJob>;
  sweeper: Worker;
  /** /healthz, /readyz and /metrics of this process */
  metrics: MetricsServer;
  close(): Promise<void>;
}

type StaffOptions = { dbSchema?: string; apiRoot?: string; sweepEveryMs?: number; now?: () => Date; webhook?: Partial<WebhookDeliveryOptions> };

/**
 * The staff process: posts to the staff group (cards, alerts, nudges, the digest),
 * tells sellers what staff decided, and runs the minute sweep. It loads no models, so
 * it keeps running, and keeps staff informed, when the verification workers cannot.
 */
export async function startStaffWorkers(config: Config, log: Logger, opts: StaffOptions = {}): Promise<RunningStaffWorkers> {
  const registry = createRegistry("staff");
  return withMetricsServer({ component: "staff", config, registry, log }, (server) => startServing(config, log, opts, registry, server));
}

async function startServing(config: Config, log: Logger, opts: StaffOptions, registry: Registry, server: MetricsServer): Promise<RunningStaffWorkers> {
  const connection = createRedis(config.REDIS_URL, "worker", log);
  const core = createCoreDeps(config, log, { redis: connection, dbSchema: opts.dbSchema, dbPoolMax: 4 });
  const apiRoot = opts.apiRoot ?? apiRootOf(config);
  // Two clients of one bot: staff cards and decisions answer people now (interactive); reminders and
  // invitations take only the broadcast share of the Telegram budget while dialogs run.
  // Inside auto-retry, metrics then the budget: every attempt is counted and waits for its token.
  // 429 waits for Telegram's retry_after; a card that cannot wait that long is retried by its job.
  const telegram = telegramApiMetrics(registry);
  const client = (kind: SendKind) => {
    const api = new Api(config.BOT_TOKEN ?? SANDBOX_TOKEN, apiRoot ? { apiRoot } : undefined);
    api.config.use(telegram);
    api.config.use(core.budget.transformer(kind));
    api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
    return api;
  };
  const api = client("interactive");
  const broadcastApi = client("broadcast");
  // Sandbox mode: the clock POST /sandbox/clock moves; when it moves, the sweep runs at once.
  const clock = !opts.now && config.sandbox ? await sandboxClock(config.REDIS_URL, config.REDIS_PREFIX, log) : null;
  const now = opts.now ?? clock?.now;
  const deps: StaffDeps & { broadcastApi: Api } = { ...core, ...(now ? { now } : {}), api, broadcastApi, i18n: createI18n(), redis: connection };
  if (config.STAFF_CHAT_ID === undefined) log.warn("STAFF_CHAT_ID is not set: cases that need staff are kept, but nobody is told");

  const done = (queue: string) => (job: Job, result: unknown) => log.info({ queue, jobId: job.id, job: job.name, result }, "job done");
  const failed = (queue: string) => (job: Job | undefined, err: Error) => log.warn({ queue, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "job failed");

  // One post at a time across every staff process (a card is posted once, then edited), and
  // no more than Telegram allows in one group.
  await core.staffQueue.setGlobalConcurrency(1);
  const staff = new Worker<StaffJob>(
    QUEUES.staff,
    async (job) => {
      if (job.name === STAFF_ALERT) return staffAlert(deps, job.data);
      if (job.name === CASE_CARD) return refreshCard(deps, job.data);
      if (job.name === STAFF_RESUME) return resumeStaffGroup(deps);
      throw new Error(`unknown staff job ${job.name}`);
    },
    { connection, prefix: config.REDIS_PREFIX, concurrency: 1, limiter: { max: config.STAFF_GROUP_MESSAGES_PER_MINUTE, duration: 60_000 } },
  );
  staff.on("completed", done(QUEUES.staff));
  staff.on("failed", failed(QUEUES.staff));
  staff.on("error", (err) => log.error({ err }, "staff worker error"));

  const notify = new Worker<DeliverDecisionJob>(QUEUES.notify, (job) => deliverDecision(deps, job.data), { connection, prefix: config.REDIS_PREFIX, concurrency: 4 });
  notify.on("completed", done(QUEUES.notify));
  notify.on("failed", failed(QUEUES.notify));
  notify.on("error", (err) => log.error({ err }, "notify worker error"));

  // Reminders and invitations: the budget paces them (what dialogs leave, at most BROADCAST_SHARE while dialogs are live);
  // the limiter only keeps BullMQ from taking jobs faster than Telegram could ever take them.
  const remind = new Worker<ReminderJob>(QUEUES.remind, (job) => sendReminder(deps, job.data), {
    connection,
    prefix: config.REDIS_PREFIX,
    concurrency: 8,
    limiter: { max: config.TELEGRAM_MESSAGES_PER_SECOND, duration: 1_000 },
  });
  remind.on("completed", done(QUEUES.remind));
  remind.on("failed", failed(QUEUES.remind));
  remind.on("error", (err) => log.error({ err }, "remind worker error"));

  // A few at once: each waits on the marketplace's answer (up to the timeout), not on this process.
  const webhookOptions = { ...DEFAULT_WEBHOOK_OPTIONS, ...opts.webhook };
  const webhook = new Worker<WebhookJob>(QUEUES.webhook, (job, token) => deliverWebhook(deps, job, token, webhookOptions), {
    connection,
    prefix: config.REDIS_PREFIX,
    concurrency: 4,
  });
  webhook.on("completed", done(QUEUES.webhook));
  webhook.on("failed", failed(QUEUES.webhook));
  webhook.on("error", (err) => log.error({ err }, "webhook worker error"));

  const sweepQueue = new Queue(QUEUES.sweep, { connection, prefix: config.REDIS_PREFIX });
  await sweepQueue.upsertJobScheduler("sweep", { every: opts.sweepEveryMs ?? 60_000 }, { name: "sweep", opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const sweeper = new Worker(QUEUES.sweep, () => sweep(deps), { connection, prefix: config.REDIS_PREFIX, concurrency: 1 });
  sweeper.on("completed", (_job, result: SweepSummary) => {
    if (Object.values(result).some((n) => n > 0)) log.info({ result }, "sweep");
  });
  sweeper.on("failed", failed(QUEUES.sweep));
  sweeper.on("error", (err) => log.error({ err }, "sweeper error"));
  clock?.onMove((offset) => void sweepQueue.add("sweep", {}, { jobId: `sweep-now-${offset}`, removeOnComplete: 100, removeOnFail: 100 }).catch(() => undefined));
  const watchJobs = createJobMetrics(registry);
  watchJobs(staff, QUEUES.staff);
  watchJobs(notify, QUEUES.notify);
  watchJobs(webhook, QUEUES.webhook);
  watchJobs(remind, QUEUES.remind);
  watchJobs(sweeper, QUEUES.sweep);
  watchQueues(registry, [core.verifyQueue, core.staffQueue, core.notifyQueue, core.remindQueue, core.webhookQueue], log);
  server.setReadiness({
    database: () => core.db.$queryRaw`select 1`,
    redis: () => connection.ping(),
  });

  log.info({ staffChat: config.STAFF_CHAT_ID ?? null, perMinute: config.STAFF_GROUP_MESSAGES_PER_MINUTE }, "staff worker running");
  return {
    deps,
    staff,
    notify,
    webhook,
    remind,
    sweeper,
    metrics: server,
    async close() {
      await Promise.all([staff.close(), notify.close(), webhook.close(), remind.close(), sweeper.close()]);
      await sweepQueue.close();
      await core.close();
      await clock?.close();
      connection.disconnect();
      await server.close();
    },
  };
}

runIfEntry(import.meta.url, () => serveUntilSignalled("staff-worker", (config, log) => startStaffWorkers(config, log)));
