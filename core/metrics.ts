import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Queue, Worker } from "bullmq";
import type { Transformer } from "grammy";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Logger } from "./logger";

export type { Registry } from "prom-client";

/**
 * Health and Prometheus metrics for every process: /healthz (the process answers),
 * /readyz (its dependencies answer) and /metrics. Each running component gets a
 * registry of its own, never prom-client's global one: tests run the bot and the
 * workers in one process, and each must serve only its own figures.
 */

export type Component = "bot" | "staff" | "worker";

/** Port offsets from METRICS_PORT: bot +0, staff process +1, verification workers +2, +3, ... (0 stays 0: a free port each). */
export const METRICS_PORT_OFFSET = { bot: 0, staff: 1, worker: 2 } as const;

export function metricsPortOf(base: number, offset: number): number {
  if (base === 0) return 0;
  const port = base + offset;
  if (port > 65535) throw new Error(`METRICS_PORT ${base} + ${offset} is past 65535: choose a lower METRICS_PORT`);
  return port;
}

/** A registry with prom-client's process metrics (CPU, memory, event loop lag, GC), every series labelled with its component. */
export function createRegistry(component: Component): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  collectDefaultMetrics({ register: registry, prefix: "shiren_" });
  return registry;
}

const SECONDS = (ms: number) => ms / 1000;

// ------------------------------------------------------------------ Telegram

/**
 * Counts Bot API requests by method and outcome. Install it BEFORE auto-retry, so it
 * sits inside it and sees every attempt: a 429 that auto-retry waits out is counted.
 * Outcome: "ok", Telegram's error_code ("400", "403", "429", ...), "network", or "aborted"
 * (a request we cancelled ourselves, e.g. the long poll at shutdown).
 */
