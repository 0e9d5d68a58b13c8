import { ConfigError, parseConfig, type Config } from "./config";
import { createLogger, type Logger } from "./logger";

/** What every entry file (bot, worker, CLIs) does first: the config, or one clear error and exit 1. */
export function configOrExit(env: Record<string, string | undefined>): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** SIGINT/SIGTERM -> one graceful stop, exit 0 when it completes (1 when it fails). */
export function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping");
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));
}

/** Runs `main` when the file is the process entry (not when a test imports it); `brief`: a CLI prints the message, not the stack. */
export function runIfEntry(metaUrl: string, main: () => Promise<void>, opts: { brief?: boolean } = {}): void {
  if (metaUrl !== `file://${process.argv[1]}`) return;
  main().catch((err: unknown) => {
    console.error(opts.brief && err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

/** The Bot API root for processes beside the bot: the configured one, else the sandbox stand-in `npm start` runs. */
export function apiRootOf(config: Config): string | undefined {
  return config.TELEGRAM_API_ROOT ?? (config.sandbox ? `http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}` : undefined);
}

/** A background process's entry: config, logger, start (failing to start is fatal), a graceful stop on signals. */
export async function serveUntilSignalled(name: string, start: (config: Config, log: Logger) => Promise<{ close(): Promise<void> }>): Promise<void> {
  const config = configOrExit(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, name });
  let running: { close(): Promise<void> };
  try {
    running = await start(config, log);
  } catch (err) {
    log.fatal({ err }, `${name} could not start`);
    process.exit(1);
  }
  stopOnSignals(log, () => running.close());
}
