import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { countedMethod, floodChatId, type FloodModelOptions } from "./flood";
import { METHODS, type MethodEnv } from "./methods";
import { boundaryOf, MultipartError, parseMultipart } from "./multipart";
import { serveWeb, streamEvents } from "./web";
import { handleSandbox } from "./sandbox";
import { StandInState, TOKEN_RE, type SandboxClockControl, type BotIdentityOptions, type BotState, type StateLimits } from "./state";
import { ApiError, SandboxError, silentLogger, type ApiCall, type LoggerLike, type Params, type UploadedFile } from "./types";

export type { StandInState, BotState, StateLimits, SandboxClockControl } from "./state";
export type { LoggerLike } from "./types";
export { TELEGRAM_LIMITS, DEFAULT_FLOOD_LIMITS, type FloodLimits, type FloodModelOptions, type LimitsJson, type StatsJson, type SendCounts } from "./flood";

export interface StandInOptions {
  host?: string;
  /** 0 = a random free port */
  port?: number;
  bot?: BotIdentityOptions;
  logger?: LoggerLike;
  limits?: Partial<StateLimits>;
  /**
   * Telegram's 429s for sends beyond its rates; off unless `enabled` (TELEGRAM_LIMITS = the
   * real figures, on). Changed at run time per bot with `POST /sandbox/limits`.
   */
  floodModel?: FloodModelOptions;
  /** the bot's clock, when a bot runs beside the stand-in (sandbox mode): /sandbox/clock reads and moves it */
  clock?: SandboxClockControl;
}

export interface StandIn {
  /** e.g. http://127.0.0.1:8081 */
  url: string;
  /** Same as url; pass as grammY `client: { apiRoot }`. */
  apiRoot: string;
  token?: never;
  state: StandInState;
  close(): Promise<void>;
}

/** Telegram accepts uploads up to 50 MB; the sandbox gets room for 50 MB in base64. */
const API_BODY_LIMIT = 60 * 1024 * 1024;
const SANDBOX_BODY_LIMIT = 80 * 1024 * 1024;

class BodyTooLarge extends Error {}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
  res.end(s);
}

function apiError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.code, {
    ok: false,
    error_code: err.code,
    description: err.description,
    ...(err.parameters ? { parameters: err.parameters } : {}),
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve(Buffer.alloc(0));
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseParams(contentType: string, body: Buffer, query: string): { params: Params; files: Map<string, UploadedFile> } {
  const params: Params = {};
  let files = new Map<string, UploadedFile>();
  if (query) for (const [k, v] of new URLSearchParams(query)) params[k] = v;
  if (body.length === 0) return { params, files };
  const ct = contentType.toLowerCase();
  if (ct.startsWith("multipart/form-data")) {
    const boundary = boundaryOf(contentType);
    if (!boundary) throw new ApiError(400, "Bad Request: multipart boundary is missing");
    const parsed = parseMultipart(body, boundary);
    Object.assign(params, parsed.fields);
    files = parsed.files;
  } else if (ct.startsWith("application/x-www-form-urlencoded")) {
    for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params[k] = v;
  } else {
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      throw new ApiError(400, "Bad Request: can't parse JSON request body");
    }
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ApiError(400, "Bad Request: request body must be a JSON object");
    Object.assign(params, json);
  }
  return { params, files };
}

