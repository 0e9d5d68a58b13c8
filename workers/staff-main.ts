import { Queue, Worker, type Job } from "bullmq";
import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { createCoreDeps } from "../core/deps";
import { apiRootOf, runIfEntry, serveUntilSignalled } from "../core/entry";
import { createI18n } from "../core/i18n";
import { CASE_CARD, QUEUES, STAFF_ALERT, STAFF_RESUME, type DeliverDecisionJob, type StaffJob } from "../core/jobs";
import type { Logger } from "../core/logger";
import { createJobMetrics, createRegistry, telegramApiMetrics, watchQueues, withMetricsServer, type MetricsServer, type Registry } from "../core/metrics";
import { createRedis } from "../core/redis";
import { refreshCard, resumeStaffGroup } from "./jobs/case-card";
import { deliverDecision } from "./jobs/deliver-decision";
import { staffAlert } from "./jobs/staff-alert";
import { sweep, type SweepSummary } from "./jobs/sweep";
import type { StaffDeps } from "./staff/publish";

export interface RunningStaffWorkers {
  deps: StaffDeps;
  staff: Worker<StaffJob>;
  notify: Worker<DeliverDecisionJob>;
  sweeper: Worker;
  /** /healthz, /readyz and /metrics of this process */
  metrics: MetricsServer;
  close(): Promise<void>;
}

type StaffOptions = { dbSchema?: string; apiRoot?: string; sweepEveryMs?: number; now?: () => Date };

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
  const api = new Api(config.BOT_TOKEN ?? SANDBOX_TOKEN, apiRoot ? { apiRoot } : undefined);
  // 429 waits for Telegram's retry_after; a card that cannot wait that long is retried by its job.
  // Metrics first, inside auto-retry: every attempt is counted, each 429 too.
  api.config.use(telegramApiMetrics(registry));
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
  const deps: StaffDeps = { ...core, ...(opts.now ? { now: opts.now } : {}), api, i18n: createI18n(), redis: connection };
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

  const sweepQueue = new Queue(QUEUES.sweep, { connection, prefix: config.REDIS_PREFIX });
  await sweepQueue.upsertJobScheduler("sweep", { every: opts.sweepEveryMs ?? 60_000 }, { name: "sweep", opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const sweeper = new Worker(QUEUES.sweep, () => sweep(deps), { connection, prefix: config.REDIS_PREFIX, concurrency: 1 });
  sweeper.on("completed", (_job, result: SweepSummary) => {
    if (Object.values(result).some((n) => n > 0)) log.info({ result }, "sweep");
  });
  sweeper.on("failed", failed(QUEUES.sweep));
  sweeper.on("error", (err) => log.error({ err }, "sweeper error"));
  const watchJobs = createJobMetrics(registry);
  watchJobs(staff, QUEUES.staff);
  watchJobs(notify, QUEUES.notify);
  watchJobs(sweeper, QUEUES.sweep);
  watchQueues(registry, [core.verifyQueue, core.staffQueue, core.notifyQueue], log);
  server.setReadiness({
    database: () => core.db.$queryRaw`select 1`,
    redis: () => connection.ping(),
  });

  log.info({ staffChat: config.STAFF_CHAT_ID ?? null, perMinute: config.STAFF_GROUP_MESSAGES_PER_MINUTE }, "staff worker running");
  return {
    deps,
    staff,
    notify,
    sweeper,
    metrics: server,
    async close() {
      await Promise.all([staff.close(), notify.close(), sweeper.close()]);
      await sweepQueue.close();
      await core.close();
      connection.disconnect();
      await server.close();
    },
  };
}

runIfEntry(import.meta.url, () => serveUntilSignalled("staff-worker", (config, log) => startStaffWorkers(config, log)));
