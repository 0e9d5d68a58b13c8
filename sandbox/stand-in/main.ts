import { parseArgs } from "node:util";
import { createLogger } from "../../core/logger";
import { startStandIn, TELEGRAM_LIMITS } from "./server";

/**
 * Entry: tsx sandbox/stand-in/main.ts [--port 8081] [--host 127.0.0.1] [--log-level info] [--flood-model]
 * --flood-model answers 429s beyond Telegram's rates (off by default: the benches send far above them).
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8081" },
    host: { type: "string", default: "127.0.0.1" },
    "log-level": { type: "string", default: "info" },
    "bot-username": { type: "string" },
    "flood-model": { type: "boolean", default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be 0..65535, got ${values.port}`);
  process.exit(2);
}

const logger = createLogger({ level: values["log-level"], name: "telegram-stand-in" });
const standIn = await startStandIn({
  host: values.host,
  port,
  logger,
  ...(values["bot-username"] ? { bot: { username: values["bot-username"] } } : {}),
  ...(values["flood-model"] ? { floodModel: TELEGRAM_LIMITS } : {}),
});
logger.info({ apiRoot: standIn.apiRoot, sandbox: `${standIn.url}/sandbox` }, "ready: set the bot's apiRoot to this url");

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    standIn.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err: String(err) }, "close failed");
        process.exit(1);
      },
    );
  });
}
