import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Logger } from "../core/logger";
import { metricsPortOf } from "../core/metrics";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * `npm start` runs the workers beside the bot as child processes: the verification
 * workers (one per core is the useful maximum: the wasm backend is single-threaded)
 * and one staff process (staff group, decisions, the sweep). A crashed worker is
 * restarted with a growing delay; in production run them as their own services instead
 * (`node --import tsx workers/main.ts`, `... workers/staff-main.ts`, WORKER_PROCESSES=0 here).
 * Each child serves its metrics on its own port: `metricsPort` + the kind's offset + its slot
 * (a restarted child keeps its slot's port); a base of 0 gives every child a free port of its own.
 */
export function superviseWorkers(
  kinds: { script: string; count: number; metricsPortOffset: number }[],
  env: Record<string, string>,
  log: Logger,
  opts: { metricsPort: number },
): { stop(): Promise<void> } {
  // Checked here, before anything is spawned: a child past port 65535 would only fail and restart forever.
  const ports = kinds.map((k) => Array.from({ length: k.count }, (_, slot) => String(metricsPortOf(opts.metricsPort, k.metricsPortOffset + slot))));
  const children = new Set<ChildProcess>();
  let stopping = false;
  const start = (kind: number, slot: number, delayMs: number) => {
    const script = kinds[kind]!.script;
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      cwd: ROOT,
      env: { ...process.env, ...env, METRICS_PORT: ports[kind]![slot]! },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.add(child);
    const startedAt = Date.now();
    child.once("exit", (code, signal) => {
      children.delete(child);
      if (stopping) return;
      // A worker that ran for a minute gets a fresh delay; one that dies at start backs off to 30 s.
      const next = Date.now() - startedAt > 60_000 ? 1_000 : Math.min(delayMs * 2, 30_000);
      log.error({ script, slot, code, signal, restartInMs: next }, "worker process exited; restarting");
      setTimeout(() => !stopping && start(kind, slot, next), next).unref();
    });
  };
  kinds.forEach((k, kind) => {
    for (let i = 0; i < k.count; i++) start(kind, i, 500);
  });
  return {
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (c) =>
            new Promise<void>((resolve) => {
              c.once("exit", () => resolve());
              c.kill("SIGTERM");
              setTimeout(() => c.kill("SIGKILL"), 30_000).unref();
            }),
        ),
      );
    },
  };
}
