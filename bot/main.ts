import type { RunnerHandle } from "@grammyjs/runner";
import type { BotCommand } from "grammy/types";
import { SANDBOX_TOKEN, type Config } from "../core/config";
import { configOrExit, runIfEntry, stopOnSignals } from "../core/entry";
import { setupDatabase } from "../core/db/setup";
import { createLogger, type Logger } from "../core/logger";
import { METRICS_PORT_OFFSET, createBotMetrics, withMetricsServer, type BotMetrics, type MetricsServer } from "../core/metrics";
import { startStandIn, TELEGRAM_LIMITS, type StandIn } from "../sandbox/stand-in/server";
import { createBot } from "./create-bot";
import { commandMenus, staffCommandMenu } from "./features/commands";
import { enqueueCaseCard } from "../core/jobs";
import { syncAdmins } from "../core/staff/roles";
import { createDeps, type BotDeps } from "./deps";
import { sandboxClock } from "../core/clock";
import { runConfirmingAfterHandling, stopAndDrain } from "./polling";
import { superviseWorkers } from "./supervise";
import { sellerInsight } from "../core/verification/insight";
import { importSeller } from "../core/verification/sellers";
import { startWebApp } from "./webapp/server";

export interface RunningBot {
  deps: BotDeps;
  runner: RunnerHandle;
  standIn?: StandIn;
  /** /healthz, /readyz and /metrics of this bot */
  metrics: MetricsServer;
  stop(): Promise<void>;
}

type StartOptions = { dbSchema?: string; migrate?: boolean; workers?: boolean; now?: () => Date };

/**
 * Starts the bot: without BOT_TOKEN against a local Bot API stand-in (started here
 * unless TELEGRAM_API_ROOT points at one), with BOT_TOKEN against Telegram.
 * The metrics port is taken first: a port in use fails the start before anything else runs.
 */
export async function startBot(config: Config, log: Logger, opts: StartOptions = {}): Promise<RunningBot> {
  const metrics = createBotMetrics();
  return withMetricsServer({ component: "bot", config, registry: metrics.registry, log }, (server) => startBotServing(config, log, opts, metrics, server));
}

async function startBotServing(
  config: Config,
  log: Logger,
  opts: StartOptions,
  metrics: BotMetrics,
  server: MetricsServer,
): Promise<RunningBot> {
  if (opts.migrate !== false) await setupDatabase(config.DATABASE_URL);
  let standIn: StandIn | undefined;
  let apiRoot = config.TELEGRAM_API_ROOT ?? "https://api.telegram.org";
  if (config.sandbox && !config.TELEGRAM_API_ROOT) {
    // Telegram's flood limits on, as in production: the bot's budget must keep within them (POST /sandbox/limits changes them).
    standIn = await startStandIn({ host: config.SANDBOX_HOST, port: config.SANDBOX_PORT, logger: log.child({ name: "stand-in" }), floodModel: TELEGRAM_LIMITS });
    apiRoot = standIn.url;
    // The sandbox's staff group exists with the bot in it, as an admin would have set it up on Telegram.
    if (config.STAFF_CHAT_ID !== undefined) {
      standIn.state.sandboxBot().setBotStatus(config.STAFF_CHAT_ID, "administrator", { fromId: config.ADMIN_TELEGRAM_IDS[0], title: "Shiren staff (sandbox)" });
    }
  }
  const token = config.BOT_TOKEN ?? SANDBOX_TOKEN;
  // Sandbox mode: one clock for the bot and every worker, which POST /sandbox/clock moves (core/clock.ts).
  const clock = !opts.now && config.sandbox ? await sandboxClock(config.REDIS_URL, config.REDIS_PREFIX, log) : null;
  if (standIn && clock) standIn.state.clock = clock;
  const deps = await createDeps(config, log, { apiRoot, token, dbSchema: opts.dbSchema, now: opts.now ?? clock?.now, metrics });
  if (standIn) standIn.state.product = sandboxProduct(deps);
  const { bot, i18n } = createBot(deps, { log });
  await bot.init();
  // The Mini App's camera capture, unless SELFIE_CAPTURE=photo; without WEBAPP_URL its own address is the button's.
  const webApp = config.SELFIE_CAPTURE === "photo" ? null : await startWebApp(deps, bot.api, log.child({ name: "webapp" }));
  if (webApp) deps.webApp.url ??= webApp.url;
  for (const m of commandMenus(i18n)) {
    await bot.api.setMyCommands(m.commands, m.languageCode ? { language_code: m.languageCode } : undefined);
  }
  await setUpStaff(deps, log, (commands) =>
    config.STAFF_CHAT_ID === undefined ? Promise.resolve(true) : bot.api.setMyCommands(commands, { scope: { type: "chat", chat_id: config.STAFF_CHAT_ID } }),
  staffCommandMenu(i18n, config.STAFF_LOCALE));
  // my_chat_member: the bot's membership of the staff group, and sellers who block or unblock it.
  const runner = runConfirmingAfterHandling(bot, log, { allowedUpdates: ["message", "callback_query", "my_chat_member"] });
  server.setReadiness({
    database: () => deps.db.$queryRaw`select 1`,
    redis: () => deps.redis.ping(),
    polling: async () => {
      if (!runner.isRunning()) throw new Error("polling stopped");
    },
  });
  log.info({ username: bot.botInfo.username, apiRoot, sandbox: config.sandbox }, "bot running");
  const workers =
    opts.workers === false || config.WORKER_PROCESSES === 0
      ? null
      : superviseWorkers(
          [
            { script: "workers/main.ts", count: config.WORKER_PROCESSES, metricsPortOffset: METRICS_PORT_OFFSET.worker },
            { script: "workers/staff-main.ts", count: 1, metricsPortOffset: METRICS_PORT_OFFSET.staff },
          ],
          { TELEGRAM_API_ROOT: apiRoot },
          log,
          { metricsPort: config.METRICS_PORT },
        );
  return {
    deps,
    runner,
    standIn,
    metrics: server,
    async stop() {
      await stopAndDrain(runner);
      await webApp?.close();
      await workers?.stop();
      await deps.close();
      await clock?.close();
      await standIn?.close();
      await server.close();
    },
  };
}

