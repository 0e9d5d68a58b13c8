import type { RunnerHandle } from "@grammyjs/runner";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { configOrExit, runIfEntry, stopOnSignals } from "../core/entry";
import { setupDatabase } from "../core/db/setup";
import { createLogger, type Logger } from "../core/logger";
import { startStandIn, type StandIn } from "../core/telegram-stand-in/server";
import { createBot } from "./create-bot";
import { commandMenus } from "./features/commands";
import { createDeps, type BotDeps } from "./deps";
import { runConfirmingAfterHandling, stopAndDrain } from "./polling";
import { superviseWorkers } from "./supervise";

export interface RunningBot {
  deps: BotDeps;
  runner: RunnerHandle;
  standIn?: StandIn;
  stop(): Promise<void>;
}

/**
 * Starts the bot: without BOT_TOKEN against a local Bot API stand-in (started here
 * unless TELEGRAM_API_ROOT points at one), with BOT_TOKEN against Telegram.
 */
export async function startBot(config: Config, log: Logger, opts: { dbSchema?: string; migrate?: boolean; workers?: boolean } = {}): Promise<RunningBot> {
  if (opts.migrate !== false) await setupDatabase(config.DATABASE_URL);
  let standIn: StandIn | undefined;
  let apiRoot = config.TELEGRAM_API_ROOT ?? "https://api.telegram.org";
  if (config.sandbox && !config.TELEGRAM_API_ROOT) {
    standIn = await startStandIn({ host: config.SANDBOX_HOST, port: config.SANDBOX_PORT, logger: log.child({ name: "stand-in" }) });
    apiRoot = standIn.url;
  }
  const token = config.BOT_TOKEN ?? SANDBOX_TOKEN;
  const deps = await createDeps(config, log, { apiRoot, token, dbSchema: opts.dbSchema });
  const { bot, i18n } = createBot(deps, { log });
  await bot.init();
  for (const m of commandMenus(i18n)) {
    await bot.api.setMyCommands(m.commands, m.languageCode ? { language_code: m.languageCode } : undefined);
  }
  const runner = runConfirmingAfterHandling(bot, log, { allowedUpdates: ["message", "callback_query"] });
  log.info({ username: bot.botInfo.username, apiRoot, sandbox: config.sandbox }, "bot running");
  const workers = opts.workers === false || config.WORKER_PROCESSES === 0 ? null : superviseWorkers(config.WORKER_PROCESSES, { TELEGRAM_API_ROOT: apiRoot }, log);
  return {
    deps,
    runner,
    standIn,
    async stop() {
      await stopAndDrain(runner);
      await workers?.stop();
      await deps.close();
      await standIn?.close();
    },
  };
}

async function main(): Promise<void> {
  const config = configOrExit(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, name: "bot" });
  const running = await startBot(config, log);
  if (running.standIn) {
    const u = running.standIn.url;
    console.log(
      [
        "",
        `Shiren is running in sandbox mode against the local Bot API stand-in at ${u}`,
        "Talk to it as user 42, for example:",
        `  curl -s -XPOST ${u}/sandbox/users/42/send -H 'content-type: application/json' -d '{"text":"/start"}'`,
        `  curl -s '${u}/sandbox/chats/42/messages?after=0&wait=5'`,
        "Sellers come from `npm run sellers:import -- sellers.csv` (or set OPEN_ENROLMENT=true). README.md lists the whole sandbox API.",
        "",
      ].join("\n"),
    );
  }
  stopOnSignals(log, () => running.stop());
}

runIfEntry(import.meta.url, main);
