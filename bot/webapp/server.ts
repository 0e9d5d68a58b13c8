import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parse, validate } from "@telegram-apps/init-data-node";
import type { Api } from "grammy";
import { CaptureRefused, UserError } from "../../core/errors";
import { createI18n, type Locale } from "../../core/i18n";
import type { Logger } from "../../core/logger";
import { GESTURES, isGesture } from "../../core/verification/gestures";
import { captureCase, queueCheck, submitCapture } from "../../core/verification/cases";
import { deleteConversation } from "../conversation-storage";
import type { BotDeps } from "../deps";
import { negotiateLocale } from "../middleware/locale";

/**
 * The Mini App's own HTTP server (WEBAPP_PORT): the capture page, and the upload of its burst.
 * Who is uploading is proven by Telegram's init data, checked against the bot token here; which
 * challenge it answers, by the single-use capture token in the page's URL. In production it sits
 * behind a reverse proxy that gives it WEBAPP_URL's HTTPS origin (README).
 */
const PAGE_DIR = fileURLToPath(new URL("./page/", import.meta.url));
/**
 * The in-browser hand check: Human's browser build with the hand models it ships, on the tfjs wasm
 * backend (webgl has only a software GPU on many phones' WebViews and on CI). The same packages the
 * workers run, served from here: no CDN. Versioned files, so they are cached for a year.
 */
const requireHere = createRequire(import.meta.url);
// Both packages export their main file from dist/ (their package.json is not exported).
const HUMAN_DIR = dirname(dirname(requireHere.resolve("@vladmandic/human")));
const WASM_DIR = dirname(requireHere.resolve("@tensorflow/tfjs-backend-wasm"));
/** model files, not code: the bot serves them, it does not import from workers/ */
const WORKER_MODELS_DIR = fileURLToPath(new URL("../../workers/models/", import.meta.url));
const ASSETS: Record<string, { file: string; type: string }> = {
  "/capture/lib/human.esm.js": { file: join(HUMAN_DIR, "dist", "human.esm.js"), type: "text/javascript; charset=utf-8" },
  // blazeface and handtrack ship with Human; the landmark model is the workers' own (workers/models), so the page
  // reads a hand the way the check will.
  ...Object.fromEntries(
    [
      ["blazeface.json", join(HUMAN_DIR, "models")],
      ["blazeface.bin", join(HUMAN_DIR, "models")],
      ["handtrack.json", join(HUMAN_DIR, "models")],
      ["handtrack.bin", join(HUMAN_DIR, "models")],
      ["handlandmark-full.json", WORKER_MODELS_DIR],
      ["handlandmark-full.bin", WORKER_MODELS_DIR],
    ].map(([f, dir]) => [`/capture/models/${f}`, { file: join(dir!, f!), type: f!.endsWith(".json") ? "application/json" : "application/octet-stream" }]),
  ),
  ...Object.fromEntries(
    ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"].map((f) => [`/capture/wasm/${f}`, { file: join(WASM_DIR, f), type: "application/wasm" }]),
  ),
};
/** auth_date older than this is refused: the seller reopens the camera from the chat. */
const INIT_DATA_MAX_AGE_S = 300;
const MAX_FRAMES = 5;
const JSON_LIMIT_SLACK = 64 * 1024;

const HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // No third-party script, style or connection; the camera's frames become blobs and data: URLs.
  "content-security-policy":
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; frame-ancestors https://web.telegram.org https://*.telegram.org http://127.0.0.1:* http://localhost:*; base-uri 'none'; form-action 'none'",
  "permissions-policy": "camera=(self)",
};

