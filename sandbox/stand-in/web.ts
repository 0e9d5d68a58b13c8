import { readFile, readdir, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import type { BotState } from "./state";

/**
 * The web sandbox (sandbox/web/): a chat page on the stand-in's own address. Its script is
 * TypeScript bundled by esbuild on the first request (and again when a file changed), so the
 * repository holds no build output and `npm start` needs no build step.
 */
const WEB_DIR = fileURLToPath(new URL("../web/", import.meta.url));
const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/web/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};
const SECURITY_HEADERS = {
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  // Everything the page loads comes from this address; camera frames become data: URLs and blobs.
  // Mini Apps open in a frame: over HTTPS, or from this machine (the sandbox's own, without TLS).
  "content-security-policy": "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-src https: http://127.0.0.1:* http://localhost:*",
};

let bundle: { stamp: number; code: Promise<string> } | undefined;

async function newestChange(): Promise<number> {
  const names = await readdir(WEB_DIR);
  const times = await Promise.all(names.map(async (n) => (await stat(WEB_DIR + n)).mtimeMs));
  return Math.max(0, ...times);
}

async function appScript(): Promise<string> {
  const stamp = await newestChange();
  if (!bundle || bundle.stamp !== stamp) {
    const code = (async () => {
      const { build } = await import("esbuild");
      const out = await build({
        entryPoints: [`${WEB_DIR}app.ts`],
        bundle: true,
        write: false,
        format: "esm",
        target: "es2022",
        sourcemap: "inline",
        logLevel: "silent",
      });
      return out.outputFiles[0]?.text ?? "";
    })();
    bundle = { stamp, code };
    code.catch(() => {
      if (bundle?.code === code) bundle = undefined;
    });
  }
  return bundle.code;
}

/** Serves the page and its files; false when the path is not one of them. */
export async function serveWeb(path: string, res: ServerResponse): Promise<boolean> {
  if (path === "/web/app.js") {
    const code = await appScript();
    res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", ...SECURITY_HEADERS });
    res.end(code);
    return true;
  }
  const entry = STATIC[path];
  if (!entry) return false;
  const body = await readFile(WEB_DIR + entry.file);
  res.writeHead(200, { "content-type": entry.type, "content-length": body.length, ...SECURITY_HEADERS });
  res.end(body);
  return true;
}

const KEEPALIVE_MS = 15_000;

/**
 * GET /sandbox/events: server-sent events, one `change` event per chat that changed
 * (`{"chat_id"}`) or per change to the users and chats (`{"users":true}`). The page
 * then reads what changed through the ordinary sandbox routes.
 */
export function streamEvents(bot: BotState, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  res.write("retry: 1000\n\n");
  const watcher = (change: object) => {
    res.write(`event: change\ndata: ${JSON.stringify(change)}\n\n`);
  };
  bot.watchers.add(watcher);
  const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
  const stop = () => {
    clearInterval(keepalive);
    bot.watchers.delete(watcher);
  };
  req.on("close", stop);
  res.on("error", stop);
}