/**
 * What the web sandbox may read and do through the product (the stand-in's SandboxProduct):
 * the side panel's masked insight into one seller, and a shop import as the marketplace does it.
 */
export function sandboxProduct(deps: BotDeps) {
  return {
    insight: (who: { userId: number; shopId?: string }) => sellerInsight(deps, who),
    async importShop(row: { shopId: string; shopName: string; reservedPhone: string }) {
      const r = await importSeller(deps, { ...row, riskFlags: [] }, { tokenTtlDays: deps.config.ENROL_LINK_TTL_DAYS });
      return { shopId: r.shopId, startParam: r.token };
    },
  };
}

/** Admins from ADMIN_TELEGRAM_IDS, and the staff group's command menu (best effort: the bot may not be in it yet). */
async function setUpStaff(deps: BotDeps, log: Logger, setMenu: (c: BotCommand[]) => Promise<unknown>, menu: BotCommand[]): Promise<void> {
  const { added, removed, released } = await syncAdmins(deps, deps.config.ADMIN_TELEGRAM_IDS);
  const at = deps.now().getTime();
  for (const caseId of released) await enqueueCaseCard(deps.staffQueue, { caseId, at });
  if (added || removed) log.info({ added, removed }, "admins synced from ADMIN_TELEGRAM_IDS");
  if (deps.config.STAFF_CHAT_ID === undefined) log.warn("STAFF_CHAT_ID is not set: cases that need staff are not posted anywhere");
  else if (!deps.config.ADMIN_TELEGRAM_IDS.length) log.warn("ADMIN_TELEGRAM_IDS is empty: nobody can add staff");
  await setMenu(menu).catch((err: unknown) => log.warn({ err }, "could not set the staff group's command menu"));
}

/**
 * Sandbox mode (no BOT_TOKEN) comes with a staff group and an admin, so the web sandbox shows
 * the staff side too; set STAFF_CHAT_ID and ADMIN_TELEGRAM_IDS to choose others. Written into
 * the environment, so the worker processes started below read the same.
 */
function sandboxStaffDefaults(env: NodeJS.ProcessEnv): void {
  if (env.BOT_TOKEN) return;
  env.STAFF_CHAT_ID ??= "-1001";
  env.ADMIN_TELEGRAM_IDS ??= "1";
}

async function main(): Promise<void> {
  sandboxStaffDefaults(process.env);
  const config = configOrExit(process.env);
  const log = createLogger({ level: config.LOG_LEVEL, name: "bot" });
  // The address comes first, before the start-up log: it is what a newcomer needs.
  if (config.sandbox && !config.TELEGRAM_API_ROOT) console.log(`\nShiren sandbox: open http://${config.SANDBOX_HOST}:${config.SANDBOX_PORT}/ (ready in a few seconds)\n`);
  const running = await startBot(config, log);
  if (running.standIn) {
    const u = running.standIn.url;
    console.log(
      [
        "",
        `Ready: open ${u}/ to try Shiren: a web chat with the bot, sellers, the staff group and what happens behind the scenes.`,
        "",
        `It runs in sandbox mode against the local Bot API stand-in at ${u}. The same from a terminal, as user 42:`,
        `  curl -s -XPOST ${u}/sandbox/users/42/send -H 'content-type: application/json' -d '{"text":"/start"}'`,
        `  curl -s '${u}/sandbox/chats/42/messages?after=0&wait=5'`,
        "Sellers come from `npm run sellers:import -- sellers.csv` (or set OPEN_ENROLMENT=true). README.md lists the whole sandbox API.",
        ...(config.STAFF_CHAT_ID !== undefined
          ? [
              `Staff group ${config.STAFF_CHAT_ID}: curl -s '${u}/sandbox/chats/${config.STAFF_CHAT_ID}/messages?after=0&wait=5'`,
              `  (admins: ${config.ADMIN_TELEGRAM_IDS.join(", ") || "none: set ADMIN_TELEGRAM_IDS"}; press a card's button with {"callback_data","message_id","chat_id":${config.STAFF_CHAT_ID}})`,
            ]
          : []),
        "",
      ].join("\n"),
    );
  }
  stopOnSignals(log, () => running.stop());
}

runIfEntry(import.meta.url, main);