export interface WebAppServer {
  url: string;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly key: string,
    readonly args: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

export async function startWebApp(deps: BotDeps, api: Api, log: Logger): Promise<WebAppServer> {
  const i18n = createI18n();
  const t = (locale: Locale, key: string, args?: Record<string, string | number>) => i18n.t(locale, key, args);
  const maxBody = MAX_FRAMES * Math.ceil((deps.config.MAX_PHOTO_BYTES * 4) / 3) + JSON_LIMIT_SLACK;
  const script = bundlePage();
  script.catch((err: unknown) => log.error({ err }, "the capture page's script did not bundle"));

  /** Telegram's init data: signed with our token, recent on the core clock; returns the user. */
  function telegramUser(initData: unknown): { id: number; language_code?: string } {
    if (typeof initData !== "string" || initData === "") throw new HttpProblem(401, "init-data-missing", "capture-error-auth");
    let user: { id: number; language_code?: string } | undefined;
    let authDate: Date;
    try {
      validate(initData, deps.token, { expiresIn: 0 }); // the hash; age is checked on our own clock below
      const parsed = parse(initData);
      user = parsed.user ? { id: parsed.user.id, language_code: parsed.user.language_code } : undefined;
      authDate = parsed.auth_date;
    } catch {
      throw new HttpProblem(401, "init-data-invalid", "capture-error-auth");
    }
    const age = (deps.now().getTime() - authDate.getTime()) / 1000;
    if (age > INIT_DATA_MAX_AGE_S || age < -60) throw new HttpProblem(401, "init-data-expired", "capture-error-auth");
    if (!user) throw new HttpProblem(401, "init-data-no-user", "capture-error-auth");
    return user;
  }

  async function session(body: Record<string, unknown>) {
    const user = telegramUser(body.init_data);
    const locale = await negotiateLocale(deps.redis, deps.config.REDIS_PREFIX, user);
    const c = await captureCase(deps, String(body.token ?? ""), user.id);
    const g = isGesture(c.gesture) ? c.gesture : "victory";
    const keys = ["capture-title", "capture-shutter", "capture-holding", "capture-guide-loading", "capture-guide-no-hand", "capture-guide-wrong", "capture-guide-unavailable", "capture-guide-no-face", "capture-guide-faces", "capture-guide-not-near", "capture-sending", "capture-sent", "capture-starting", "capture-no-camera", "capture-camera-refused", "capture-camera-busy", "capture-error-photos", "capture-error-network"];
    return {
      locale,
      gesture: g,
      deadline: c.challengeDeadline?.toISOString() ?? null,
      instruction: t(locale, "capture-instruction", { emoji: GESTURES[g].emoji, instruction: t(locale, `gesture-${g}`) }),
      // What the live guide may name: each offered gesture's emoji.
      emoji: Object.fromEntries(Object.entries(GESTURES).map(([name, x]) => [name, x.emoji])),
      // capture-guide-wrong is a template: the page fills in what it sees and what is wanted.
      strings: Object.fromEntries(keys.map((k) => [k, t(locale, k, k === "capture-guide-wrong" ? { seen: "{seen}", wanted: "{wanted}" } : undefined)])),
    };
  }

  async function upload(body: Record<string, unknown>) {
    const user = telegramUser(body.init_data);
    const locale = await negotiateLocale(deps.redis, deps.config.REDIS_PREFIX, user);
    const frames = framesOf(body.frames, deps.config.MAX_PHOTO_BYTES);
    let outcome;
    try {
      outcome = await submitCapture(deps, String(body.token ?? ""), user.id, frames);
    } catch (err) {
      if (err instanceof UserError && err.key.startsWith("photo-")) throw new HttpProblem(400, "bad-photo", err.key, err.args);
      throw err;
    }
    if (outcome.kind === "late") throw new HttpProblem(410, "late", "capture-error-late");
    if (outcome.kind === "limited") throw new HttpProblem(429, "daily-limit", "verify-daily-limit", { ...outcome.wait });
    // The dialog waited for this selfie in the chat: it is over now, as after a chat photo.
    await deleteConversation(deps.redis, deps.config.REDIS_PREFIX, user.id);
    // Told first, then checked: the verdict can never overtake this message (as in the chat).
    try {
      await api.sendMessage(user.id, t(locale, "verify-checking"));
    } finally {
      await queueCheck(deps, outcome.submissionId, outcome.caseId);
    }
    log.info({ caseId: outcome.caseId, submissionId: outcome.submissionId, frames: frames.length }, "camera capture queued");
    return { ok: true, message: t(locale, "capture-sent") };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/capture") return send(res, 200, "text/html; charset=utf-8", await readFile(`${PAGE_DIR}index.html`));
    if (req.method === "GET" && path === "/capture/style.css") return send(res, 200, "text/css; charset=utf-8", await readFile(`${PAGE_DIR}style.css`));
    if (req.method === "GET" && path === "/capture/app.js") return send(res, 200, "text/javascript; charset=utf-8", await script);
    if (req.method === "GET" && path === "/healthz") return json(res, 200, { ok: true });
    const asset = req.method === "GET" ? ASSETS[path ?? ""] : undefined;
    if (asset) {
      res.writeHead(200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable", ...HEADERS });
      res.end(await readFile(asset.file));
      return;
    }
    if (req.method === "POST" && (path === "/capture/session" || path === "/capture/upload")) {
      let locale: Locale = "en";
      try {
        const body = await jsonBody(req, path.endsWith("upload") ? maxBody : JSON_LIMIT_SLACK);
        locale = isLocaleHint(body.locale) ?? locale;
        return json(res, 200, path.endsWith("upload") ? await upload(body) : await session(body));
      } catch (err) {
        const p = problemOf(err);
        if (!p) throw err;
        log.info({ path, status: p.status, code: p.code }, "capture refused");
        return json(res, p.status, { error: p.code, message: t(locale, p.key, p.args) });
      }
    }
    return json(res, 404, { error: "not-found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, "capture server request failed");
      if (!res.headersSent) json(res, 500, { error: "internal" });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(deps.config.WEBAPP_PORT, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  log.info({ url, public: deps.config.WEBAPP_URL ?? url, capture: deps.config.SELFIE_CAPTURE }, "mini app capture server listening");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function problemOf(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  if (err instanceof CaptureRefused) return new HttpProblem(err.status, err.code, err.key);
  if (err instanceof UserError && err.key === "verify-case-moved") return new HttpProblem(409, "case-moved", "capture-error-used");
  return undefined;
}

const isLocaleHint = (v: unknown): Locale | undefined => (v === "en" || v === "zh-Hans" || v === "zh-Hant" ? v : undefined);

/** 1-5 frames as base64 (data: URLs welcome), each within MAX_PHOTO_BYTES; decoding is the intake's. */
function framesOf(v: unknown, maxBytes: number): Buffer[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_FRAMES) throw new HttpProblem(400, "frames", "capture-error-photos");
  return v.map((f) => {
    if (typeof f !== "string") throw new HttpProblem(400, "frames", "capture-error-photos");
    const b = Buffer.from(f.replace(/^data:[^,]*;base64,/, ""), "base64");
    if (b.length === 0) throw new HttpProblem(400, "frames", "capture-error-photos");
    if (b.length > maxBytes) throw new HttpProblem(413, "frame-too-large", "capture-error-photos");
    return b;
  });
}

async function jsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) throw new HttpProblem(415, "json-only", "capture-error-photos");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpProblem(413, "body-too-large", "capture-error-photos");
    chunks.push(chunk as Buffer);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpProblem(400, "bad-json", "capture-error-photos");
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-cache", ...HEADERS });
  res.end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body));
}

/** The page's script: TypeScript bundled once per process by esbuild (no build output in git). */
async function bundlePage(): Promise<string> {
  const { build } = await import("esbuild");
  const out = await build({
    entryPoints: [`${PAGE_DIR}app.ts`],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2020",
    minify: true,
    logLevel: "silent",
    external: ["/capture/lib/*"], // Human's build is loaded by the browser from here, not bundled
  });
  return out.outputFiles[0]?.text ?? "";
}
