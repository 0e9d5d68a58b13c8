import { randomInt } from "node:crypto";
import type { Document, MessageEntity } from "grammy/types";
import { chatHistory, chatList, createPerson, people, person, rememberShop, updatePerson } from "./chats-view";
import { parseFault } from "./faults";
import { openWebApp } from "./web-app";
import { limitsJson, parseLimitsBody } from "./flood";
import { commandsKey, documentOf, storePhoto } from "./methods";
import { isRecord } from "./params";
import type { BotState, ChatState, StandInState } from "./state";
import { chatMember, TOKEN_RE } from "./state";
import { ApiError, SandboxError, type SandboxProduct, type BotMemberStatus, type Message, type StoredMessage, type Update } from "./types";

/**
 * The sandbox control API: how tests (and the web sandbox) play the user's side of
 * Telegram and inspect what the bot did. Routes are documented in the README block.
 */
export type SandboxReply =
  | { status: number; json: unknown }
  | { status: number; bytes: Buffer; contentType: string };

export interface SandboxRequest {
  method: string;
  /** Path after "/sandbox", e.g. "/users/42/send" or "/bot123:abc.../users/42/send". */
  path: string;
  query: URLSearchParams;
  body(): Promise<Buffer>;
  onClose(fn: () => void): void;
}

const ok = (json: unknown, status = 200): SandboxReply => ({ status, json });
const MAX_WAIT_S = 60;
const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
const SEND_KINDS = ["text", "contact", "photo", "document", "sticker", "callback_data"] as const;
const BOT_STATUSES: readonly BotMemberStatus[] = ["member", "administrator", "left", "kicked"];

export async function handleSandbox(state: StandInState, req: SandboxRequest): Promise<SandboxReply> {
  let segs = req.path.split("/").filter((s) => s !== "").map(decodeURIComponent);
  let token: string | undefined;
  if (segs[0]?.startsWith("bot") && segs[0].includes(":")) {
    token = segs[0].slice(3);
    if (!TOKEN_RE.test(token)) throw new SandboxError(401, "malformed bot token in sandbox path");
    segs = segs.slice(1);
  }
  const route = `${req.method} /${segs.map((s, i) => (i === 1 && segs.length > 1 && s !== "" ? ":id" : s)).join("/")}`;
  const id = segs[1] ?? "";
  switch (route) {
    case "GET /health":
      return ok({ ok: true });
    case "GET /clock":
      return ok(clockInfo(state));
    case "POST /clock": {
      if (!state.clock) throw new SandboxError(404, "no clock here: the stand-in runs without a bot (start it with npm start, without BOT_TOKEN)");
      const body = await jsonBody(req);
      const seconds = isRecord(body) ? body.advance_seconds : undefined;
      if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0 || seconds > 10 * 365 * 86_400) {
        throw new SandboxError(400, "advance_seconds must be a positive number of seconds (at most ten years); the clock never goes back");
      }
      await state.clock.advance(seconds);
      return ok(clockInfo(state));
    }
    case "GET /bot":
      return ok(botInfo(state.sandboxBot(token)));
    case "POST /reset":
      state.reset();
      return ok({ ok: true });
    case "GET /users":
      return ok({ users: people(state.sandboxBot(token)) });
    case "POST /users":
      return ok(createPerson(state.sandboxBot(token), await jsonBody(req)));
    case "GET /users/:id":
      return ok(person(state.sandboxBot(token), userIdOf(id)));
    case "POST /users/:id":
      return ok(updatePerson(state.sandboxBot(token), userIdOf(id), await jsonBody(req)));
    case "GET /users/:id/insight": {
      const bot = state.sandboxBot(token);
      const userId = userIdOf(id);
      return ok(await productOf(state).insight({ userId, shopId: bot.profiles.get(userId)?.shop_id }));
    }
    case "POST /shops":
      return ok(await importShop(state, state.sandboxBot(token), await jsonBody(req)));
    case "GET /chats":
      return ok({ chats: chatList(state.sandboxBot(token)) });
    case "GET /chats/:id/history":
      return ok(chatHistory(state.sandboxBot(token), chatIdOf(id)));
    case "POST /users/:id/open-web-app": {
      // Telegram's clock is the sandbox's: a moved clock moves auth_date too.
      const nowMs = Date.now() + (state.clock?.offsetMs() ?? 0);
      return ok(openWebApp(state.sandboxBot(token), userIdOf(id), await jsonBody(req), nowMs));
    }
    case "POST /users/:id/send":
      return ok(await send(state, state.sandboxBot(token), userIdOf(id), await jsonBody(req)));
    case "POST /users/:id/block":
    case "POST /users/:id/unblock":
      return ok(block(state.sandboxBot(token), userIdOf(id), segs[2] === "block"));
    case "POST /chats/:id/bot":
      return ok(setBotStatus(state.sandboxBot(token), groupIdOf(id), await jsonBody(req)));
    case "GET /chats/:id/messages":
      return ok({ messages: await longPoll(state.sandboxBot(token), chatIdOf(id), req, (chat, after) => listMessages(chat, after)) });
    case "GET /chats/:id/callback-answers":
      return ok({ answers: await longPoll(state.sandboxBot(token), chatIdOf(id), req, (chat, after) => chat.callbackAnswers.filter((a) => a.seq > after)) });
    case "GET /files/:id": {
      const rec = state.files.get(id);
      if (!rec) throw new SandboxError(404, "file not found (unknown or evicted file_id)");
      return { status: 200, bytes: rec.data, contentType: rec.mime_type };
    }
    case "GET /commands":
      return ok({ commands: commands(state.sandboxBot(token), req.query) });
    case "POST /faults": {
      const bot = state.sandboxBot(token);
      bot.faults.add(parseFault(await jsonBody(req)));
      return ok({ ok: true, pending: bot.faults.size });
    }
    case "DELETE /faults":
      state.sandboxBot(token).faults.clear();
      return ok({ ok: true });
    case "GET /faults":
      return ok({ faults: state.sandboxBot(token).faults.list() });
    case "GET /limits":
      return ok(limitsJson(state.sandboxBot(token).flood.current));
    case "POST /limits": {
      const bot = state.sandboxBot(token);
      const limits = bot.flood.configure(parseLimitsBody(await jsonBody(req)));
      state.logger.info({ botId: bot.user.id, limits: limitsJson(limits) }, "flood limits changed");
      return ok(limitsJson(limits));
    }
    case "GET /stats":
      return ok(state.sandboxBot(token).stats.json());
    case "DELETE /stats":
      state.sandboxBot(token).stats.reset();
      return ok({ ok: true });
    case "POST /stats/:id":
      // "/stats/reset": the second segment is matched as an id like "/users/42".
      if (id !== "reset") throw new SandboxError(404, `unknown sandbox route: ${req.method} /sandbox${req.path}`);
      state.sandboxBot(token).stats.reset();
      return ok({ ok: true });
    default:
      throw new SandboxError(404, `unknown sandbox route: ${req.method} /sandbox${req.path}`);
  }
}