function closeHook(res: ServerResponse): (fn: () => void) => void {
  return (fn) => {
    res.once("close", () => {
      if (!res.writableFinished) fn();
    });
  };
}

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const logger = opts.logger ?? silentLogger;
  const state = new StandInState(opts.bot, opts.limits, logger, opts.floodModel);
  state.clock = opts.clock;

  async function runMethod(bot: BotState, method: string, call: ApiCall): Promise<unknown> {
    const handler = METHODS.get(method.toLowerCase());
    if (!handler) throw new ApiError(404, "Not Found: method not found");
    const counted = countedMethod(method);
    if (!counted) {
      const fault = bot.faults.take(method, call.params.chat_id);
      if (fault) throw fault;
      return handler(bot, call, env);
    }
    const chatId = floodChatId(call.params.chat_id);
    try {
      // Injected faults first, as before the flood model existed; a send that passes both
      // has used its tokens even if the method then fails (400, 403): it was an attempt.
      const fault = bot.faults.take(method, call.params.chat_id) ?? bot.flood.take(chatId);
      if (fault) throw fault;
      const result = await handler(bot, call, env);
      bot.stats.record(counted, chatId, "ok");
      return result;
    } catch (err) {
      bot.stats.record(counted, chatId, err instanceof ApiError && err.code === 429 ? "too_many" : "error");
      throw err;
    }
  }

  const env: MethodEnv = {
    state,
    run: (bot, method, params) => runMethod(bot, method, { method, params, files: new Map(), onClose: () => {} }),
  };

  async function handleApi(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const slash = path.indexOf("/", 4);
    const token = decodeURIComponent(slash < 0 ? path.slice(4) : path.slice(4, slash));
    if (!TOKEN_RE.test(token)) return apiError(res, new ApiError(401, "Unauthorized"));
    let method = slash < 0 ? "" : path.slice(slash + 1);
    if (method.startsWith("test/")) method = method.slice(5);
    if (!METHODS.has(method.toLowerCase())) return apiError(res, new ApiError(404, "Not Found: method not found"));
    let body: Buffer;
    try {
      body = await readBody(req, API_BODY_LIMIT);
    } catch (err) {
      if (err instanceof BodyTooLarge) return apiError(res, new ApiError(413, "Request Entity Too Large"));
      throw err;
    }
    const bot = state.botForToken(token);
    try {
      const { params, files } = parseParams(req.headers["content-type"] ?? "", body, query);
      const result = await runMethod(bot, method, { method, params, files, onClose: closeHook(res) });
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      if (err instanceof ApiError) return apiError(res, err);
      if (err instanceof MultipartError) return apiError(res, new ApiError(400, `Bad Request: ${err.message}`));
      throw err;
    }
  }

  function handleDownload(res: ServerResponse, path: string): void {
    // /file/bot<token>/<file_path>
    const rest = path.slice("/file/bot".length);
    const slash = rest.indexOf("/");
    const token = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
    if (!TOKEN_RE.test(token)) return apiError(res, new ApiError(401, "Unauthorized"));
    const rec = slash < 0 ? undefined : state.files.getByPath(decodeURIComponent(rest.slice(slash + 1)));
    if (!rec) return apiError(res, new ApiError(404, "Not Found"));
    res.writeHead(200, { "content-type": rec.mime_type, "content-length": rec.data.length });
    res.end(rec.data);
  }

  async function handleSandboxRoute(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    try {
      const reply = await handleSandbox(state, {
        method: req.method ?? "GET",
        path: path.slice("/sandbox".length),
        query: new URLSearchParams(query),
        body: () => readBody(req, SANDBOX_BODY_LIMIT),
        onClose: closeHook(res),
      });
      if ("bytes" in reply) {
        res.writeHead(reply.status, { "content-type": reply.contentType, "content-length": reply.bytes.length });
        res.end(reply.bytes);
      } else {
        sendJson(res, reply.status, reply.json);
      }
    } catch (err) {
      if (err instanceof SandboxError) return sendJson(res, err.status, { error: err.message });
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: "body too large" });
      if (err instanceof ApiError) return sendJson(res, err.code, { error: err.description });
      throw err;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? "" : url.slice(q + 1);
    if (path.startsWith("/bot")) return handleApi(req, res, path, query);
    if (path.startsWith("/file/bot")) return handleDownload(res, path);
    if (path === "/sandbox/events" && req.method === "GET") return streamEvents(state.sandboxBot(), req, res);
    if (path === "/sandbox" || path.startsWith("/sandbox/")) return handleSandboxRoute(req, res, path, query);
    if (req.method === "GET" && (await serveWeb(path, res))) return;
    return sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.error({ err: err instanceof Error ? err.message : String(err), url: req.url }, "stand-in request failed");
      if (!res.headersSent) sendJson(res, 500, { ok: false, error_code: 500, description: "Internal Server Error" });
      else res.destroy();
    });
  });
  // grammY keeps connections alive; outlive its idle gaps so sockets are reused, not re-opened.
  server.keepAliveTimeout = 75_000;
  server.headersTimeout = 80_000;

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  logger.info({ url, floodModel: state.floodLimits.enabled }, "telegram stand-in listening");

  let closing: Promise<void> | undefined;
  return {
    url,
    apiRoot: url,
    state,
    close() {
      closing ??= (async () => {
        // End long polls with an empty answer, give the answers a tick to flush, then cut every socket.
        state.shutdown();
        await new Promise((r) => setImmediate(r));
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
