import { createConcurrentSink, createRunner, createSource, type RunnerHandle, type UpdateSupplier } from "@grammyjs/runner";
import { GrammyError, type Bot } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../core/logger";
import type { BotContext } from "./context";

/**
 * Long polling that confirms an update to Telegram only once it was handled.
 *
 * @grammyjs/runner's own fetcher moves the offset past a batch as soon as it asks
 * for the next one, while handlers still run: a crash then loses the answers in
 * flight (measured: 0 unconfirmed updates at SIGKILL). Here the offset stays at
 * the oldest update still being handled, so after a crash Telegram redelivers
 * it, and the update_id dedupe skips the ones that had completed.
 */
export function runConfirmingAfterHandling(
  bot: Bot<BotContext>,
  log: Logger,
  opts: { concurrency?: number; allowedUpdates?: string[]; pollTimeoutSeconds?: number } = {},
): RunnerHandle {
  const inFlight = new Set<number>();
  let nextId = 0;
  let wake: () => void = () => undefined;
  let completed = new Promise<void>((r) => (wake = r));
  const settle = (id: number) => {
    inFlight.delete(id);
    wake();
    completed = new Promise<void>((r) => (wake = r));
  };

  const supplier: UpdateSupplier<Update> = {
    async supply(batchSize, signal) {
      let retryMs = 100;
      for (;;) {
        const offset = inFlight.size ? Math.min(...inFlight) : nextId;
        let updates: Update[];
        try {
          updates = await bot.api.getUpdates(
            {
              offset,
              limit: Math.max(1, Math.min(batchSize, 100)),
              // Something older is still being handled: Telegram will answer at once with it,
              // so do not long-poll (and do not spin either, see below).
              timeout: inFlight.size ? 0 : (opts.pollTimeoutSeconds ?? 30),
              allowed_updates: opts.allowedUpdates as never,
            },
            // the runner hands us its own AbortSignal polyfill type; at run time it is Node's
            signal as never,
          );
          retryMs = 100;
        } catch (err) {
          if (signal.aborted) throw err;
          // 401/409 cannot heal by retrying (wrong token, a second poller): crash loudly.
          if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 409)) throw err;
          log.warn({ err, retryMs }, "getUpdates failed; retrying");
          await new Promise((r) => setTimeout(r, retryMs));
          retryMs = Math.min(retryMs * 2, 30_000);
          continue;
        }
        const fresh = updates.filter((u) => u.update_id >= nextId);
        if (fresh.length) {
          for (const u of fresh) inFlight.add(u.update_id);
          nextId = fresh[fresh.length - 1]!.update_id + 1;
          return fresh;
        }
        if (!inFlight.size) continue; // long poll timed out empty
        // Only updates we are already handling came back: wait for one to finish (or 50 ms) before asking again.
        await Promise.race([completed, new Promise((r) => setTimeout(r, 50))]);
        if (signal.aborted) return [];
      }
    },
  };

  const sink = createConcurrentSink<Update, unknown>(
    {
      consume: async (update) => {
        try {
          await bot.handleUpdate(update);
        } finally {
          settle(update.update_id);
        }
      },
    },
    async (err) => {
      try {
        await bot.errorHandler(err as never);
      } catch (e) {
        log.error({ err: e }, "error handler failed");
      }
    },
    { concurrency: opts.concurrency ?? 500 },
  );
  const runner = createRunner(createSource(supplier), sink);
  runner.start();
  return runner;
}

/** Stops fetching, then waits (bounded) for the updates being handled, so none is cut off mid-way. */
export async function stopAndDrain(runner: RunnerHandle, timeoutMs = 15_000): Promise<void> {
  if (runner.isRunning()) await runner.stop();
  const deadline = Date.now() + timeoutMs;
  while (runner.size() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