// ---------------------------------------------------------------- helpers

function productOf(state: StandInState): SandboxProduct {
  if (!state.product) throw new SandboxError(404, "no product behind this stand-in: start it with npm start (without BOT_TOKEN)");
  return state.product;
}

/** POST /sandbox/shops: the marketplace imports a shop; with `user_id`, that simulated person is its owner. */
async function importShop(state: StandInState, bot: BotState, body: unknown): Promise<{ shop_id: string; start_param: string | null; deep_link: string | null }> {
  if (!isRecord(body)) throw new SandboxError(400, "body must be a JSON object");
  const userId = body.user_id === undefined ? undefined : userIdOf(String(body.user_id));
  const owner = userId === undefined ? undefined : person(bot, userId);
  // A new shop unless shop_id names one: the database outlives the stand-in, so the id space is wide.
  const shopId = body.shop_id === undefined ? `S${randomInt(10_000_000, 99_999_999)}` : strField(body, "shop_id", true) as string;
  if (!/^[\w.-]{1,64}$/.test(shopId)) throw new SandboxError(400, "shop_id must be 1-64 of [A-Za-z0-9_.-]");
  const reservedPhone = strField(body, "reserved_phone") ?? owner?.phone_number;
  if (!reservedPhone) throw new SandboxError(400, "reserved_phone is required (or a user_id whose phone is set)");
  const shopName = strField(body, "shop_name") ?? (owner ? `${owner.first_name}'s shop` : shopId);
  let r: { shopId: string; startParam: string | null };
  try {
    r = await productOf(state).importShop({ shopId, shopName, reservedPhone });
  } catch (err) {
    if (err instanceof SandboxError) throw err;
    throw new SandboxError(400, err instanceof Error ? err.message : String(err));
  }
  if (userId !== undefined) rememberShop(bot, userId, r);
  return { shop_id: r.shopId, start_param: r.startParam, deep_link: r.startParam ? `https://t.me/${bot.user.username ?? "bot"}?start=${r.startParam}` : null };
}