export function telegramApiMetrics(registry: Registry): Transformer {
  const calls = new Counter({
    name: "shiren_telegram_api_calls_total",
    help: "Bot API requests by method and outcome (ok, the error_code, network, aborted); each retry counts",
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const tooMany = new Counter({
    name: "shiren_telegram_api_429_total",
    help: "Bot API requests answered 429 Too Many Requests, by method",
    labelNames: ["method"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "shiren_telegram_api_duration_seconds",
    help: "Bot API request time by method (getUpdates includes its long poll)",
    labelNames: ["method"] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return async (prev, method, payload, signal) => {
    const t0 = performance.now();
    try {
      const res = await prev(method, payload, signal);
      const outcome = res.ok ? "ok" : String(res.error_code);
      calls.inc({ method, outcome });
      if (!res.ok && res.error_code === 429) tooMany.inc({ method });
      return res;
    } catch (err) {
      calls.inc({ method, outcome: signal?.aborted ? "aborted" : "network" });
      throw err;
    } finally {
      duration.observe({ method }, SECONDS(performance.now() - t0));
    }
  };
}

// ----------------------------------------------------------------------- bot

/** A dialog step's name, a constant in the dialog's code (consent, face, region, name, id, phone, document, selfie, ...): never user input. */
export type DialogStep = string;

export interface BotMetrics {
  registry: Registry;
  /** for bot.api and, for live updates only, the conversations' own Api objects */
  telegram: Transformer;
  /**
   * The outermost middleware calls this when an update arrives and calls the returned
   * function once it was handled: one count by type, and the step latency if a dialog
   * step took the update (`dialogStep`).
   */
  arrived(update: object): () => void;
  /** True only for an update object that arrived through `arrived` and is still being handled, never for one read back from a replay log. */
  isLive(update: object): boolean;
  /** A dialog step took this update: observed when its handling ends, if it is live (replayed updates are ignored). */
  dialogStep(update: object, step: DialogStep): void;
  handlerError(kind: "user" | "telegram" | "network" | "internal"): void;
}

export function createBotMetrics(registry: Registry = createRegistry("bot")): BotMetrics {
  const updates = new Counter({
    name: "shiren_bot_updates_total",
    help: "Updates the bot handled, by type (message, callback_query, my_chat_member, ...)",
    labelNames: ["type"] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: "shiren_bot_handler_errors_total",
    help: "Updates that ended in the error boundary, by kind (user: a UserError answered in words; telegram, network, internal)",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const steps = new Histogram({
    name: "shiren_dialog_step_duration_seconds",
    help: "Verification dialog: from a seller's answer reaching the bot to the bot having handled it (next prompt sent), by step",
    labelNames: ["step"] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  // Keyed by the update object itself: the conversations plugin hands a conversation the very
  // object the middleware saw, while the updates it replays are parsed anew from its log.
  const live = new WeakMap<object, { at: number; step?: DialogStep }>();
  return {
    registry,
    telegram: telegramApiMetrics(registry),
    arrived(update) {
      const mark: { at: number; step?: DialogStep } = { at: performance.now() };
      live.set(update, mark);
      return () => {
        live.delete(update);
        updates.inc({ type: updateType(update) });
        if (mark.step) steps.observe({ step: mark.step }, SECONDS(performance.now() - mark.at));
      };
    },
    isLive: (update) => live.has(update),
    dialogStep(update, step) {
      const mark = live.get(update);
      if (mark) mark.step = step;
    },
    handlerError: (kind) => errors.inc({ kind }),
  };
}

function updateType(update: object): string {
  for (const k in update) if (k !== "update_id") return k;
  return "unknown";
}

// ------------------------------------------------------------------- workers

export const CHECK_STAGES = ["decode", "phash", "faces", "reference", "hands", "total"] as const;

export interface CheckMetrics {
  registry: Registry;
  /** Stage timings of one check in ms (run-checks' report.timings); a stage at 0 did not run and is not observed. */
  observeStages(timings: Partial<Record<(typeof CHECK_STAGES)[number], number>>): void;
  /** One recorded verdict: counted once, and once per reason. */
  verdict(verdict: "pass" | "fail" | "review", reasons: readonly string[]): void;
  modelBackend(labels: { backend: string; tfjs: string; human: string }): void;
}

export function createCheckMetrics(registry: Registry): CheckMetrics {
  const stages = new Histogram({
    name: "shiren_check_stage_duration_seconds",
    help: "Photo check time by stage (decode, phash, faces, reference, hands, total); stages that did not run are not observed",
    labelNames: ["stage"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const verdicts = new Counter({
    name: "shiren_verdicts_total",
    help: "Verdicts recorded by the checks, by verdict (pass, fail, review)",
    labelNames: ["verdict"] as const,
    registers: [registry],
  });
  const reasons = new Counter({
    name: "shiren_verdict_reasons_total",
    help: "Reasons given with recorded verdicts (codes of core/verification/decision.ts), by verdict and reason; a verdict may carry several",
    labelNames: ["verdict", "reason"] as const,
    registers: [registry],
  });
  const backend = new Gauge({
    name: "shiren_model_backend_info",
    help: "The TensorFlow.js backend the models run on (value 1), with the tfjs and Human versions",
    labelNames: ["backend", "tfjs", "human"] as const,
    registers: [registry],
  });
  return {
    registry,
    observeStages(timings) {
      for (const stage of CHECK_STAGES) {
        const ms = timings[stage];
        if (ms !== undefined && ms > 0) stages.observe({ stage }, SECONDS(ms));
      }
    },
    verdict(verdict, rs) {
      verdicts.inc({ verdict });
      for (const reason of rs) reasons.inc({ verdict, reason });
    },
    modelBackend(labels) {
      backend.reset();
      backend.set(labels, 1);
    },
  };
}

/** Jobs BullMQ Workers finished, by outcome, and their processing time (BullMQ's own processedOn/finishedOn): call the result once per Worker. */
export function createJobMetrics(registry: Registry): (worker: Worker, queue: string) => void {
  const jobs = new Counter({
    name: "shiren_worker_jobs_total",
    help: "Jobs this process finished, by queue, job name and outcome (completed; failed counts every failed attempt)",
    labelNames: ["queue", "job", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "shiren_worker_job_duration_seconds",
    help: "Processing time of finished jobs (attempts), by queue and job name",
    labelNames: ["queue", "job"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return (worker, queue) => {
    const done = (outcome: string) => (job: { name: string; processedOn?: number; finishedOn?: number } | undefined) => {
      if (!job) return;
      jobs.inc({ queue, job: job.name, outcome });
      if (job.processedOn && job.finishedOn) duration.observe({ queue, job: job.name }, SECONDS(job.finishedOn - job.processedOn));
    };
    worker.on("completed", done("completed"));
    worker.on("failed", done("failed"));
  };
}

// -------------------------------------------------------------------- queues

const QUEUE_STATES = ["waiting", "active", "delayed", "failed"] as const;

/**
 * Queue depth and the age of the oldest waiting job, read from Redis when Prometheus
 * scrapes (two small commands per queue), not polled. Every process reports the same
 * figures: aggregate with max by (queue). A scrape that cannot reach Redis within a
 * second leaves the series out rather than reporting stale ones.
 */
export function watchQueues(registry: Registry, queues: readonly Queue[], log: Logger, timeoutMs = 1_000): void {
  new Gauge({
    name: "shiren_queue_jobs",
    help: "Jobs in each queue by state (waiting, active, delayed, failed), read at scrape time",
    labelNames: ["queue", "state"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await withTimeout(Promise.all(queues.map((q) => q.getJobCounts(...QUEUE_STATES))), timeoutMs, "queue counts");
        queues.forEach((q, i) => {
          for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[i]![state] ?? 0);
        });
      } catch (err) {
        log.warn({ err: (err as Error).message }, "metrics: queue counts unavailable");
      }
    },
  });
  new Gauge({
    name: "shiren_queue_oldest_waiting_seconds",
    help: "Age of the oldest waiting job in each queue since it was added (0: none waiting; a retried job keeps its first timestamp)",
    labelNames: ["queue"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const oldest = await withTimeout(Promise.all(queues.map((q) => q.getWaiting(0, 0))), timeoutMs, "oldest waiting jobs");
        const now = Date.now();
        queues.forEach((q, i) => {
          const job = oldest[i]![0];
          this.set({ queue: q.name }, job ? Math.max(0, SECONDS(now - job.timestamp)) : 0);
        });
      } catch (err) {
        log.warn({ err: (err as Error).message }, "metrics: oldest waiting jobs unavailable");
      }
    },
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

// -------------------------------------------------------------------- server

/** Readiness checks by name: each resolves when that dependency answers; a rejection or a timeout means not ready. */
export type ReadinessChecks = Record<string, () => Promise<unknown>>;

export interface MetricsServer {
  readonly port: number;
  /** e.g. http://127.0.0.1:9460 */
  readonly url: string;
  /** What /readyz checks from now on; before the first call it answers 503 "starting". */
  setReadiness(checks: ReadinessChecks): void;
  close(): Promise<void>;
}

/** A check for what is still being prepared (e.g. models loading): not ready, with that reason. */
export const notYet = (reason: string) => () => Promise.reject(new Error(reason));

/**
 * /healthz, /readyz and /metrics on plain node:http. A port already in use fails the
 * start with an error naming it: two processes must not share one metrics port.
 */
/**
 * Takes the metrics port first (a port in use fails the start before anything else runs),
 * then starts the component with it; a start that fails gives the port back.
 */
export async function withMetricsServer<T>(
  opts: { component: Component; config: { METRICS_HOST: string; METRICS_PORT: number }; registry: Registry; log: Logger },
  start: (server: MetricsServer) => Promise<T>,
): Promise<T> {
  const server = await startMetricsServer({ component: opts.component, host: opts.config.METRICS_HOST, port: opts.config.METRICS_PORT, registry: opts.registry, log: opts.log });
  try {
    return await start(server);
  } catch (err) {
    await server.close();
    throw err;
  }
}

export async function startMetricsServer(opts: {
  component: Component;
  host: string;
  port: number;
  registry: Registry;
  log: Logger;
  checkTimeoutMs?: number;
}): Promise<MetricsServer> {
  const { registry, log } = opts;
  const checkTimeoutMs = opts.checkTimeoutMs ?? 2_000;
  let checks: ReadinessChecks = { starting: notYet("starting") };

  async function readiness(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const names = Object.keys(checks);
    const results = await Promise.allSettled(names.map((n) => withTimeout(Promise.resolve().then(checks[n]!), checkTimeoutMs, n)));
    const out: Record<string, string> = {};
    let ready = true;
    results.forEach((r, i) => {
      if (r.status === "fulfilled") out[names[i]!] = "ok";
      else {
        ready = false;
        out[names[i]!] = r.reason instanceof Error ? r.reason.message.slice(0, 200) : String(r.reason).slice(0, 200);
      }
    });
    return { ready, checks: out };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return send(res, 200, "text/plain", "ok\n");
    if (path === "/readyz") {
      const r = await readiness();
      return send(res, r.ready ? 200 : 503, "application/json", JSON.stringify({ status: r.ready ? "ready" : "not ready", component: opts.component, checks: r.checks }));
    }
    if (path === "/metrics") return send(res, 200, registry.contentType, await registry.metrics());
    return send(res, 404, "text/plain", "not found: /healthz, /readyz, /metrics\n");
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, "metrics endpoint failed");
      if (!res.headersSent) send(res, 500, "text/plain", "internal error\n");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      const where = `${opts.host}:${opts.port}, ${{ bot: "the bot's", staff: "the staff process's", worker: "a verification worker's" }[opts.component]}`;
      if (err.code === "EADDRINUSE") reject(new Error(`metrics port ${opts.port} (${where}) is already in use: set METRICS_PORT to a free port`, { cause: err }));
      else if (err.code === "EACCES") reject(new Error(`metrics port ${opts.port} (${where}) is not permitted: set METRICS_PORT above 1023`, { cause: err }));
      else reject(err);
    };
    server.once("error", failed);
    server.listen(opts.port, opts.host, () => {
      server.off("error", failed);
      server.on("error", (err) => log.error({ err }, "metrics server error"));
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  log.info({ port, host: opts.host }, "serving /healthz, /readyz and /metrics");
  return {
    port,
    url: `http://${host}:${port}`,
    setReadiness(next) {
      checks = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
