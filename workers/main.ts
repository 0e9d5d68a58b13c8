import { Worker, type Job } from "bullmq";
import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { apiRootOf, runIfEntry, serveUntilSignalled } from "../core/entry";
import { createCoreDeps } from "../core/deps";
import { sandboxClock } from "../core/clock";
import { createI18n } from "../core/i18n";
import { EMBED_DOCUMENT, QUEUES, type CheckJob, type VerifyJob } from "../core/jobs";
import type { Logger } from "../core/logger";
import { createCheckMetrics, createJobMetrics, createRegistry, notYet, telegramApiMetrics, watchQueues, withMetricsServer, type MetricsServer, type Registry } from "../core/metrics";
import { createRedis } from "../core/redis";
import { createEngine } from "./checks/models";
import { embedDocument } from "./jobs/embed-document";
import { verifySelfie, type VerifyDeps } from "./jobs/verify-selfie";

export interface RunningWorkers {
  worker: Worker<CheckJob>;
  /** /healthz, /readyz and /metrics of this worker */
  metrics: MetricsServer;
  close(): Promise<void>;
}

/**
 * The verification worker: models load once, before the first job (a model that
 * fails to load stops the process at start); one BullMQ Worker on the verify queue.
 * Work that gets stuck here is re-run by the staff process's sweep (workers/jobs/sweep.ts).
 * The metrics port is taken first (a port in use fails the start); /readyz says "models loading" until they are.
 */
export async function startWorkers(
  config: Config,
  log: Logger,
  opts: { dbSchema?: string; apiRoot?: string; now?: () => Date } = {},
): Promise<RunningWorkers> {
  const registry = createRegistry("worker");
  return withMetricsServer({ component: "worker", config, registry, log }, (server) => {
    server.setReadiness({ models: notYet("loading") });
    return startServing(config, log, opts, registry, server);
  });
}

async function startServing(
  config: Config,
  log: Logger,
  opts: { dbSchema?: string; apiRoot?: string; now?: () => Date },
  registry: Registry,
  server: MetricsServer,
): Promise<RunningWorkers> {
  const t0 = performance.now();
  const engine = await createEngine({ backend: config.TF_BACKEND });
  log.info(
    {
      backend: engine.backend.name,
      tfjs: engine.backend.tf.version_core,
      human: engine.human.version,
      handModels: "human-models 3.0.4 (workers/models/README.md)",
      ms: Math.round(performance.now() - t0),
    },
    "models loaded",
  );

  const connection = createRedis(config.REDIS_URL, "worker", log);
  const core = createCoreDeps(config, log, { redis: connection, dbSchema: opts.dbSchema, dbPoolMax: Math.max(2, config.WORKER_CONCURRENCY + 1) });
  const apiRoot = opts.apiRoot ?? apiRootOf(config);
  const api = new Api(config.BOT_TOKEN ?? SANDBOX_TOKEN, apiRoot ? { apiRoot } : undefined);
  // Metrics inside auto-retry: every attempt is counted, each 429 too.
  api.config.use(telegramApiMetrics(registry));
  // A verdict answers a live dialog: it takes the interactive part of the budget.
  api.config.use(core.budget.transformer("interactive"));
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const metrics = createCheckMetrics(registry);
  metrics.modelBackend({ backend: engine.backend.name, tfjs: engine.backend.tf.version_core, human: engine.human.version });
  watchQueues(registry, [core.verifyQueue, core.staffQueue, core.notifyQueue], log);
  const clock = !opts.now && config.sandbox ? await sandboxClock(config.REDIS_URL, config.REDIS_PREFIX, log) : null;
  const now = opts.now ?? clock?.now;
  const deps: VerifyDeps = { ...core, ...(now ? { now } : {}), engine, api, i18n: createI18n(), metrics };

  const worker = new Worker<CheckJob>(
    QUEUES.verify,
    async (job) => {
      const result = job.name === EMBED_DOCUMENT ? await embedDocument(deps, job.data) : await verifySelfie(deps, job as Job<VerifyJob>);
      log.info({ jobId: job.id, job: job.name, attempt: job.attemptsMade + 1, result }, "job done");
      return result;
    },
    {
      connection,
      prefix: config.REDIS_PREFIX,
      concurrency: config.WORKER_CONCURRENCY,
      // A killed worker's job goes back to the queue once its lock expires.
      lockDuration: 30_000,
      stalledInterval: 15_000,
      maxStalledCount: 2,
    },
  );
  worker.on("failed", (job, err) => log.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message }, "verify failed"));
  worker.on("error", (err) => log.error({ err }, "worker error"));
  createJobMetrics(registry)(worker, QUEUES.verify);
  server.setReadiness({
    database: () => core.db.$queryRaw`select 1`,
    redis: () => connection.ping(),
    // Loaded before the first job; until then the check above says "loading".
    models: () => Promise.resolve(),
  });

  log.info({ concurrency: config.WORKER_CONCURRENCY, queue: QUEUES.verify }, "worker running");
  return {
    worker,
    metrics: server,
    async close() {
      // Finishes the jobs in hand; a job that cannot finish in time is picked up again as stalled.
      await worker.close();
      await core.close();
      await clock?.close();
      connection.disconnect();
      await server.close();
    },
  };
}

runIfEntry(import.meta.url, () => serveUntilSignalled("worker", (config, log) => startWorkers(config, log)));