function clockInfo(state: StandInState): { now: string; offset_seconds: number; moved: boolean } {
  const offset = state.clock?.offsetMs() ?? 0;
  return { now: new Date(Date.now() + offset).toISOString(), offset_seconds: Math.round(offset / 1000), moved: offset !== 0 };
}

async function jsonBody(req: SandboxRequest): Promise<unknown> {
  const raw = await req.body();
  if (raw.length === 0) throw new SandboxError(400, "a JSON body is required");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new SandboxError(400, "body is not valid JSON");
  }
}

function userIdOf(s: string): number {
  if (!/^\d{1,15}$/.test(s) || Number(s) <= 0) throw new SandboxError(400, `user id must be a positive integer, got "${s}"`);
  return Number(s);
}

function chatIdOf(s: string): number {
  if (!/^-?\d{1,16}$/.test(s) || Number(s) === 0) throw new SandboxError(400, `chat id must be a non-zero integer, got "${s}"`);
  return Number(s);
}

function groupIdOf(s: string): number {
  if (!/^-\d{1,16}$/.test(s) || Number(s) === 0) throw new SandboxError(400, `chat id must be a negative integer (a group), got "${s}"`);
  return Number(s);
}

function intField(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new SandboxError(400, `${key} must be an integer`);
  return v;
}

function strField(b: Record<string, unknown>, key: string, required = false): string | undefined {
  const v = b[key];
  if (v === undefined && !required) return undefined;
  if (typeof v !== "string" || v === "") throw new SandboxError(400, `${key} must be a non-empty string`);
  return v;
}

function base64Field(b: Record<string, unknown>, key: string): Buffer {
  const v = b[key];
  if (typeof v !== "string" || v === "") throw new SandboxError(400, `${key} must be a non-empty base64 string`);
  const data = v.replace(/^data:[^,]*;base64,/, "");
  if (!/^[A-Za-z0-9+/_\-=\s]+$/.test(data)) throw new SandboxError(400, `${key} is not valid base64`);
  const buf = Buffer.from(data, "base64");
  if (buf.length === 0) throw new SandboxError(400, `${key} decodes to zero bytes`);
  return buf;
}

const nowSec = (): number => Math.floor(Date.now() / 1000);

function parseFrom(v: unknown): { first_name?: string; last_name?: string; username?: string; language_code?: string } | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new SandboxError(400, "from must be an object");
  const out: Record<string, string> = {};
  for (const key of ["first_name", "last_name", "username", "language_code"] as const) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== "string" || (key === "first_name" && v[key] === "")) throw new SandboxError(400, `from.${key} must be a non-empty string`);
    out[key] = v[key];
  }
  return out;
}

/** Telegram marks a leading /command (with optional @botname) as a bot_command entity. */
function commandEntities(text: string): MessageEntity[] {
  const m = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?(?=\s|$)/.exec(text);
  return m ? [{ type: "bot_command", offset: 0, length: m[0].length }] : [];
}

// ---------------------------------------------------------------- routes

