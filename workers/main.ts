import { Queue, Worker, type Job } from "bullmq";
import { Api } from "grammy";
import { autoRetry } from "@grammyjs/auto-retry";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { apiRootOf, configOrExit, runIfEntry, stopOnSignals } from "../core/entry";
import { createCoreDeps } from "../core/deps";
import { createI18n } from "../core/i18n";
import { EMBED_DOCUMENT, QUEUES, enqueueVerify, type CheckJob, type VerifyJob } from "../core/jobs";
import { createLogger, type Logger } from "../core/logger";
import { createRedis } from "../core/redis";
import { expireAbandonedCases, stuckSubmissions, undeliveredVerdicts } from "../core/verification/verdicts";
import { createEngine } from "./checks/models";
import { embedDocument } from "./jobs/embed-document";
import { verifySelfie, type VerifyDeps } from "./jobs/verify-selfie";

const SWEEP_QUEUE = "verify-sweep";
/** A submission untouched this long lost its job (or its worker): the sweep re-adds it. */
const STUCK_AFTER_MS = 2 * 60_000;
/** As long as a dialog's replay log lives in Redis (bot/conversation-storage.ts). */
const ABANDONED_AFTER_MS = 7 * 24 * 3600_000;

export interface RunningWorkers {
  worker: Worker<CheckJob>;
  sweeper: Worker;
  close(): Promise<void>;
}

/**
 * The verification worker: models load once, before the first job (a model that
 * fails to load stops the process at start); one BullMQ Worker on the verify queue;
 * a periodic sweep re-enqueues submissions whose job was lost and verdicts never delivered.
 */
export async function startWorkers(config: Config, log: Logger, opts: { dbSchema?: string; apiRoot?: string } = {}): Promise<RunningWorkers> {
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
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 }));
  const deps: VerifyDeps = { ...core, engine, api, i18n: createI18n() };

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

  const sweepQueue = new Queue(SWEEP_QUEUE, { connection, prefix: config.REDIS_PREFIX });
  await sweepQueue.upsertJobScheduler("sweep", { every: 60_000 }, { name: "sweep", opts: { removeOnComplete: 100, removeOnFail: 100 } });
  const sweeper = new Worker(
    SWEEP_QUEUE,
    async () => {
      const before = new Date(Date.now() - STUCK_AFTER_MS);
      const lost = [...(await stuckSubmissions(deps, before)), ...(await undeliveredVerdicts(deps, before))];
      for (const s of lost) await enqueueVerify(deps.verifyQueue, { submissionId: s.id, caseId: s.caseId });
      if (lost.length) log.warn({ count: lost.length }, "sweep re-enqueued submissions");
      const expired = await expireAbandonedCases(deps, new Date(Date.now() - ABANDONED_AFTER_MS));
      if (expired) log.info({ count: expired }, "sweep expired abandoned dialogs");
      return { requeued: lost.length, expired };
    },
    { connection, prefix: config.REDIS_PREFIX, concurrency: 1 },
  );
  sweeper.on("error", (err) => log.error({ err }, "sweeper error"));

  log.info({ concurrency: config.WORKER_CONCURRENCY, queue: QUEUES.verify }, "worker running");
  return {
    worker,
    sweeper,
    async close() {
      // Finishes the jobs in hand; a job that cannot finish in time is picked up again as stalled.
      await Promise.all([worker.close(), sweeper.close()]);
      await sweepQueue.close();
      await core.close();
      connection.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const config = configOrExit(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, name: "worker" });
  let running: RunningWorkers;
  try {
    running = await startWorkers(config, log);
  } catch (err) {
    log.fatal({ err }, "worker could not start");
    process.exit(1);
  }
  stopOnSignals(log, () => running.close());
}

runIfEntry(import.meta.url, main);