/** update_id 0: no update was created (the bot is not in the group, or allowed_updates exclude it). */
async function send(state: StandInState, bot: BotState, userId: number, body: unknown): Promise<{ update_id: number; message_id: number }> {
  if (!isRecord(body)) throw new SandboxError(400, "body must be a JSON object");
  const kinds = SEND_KINDS.filter((k) => body[k] !== undefined);
  const kind = kinds[0];
  if (kinds.length !== 1 || kind === undefined) {
    throw new SandboxError(400, `exactly one of ${SEND_KINDS.join(", ")} is required${kinds.length ? ` (got ${kinds.join(" and ")})` : ""}`);
  }
  const from = parseFrom(body.from);
  const chatId = intField(body, "chat_id") ?? userId;
  if (chatId === 0 || (chatId > 0 && chatId !== userId)) throw new SandboxError(400, "chat_id must be the user's id (private chat) or a negative group id");
  const replyToId = intField(body, "reply_to_message_id");
  const caption = body.caption === undefined ? undefined : strField(body, "caption");
  if (caption !== undefined && kind !== "photo" && kind !== "document") throw new SandboxError(400, "caption is only allowed with photo or document");

  if (kind === "callback_data") {
    const data = body.callback_data;
    if (typeof data !== "string" || data === "" || Buffer.byteLength(data) > 64) {
      throw new SandboxError(400, "callback_data must be a string of 1-64 bytes (Telegram's limit)");
    }
    const messageId = intField(body, "message_id");
    if (messageId === undefined) throw new SandboxError(400, "message_id is required with callback_data");
    const chat = bot.chats.get(chatId);
    const stored = chat?.messages.get(messageId);
    if (!chat || !stored?.fromBot) throw new SandboxError(404, `no bot message ${messageId} in chat ${chatId}`);
    const user = bot.touchUser(userId, from);
    chat.members.add(userId);
    return { update_id: bot.callbackQuery(user, chat, stored, data) ?? 0, message_id: messageId };
  }

  let content: Partial<Message>;
  switch (kind) {
    case "text": {
      const text = strField(body, "text", true) as string;
      if (text.length > 4096) throw new SandboxError(400, "text longer than 4096 characters (Telegram's limit)");
      const entities = commandEntities(text);
      content = { text, ...(entities.length ? { entities } : {}) };
      break;
    }
    case "contact": {
      const c = body.contact;
      if (!isRecord(c)) throw new SandboxError(400, "contact must be an object with phone_number");
      const phone = strField(c, "phone_number", true) as string;
      const cUser = intField(c, "user_id");
      const first = strField(c, "first_name") ?? from?.first_name ?? bot.users.get(userId)?.first_name ?? `User${userId}`;
      const last = strField(c, "last_name");
      content = { contact: { phone_number: phone, first_name: first, ...(last ? { last_name: last } : {}), ...(cUser !== undefined ? { user_id: cUser } : {}) } };
      break;
    }
    case "photo": {
      const data = base64Field(body, "photo");
      let photo;
      try {
        photo = await storePhoto(state, data, false);
      } catch (err) {
        if (err instanceof ApiError) throw new SandboxError(400, "photo is not a decodable image");
        throw err;
      }
      content = { photo, ...(caption ? { caption } : {}) };
      break;
    }
    case "document": {
      const data = base64Field(body, "document");
      if (data.length > MAX_DOCUMENT_BYTES) throw new SandboxError(400, "document larger than 50 MB");
      const fileName = strField(body, "file_name") ?? "document";
      const mime = strField(body, "mime_type") ?? "application/octet-stream";
      const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1] ?? "bin";
      const rec = state.files.add("documents", data, { ext, mime_type: mime, file_name: fileName });
      const document: Document = documentOf(rec);
      content = { document, ...(caption ? { caption } : {}) };
      break;
    }
    case "sticker": {
      if (body.sticker !== true) throw new SandboxError(400, "sticker must be true");
      const rec = await state.stickerFile();
      content = {
        sticker: {
          file_id: rec.file_id, file_unique_id: rec.file_unique_id, type: "regular", width: 512, height: 512,
          is_animated: false, is_video: false, emoji: "👍", set_name: "SandboxStickers", file_size: rec.file_size,
        },
      };
      break;
    }
  }
  // The chat is opened only now, after every check: a rejected call leaves no trace.
  const existing = bot.chats.get(chatId);
  let replyTo: StoredMessage | undefined;
  if (replyToId !== undefined) {
    replyTo = existing?.messages.get(replyToId);
    if (!replyTo) throw new SandboxError(400, `reply_to_message_id ${replyToId} not found in chat ${chatId}`);
  }
  const user = bot.touchUser(userId, from);
  const chat = bot.openChat(chatId, user);
  const { update_id, message } = bot.userMessage(user, chat, content, replyTo);
  return { update_id: update_id ?? 0, message_id: message.message_id };
}

function block(bot: BotState, userId: number, blocked: boolean): { ok: true; blocked: boolean } {
  const was = bot.blocked.has(userId);
  if (blocked) bot.blocked.add(userId);
  else bot.blocked.delete(userId);
  const chat = bot.chats.get(userId);
  // Telegram tells the bot with a my_chat_member update when a user blocks or unblocks it.
  if (chat && was !== blocked) {
    bot.enqueue({
      my_chat_member: {
        chat: chat.chat,
        from: bot.touchUser(userId),
        date: nowSec(),
        old_chat_member: chatMember(bot.user, blocked ? "member" : "kicked"),
        new_chat_member: chatMember(bot.user, blocked ? "kicked" : "member"),
      },
    } as Omit<Update, "update_id">);
  }
  return { ok: true, blocked };
}

function setBotStatus(bot: BotState, chatId: number, body: unknown): { ok: true; status: BotMemberStatus } {
  if (!isRecord(body)) throw new SandboxError(400, "body must be a JSON object");
  const status = BOT_STATUSES.find((s) => s === body.status);
  if (!status) throw new SandboxError(400, `status must be one of ${BOT_STATUSES.join(", ")}`);
  const fromId = intField(body, "from");
  if (fromId !== undefined && fromId <= 0) throw new SandboxError(400, "from must be a user id (a positive integer)");
  bot.setBotStatus(chatId, status, { fromId, title: strField(body, "title") });
  return { ok: true, status };
}

export interface SandboxMessage {
  message_id: number;
  date: number;
  text?: string;
  caption?: string;
  has_photo: boolean;
  photo_file_id?: string;
  document?: { file_id: string; file_name?: string; mime_type?: string; file_size?: number };
  reply_markup?: unknown;
  reply_to_message_id?: number;
  edited?: true;
}

function listMessages(chat: ChatState, after: number): SandboxMessage[] {
  if (chat.lastBotMessageId <= after) return [];
  const out: SandboxMessage[] = [];
  for (const s of chat.messages.values()) {
    if (!s.fromBot || s.msg.message_id <= after) continue;
    const m = s.msg;
    const largest = m.photo?.[m.photo.length - 1];
    out.push({
      message_id: m.message_id,
      date: m.date,
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.caption !== undefined ? { caption: m.caption } : {}),
      has_photo: m.photo !== undefined,
      ...(largest ? { photo_file_id: largest.file_id } : {}),
      ...(m.document ? { document: { file_id: m.document.file_id, file_name: m.document.file_name, mime_type: m.document.mime_type, file_size: m.document.file_size } } : {}),
      ...(s.sentMarkup !== undefined ? { reply_markup: s.sentMarkup } : {}),
      ...(m.reply_to_message ? { reply_to_message_id: m.reply_to_message.message_id } : {}),
      ...(s.edited ? { edited: true as const } : {}),
    });
  }
  return out;
}

/** `?after=&wait=`: answer at once if something is there, else wait (event-driven) up to `wait` s. */
async function longPoll<T>(bot: BotState, chatId: number, req: SandboxRequest, collect: (chat: ChatState, after: number) => T[]): Promise<T[]> {
  const afterRaw = req.query.get("after") ?? "0";
  const waitRaw = req.query.get("wait") ?? "0";
  if (!/^\d{1,15}$/.test(afterRaw)) throw new SandboxError(400, "after must be a non-negative integer");
  const waitS = Number(waitRaw);
  if (!Number.isFinite(waitS) || waitS < 0) throw new SandboxError(400, "wait must be a number of seconds (0-60)");
  const after = Number(afterRaw);
  const deadline = Date.now() + Math.min(waitS, MAX_WAIT_S) * 1000;
  let closed = false;
  let cancel: (() => void) | undefined;
  req.onClose(() => {
    closed = true;
    cancel?.();
  });
  try {
    for (;;) {
      const chat = bot.chats.get(chatId);
      const found = chat ? collect(chat, after) : [];
      const left = deadline - Date.now();
      if (found.length > 0 || left <= 0 || closed || bot.closed) return found;
      const wait = bot.chatNotifier(chatId).wait(left);
      cancel = wait.cancel;
      await wait.promise;
      cancel = undefined;
    }
  } finally {
    bot.releaseChatNotifier(chatId);
  }
}

function commands(bot: BotState, q: URLSearchParams): unknown[] {
  const scope = q.get("scope") ?? "default";
  return bot.commands.get(commandsKey(scope, q.get("chat_id") ?? undefined, q.get("user_id") ?? undefined, q.get("language_code") ?? "")) ?? [];
}

function botInfo(bot: BotState): Record<string, unknown> {
  return {
    connected: bot.token !== undefined,
    bot: bot.user,
    webhook_url: bot.webhook?.config.url ?? "",
    pending_updates: bot.updates.size,
    chats: bot.chats.size,
  };
}
