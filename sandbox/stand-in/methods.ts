import type { BotCommand, Document, InlineKeyboardMarkup, MessageEntity, PhotoSize } from "grammy/types";
import { applyParseMode } from "./formatting";
import type { FileRecord } from "./files";
import { webAppUrlOk } from "./web-app";
import { isRecord, optBool, optInt, optJson, optStr, sameJson } from "./params";
import { ImageDecodeError, photoDimensionsValid } from "./photos";
import { chatMember, type BotState, type ChatState, type StandInState } from "./state";
import { ApiError, badRequest, type ApiCall, type Message, type Params, type StoredMessage, type UploadedFile, type User } from "./types";
import { WebhookDelivery } from "./webhook";

/** One Bot API method: returns the `result`, throws ApiError for `{"ok":false}`. */
export type MethodHandler = (bot: BotState, call: ApiCall, env: MethodEnv) => unknown;

export interface MethodEnv {
  state: StandInState;
  /** Runs a method on behalf of the bot (webhook replies). */
  run(bot: BotState, method: string, params: Params): Promise<unknown>;
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const GETFILE_LIMIT = 20 * 1024 * 1024;
const nowSec = (): number => Math.floor(Date.now() / 1000);

const BLOCKED = (): ApiError => new ApiError(403, "Forbidden: bot was blocked by the user");
const KICKED = (): ApiError => new ApiError(403, "Forbidden: bot was kicked from the supergroup chat");
const NOT_MEMBER = (): ApiError => new ApiError(403, "Forbidden: bot is not a member of the supergroup chat");
const WEBHOOK_ACTIVE = (): ApiError =>
  new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
const POLL_CONFLICT = (): ApiError =>
  new ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");

// ---------------------------------------------------------------- shared checks

function chatIdOf(params: Params, key = "chat_id"): number {
  const v = params[key];
  if (v === undefined || v === null || v === "") throw badRequest(`${key} is empty`);
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest("chat not found");
  return n;
}

/**
 * The target chat of a call; `sending` calls to a user who blocked the bot get 403. A group
 * the bot is not in refuses reads too (getChat, getChatMember): telegram-bot-api checks every
 * access to a supergroup without a public username against the bot's membership.
 */
function requireChat(bot: BotState, params: Params, sending: boolean, key = "chat_id"): ChatState {
  const id = chatIdOf(params, key);
  if (sending && bot.blocked.has(id)) throw BLOCKED();
  const chat = bot.chats.get(id);
  if (!chat) throw badRequest("chat not found");
  if (chat.botStatus === "kicked") throw KICKED();
  if (chat.botStatus === "left") throw NOT_MEMBER();
  return chat;
}

function requireBotMessage(chat: ChatState, params: Params): StoredMessage {
  if (params.inline_message_id !== undefined) throw badRequest("MESSAGE_ID_INVALID");
  const id = optInt(params, "message_id");
  if (id === undefined) throw badRequest("message identifier is not specified");
  const stored = chat.messages.get(id);
  if (!stored) throw badRequest("message to edit not found");
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return stored;
}

function formatText(params: Params, field: "text" | "caption"): { text: string; entities: MessageEntity[] } {
  const raw = optStr(params, field) ?? "";
  const entitiesParam = optJson(params, field === "text" ? "entities" : "caption_entities");
  const parsed = params.parse_mode
    ? applyParseMode(raw, params.parse_mode)
    : { text: raw, entities: Array.isArray(entitiesParam) ? entitiesParam.filter(isEntity) : [] };
  if (field === "text") {
    if (parsed.text.trim() === "") throw badRequest("message text is empty");
    if (parsed.text.length > TEXT_LIMIT) throw badRequest("message is too long");
  } else if (parsed.text.length > CAPTION_LIMIT) {
    throw badRequest("message caption is too long");
  }
  return parsed;
}

function isEntity(e: unknown): e is MessageEntity {
  return isRecord(e) && typeof e.type === "string" && Number.isInteger(e.offset) && Number.isInteger(e.length);
}

function captionContent(params: Params): Partial<Message> {
  if (params.caption === undefined || params.caption === null) return {};
  const { text, entities } = formatText(params, "caption");
  if (text === "") return {};
  return { caption: text, ...(entities.length ? { caption_entities: entities } : {}) };
}

const BUTTON_ACTIONS = [
  "url", "callback_data", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay", "disabled",
];

interface Markup {
  /** Set when the markup is a non-empty inline keyboard (the only kind a Message carries). */
  inline?: InlineKeyboardMarkup;
  /** The markup as sent, any kind. */
  raw?: unknown;
}

function parseMarkup(params: Params, inlineOnly = false): Markup {
  const rm = optJson(params, "reply_markup");
  if (rm === undefined) return {};
  const invalid = badRequest("can't parse reply keyboard markup JSON object");
  if (!isRecord(rm)) throw invalid;
  if ("inline_keyboard" in rm) {
    const rows = rm.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) throw badRequest("can't parse inline keyboard button: field \"inline_keyboard\" must be of type Array");
    for (const row of rows as unknown[][]) {
      for (const b of row) {
        if (!isRecord(b) || typeof b.text !== "string") throw badRequest("can't parse inline keyboard button: Field \"text\" must be of type String");
        const actions = BUTTON_ACTIONS.filter((a) => b[a] !== undefined);
        if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (b.callback_data !== undefined) {
          const len = typeof b.callback_data === "string" ? Buffer.byteLength(b.callback_data) : 0;
          if (len < 1 || len > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        if (b.url !== undefined && (typeof b.url !== "string" || !/^(https?|tg):\/\/\S+$/i.test(b.url))) {
          throw badRequest(`inline keyboard button URL '${String(b.url)}' is invalid: Wrong HTTP URL`);
        }
        if (b.web_app !== undefined && !(isRecord(b.web_app) && webAppUrlOk(b.web_app.url))) {
          const url = isRecord(b.web_app) ? String(b.web_app.url) : "";
          throw badRequest(`inline keyboard button Web App URL '${url}' is invalid: Only HTTPS links are allowed`);
        }
      }
    }
    const nonEmpty = (rows as unknown[][]).some((r) => r.length > 0);
    return { raw: rm, ...(nonEmpty ? { inline: rm as unknown as InlineKeyboardMarkup } : {}) };
  }
  if (inlineOnly) throw badRequest("inline keyboard expected");
  if ("keyboard" in rm) {
    const rows = rm.keyboard;
    const ok = Array.isArray(rows) && rows.every((r) => Array.isArray(r) && r.every((b) => typeof b === "string" || (isRecord(b) && typeof b.text === "string")));
    if (!ok) throw badRequest("can't parse keyboard button: Field \"text\" must be of type String");
    return { raw: rm };
  }
  if (rm.remove_keyboard === true || rm.force_reply === true) return { raw: rm };
  throw invalid;
}

function replyTarget(chat: ChatState, params: Params): StoredMessage | undefined {
  let rp = optJson(params, "reply_parameters");
  if (rp === undefined && params.reply_to_message_id !== undefined) {
    rp = { message_id: params.reply_to_message_id, allow_sending_without_reply: params.allow_sending_without_reply };
  }
  if (rp === undefined) return undefined;
  if (!isRecord(rp)) throw badRequest("can't parse reply parameters JSON object");
  const id = optInt(rp, "message_id");
  const target = id === undefined ? undefined : chat.messages.get(id);
  if (!target && !optBool(rp, "allow_sending_without_reply")) throw badRequest("message to be replied not found");
  return target;
}

/** Finds the uploaded part for a file field: "attach://<name>" or a part named like the field. */
function uploadFor(call: ApiCall, field: string): UploadedFile | undefined {
  const v = call.params[field];
  if (typeof v === "string" && v.startsWith("attach://")) {
    const part = call.files.get(v.slice("attach://".length));
    if (!part) throw badRequest(`wrong file identifier/HTTP URL specified`);
    return part;
  }
  return call.files.get(field);
}

function knownFile(bot: BotState, v: unknown): FileRecord {
  if (typeof v !== "string" || v === "") throw badRequest("wrong file identifier/HTTP URL specified");
  if (/^https?:\/\//i.test(v)) throw badRequest("failed to get HTTP URL content");
  const rec = bot.file(v);
  if (!rec) throw badRequest("wrong file identifier/HTTP URL specified");
  return rec;
}

const EXT_MIME: Record<string, string> = {
  pdf: "application/pdf", jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic",
  txt: "text/plain", csv: "text/csv", json: "application/json", zip: "application/zip", mp4: "video/mp4",
};

function extOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return m?.[1]?.toLowerCase() ?? "";
}

export function documentOf(rec: FileRecord): Document {
  return {
    file_id: rec.file_id,
    file_unique_id: rec.file_unique_id,
    ...(rec.file_name !== undefined ? { file_name: rec.file_name } : {}),
    mime_type: rec.mime_type,
    file_size: rec.file_size,
  };
}

/** Stores uploaded image bytes as a Telegram photo (all sizes). */
export async function storePhoto(state: StandInState, data: Buffer, checkDimensions: boolean): Promise<PhotoSize[]> {
  let result: Awaited<ReturnType<StandInState["photoVariants"]>>;
  try {
    result = await state.photoVariants(data);
  } catch (err) {
    if (err instanceof ImageDecodeError) throw badRequest("IMAGE_PROCESS_FAILED");
    throw err;
  }
  if (checkDimensions && !photoDimensionsValid(result.original.width, result.original.height)) throw badRequest("PHOTO_INVALID_DIMENSIONS");
  const set: PhotoSize[] = [];
  for (const v of result.sizes) {
    const rec = state.files.add("photos", v.data, { ext: "jpg", mime_type: "image/jpeg" });
    rec.photoSet = set;
    set.push({ file_id: rec.file_id, file_unique_id: rec.file_unique_id, file_size: rec.file_size, width: v.width, height: v.height });
  }
  return set;
}

/** A photo from an upload or from the file_id of a known photo. */
async function photoFrom(bot: BotState, env: MethodEnv, upload: UploadedFile | undefined, fileId: unknown): Promise<PhotoSize[]> {
  if (upload) {
    if (upload.data.length > 10 * 1024 * 1024) throw badRequest("PHOTO_SAVE_FILE_INVALID");
    return storePhoto(env.state, upload.data, true);
  }
  const rec = knownFile(bot, fileId);
  if (!rec.photoSet) throw badRequest(`can't use file of type ${rec.kind === "stickers" ? "Sticker" : "Document"} as Photo`);
  return rec.photoSet;
}

/** A document from an upload (stored as-is) or from the file_id of a known document. */
function documentFrom(bot: BotState, env: MethodEnv, upload: UploadedFile | undefined, fileId: unknown): Document {
  if (upload) {
    if (upload.data.length > 50 * 1024 * 1024) throw new ApiError(413, "Request Entity Too Large");
    const ext = extOf(upload.filename);
    const mime = upload.contentType && upload.contentType !== "application/octet-stream" ? upload.contentType : EXT_MIME[ext] ?? "application/octet-stream";
    return documentOf(env.state.files.add("documents", upload.data, { ext: ext || "bin", mime_type: mime, file_name: upload.filename || "document" }));
  }
  const rec = knownFile(bot, fileId);
  if (rec.kind !== "documents") throw badRequest(`can't use file of type ${rec.kind === "photos" ? "Photo" : "Sticker"} as Document`);
  return documentOf(rec);
}

interface InputMedia {
  type: "photo" | "document";
  upload?: UploadedFile;
  fileId?: string;
  caption: Partial<Message>;
}

/** The `media` parameter of editMessageMedia, checked with telegram-bot-api's errors. */
function inputMedia(call: ApiCall): InputMedia {
  const raw = call.params.media;
  if (raw === undefined || raw === null || raw === "") throw badRequest('parameter "media" is required');
  let media: unknown = raw;
  if (typeof raw === "string") {
    try {
      media = JSON.parse(raw);
    } catch {
      throw badRequest("can't parse input media JSON object");
    }
  }
  const invalid = (why: string): ApiError => badRequest(`can't parse InputMedia: ${why}`);
  if (!isRecord(media)) throw invalid("expected an Object");
  const caption = captionContent(media);
  if (typeof media.type !== "string") throw invalid('Can\'t find field "type"');
  if (media.type !== "photo" && media.type !== "document") throw invalid(`type "${media.type}" is unsupported`);
  const ref = typeof media.media === "string" ? media.media : "";
  if (ref.startsWith("attach://")) {
    const upload = call.files.get(ref.slice("attach://".length));
    if (!upload) throw invalid("media not found");
    return { type: media.type, upload, caption };
  }
  if (ref === "") throw invalid("media not found");
  return { type: media.type, fileId: ref, caption };
}

/** The content fields of a message, for copyMessage / forwardMessage. */
function contentOf(m: Message): Partial<Message> {
  const keys = ["text", "entities", "photo", "document", "sticker", "contact", "caption", "caption_entities", "location", "voice", "video"] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (m[k] !== undefined) out[k] = m[k];
  return out as Partial<Message>;
}

function edit(bot: BotState, chat: ChatState, stored: StoredMessage, change: Partial<Message>, markup: Markup): Message {
  const msg = stored.msg as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete msg[k];
    else msg[k] = v;
  }
  if (markup.inline) msg.reply_markup = markup.inline;
  else delete msg.reply_markup;
  msg.edit_date = nowSec();
  stored.edited = true;
  stored.sentMarkup = markup.raw;
  bot.notifyChat(chat.chat.id);
  return stored.msg;
}

const NOT_MODIFIED = (): ApiError =>
  badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");

function scopeKey(params: Params): string {
  const scope = optJson(params, "scope") ?? { type: "default" };
  if (!isRecord(scope) || typeof scope.type !== "string") throw badRequest("can't parse BotCommandScope JSON object");
  const types = ["default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member"];
  if (!types.includes(scope.type)) throw badRequest("wrong BotCommandScope type specified");
  const lang = optStr(params, "language_code") ?? "";
  if (lang !== "" && !/^[a-z]{2}$/.test(lang)) throw badRequest("invalid language code specified");
  return commandsKey(scope.type, scope.chat_id, scope.user_id, lang);
}

export function commandsKey(type: string, chatId: unknown, userId: unknown, lang: string): string {
  return `${type}|${chatId === undefined ? "" : String(chatId)}|${userId === undefined ? "" : String(userId)}|${lang}`;
}

/** The fields of Update that name a type of update, in Telegram's order. */
const UPDATE_TYPES = [
  "message", "edited_message", "channel_post", "edited_channel_post", "business_connection", "business_message",
  "edited_business_message", "deleted_business_messages", "guest_message", "message_reaction", "message_reaction_count",
  "inline_query", "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media",
  "poll", "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost", "managed_bot",
];

/**
 * allowed_updates as telegram-bot-api reads it (get_allowed_update_types): absent, unparsable
 * or not a list of strings keeps the previous setting; unknown names are ignored; a list that
 * names no known type ([] included) restores the default.
 */
function applyAllowedUpdates(bot: BotState, params: Params): void {
  let list = params.allowed_updates;
  if (typeof list === "string") {
    try {
      list = JSON.parse(list);
    } catch {
      return;
    }
  }
  if (!Array.isArray(list) || !list.every((t): t is string => typeof t === "string")) return;
  const known = new Set(list.map((t) => t.toLowerCase()).filter((t) => UPDATE_TYPES.includes(t)));
  bot.allowedUpdates = known.size > 0 ? known : undefined;
}

function webhookInfo(bot: BotState): Record<string, unknown> {
  const w = bot.webhook;
  const allowed = bot.allowedUpdates;
  // Telegram lists allowed_updates only when they differ from the default, webhook or not.
  const subscribed = allowed ? { allowed_updates: UPDATE_TYPES.filter((t) => allowed.has(t)) } : {};
  if (!w) return { url: "", has_custom_certificate: false, pending_update_count: bot.updates.size, ...subscribed };
  return {
    url: w.config.url,
    has_custom_certificate: false,
    pending_update_count: w.pendingCount,
    max_connections: w.config.maxConnections,
    ...subscribed,
    ...(w.lastErrorDate !== undefined ? { last_error_date: w.lastErrorDate, last_error_message: w.lastErrorMessage } : {}),
  };
}

function stopWebhook(bot: BotState): void {
  bot.webhook?.stop();
  bot.webhook = undefined;
}

// ---------------------------------------------------------------- methods

const getUpdates: MethodHandler = async (bot, call) => {
  const p = call.params;
  if (bot.webhook) throw WEBHOOK_ACTIVE();
  const offset = optInt(p, "offset") ?? 0;
  const limit = Math.min(100, Math.max(1, optInt(p, "limit") ?? 100));
  const timeout = Math.min(600, Math.max(0, optInt(p, "timeout") ?? 0));
  applyAllowedUpdates(bot, p);
  if (offset > 0) bot.updates.dropBelow(offset);
  else if (offset < 0) bot.updates.keepLast(-offset);
  const deadline = Date.now() + timeout * 1000;
  bot.activePoll?.conflict();
  let conflicted = false;
  let closed = false;
  let cancel: (() => void) | undefined;
  const me = {
    conflict: () => {
      conflicted = true;
      cancel?.();
    },
  };
  bot.activePoll = me;
  call.onClose(() => {
    closed = true;
    cancel?.();
  });
  try {
    for (;;) {
      if (bot.webhook) throw WEBHOOK_ACTIVE();
      if (conflicted) throw POLL_CONFLICT();
      const batch = bot.updates.peek(limit);
      const left = deadline - Date.now();
      if (batch.length > 0 || left <= 0 || closed || bot.closed) return batch;
      const wait = bot.updateNotifier.wait(left);
      cancel = wait.cancel;
      await wait.promise;
      cancel = undefined;
    }
  } finally {
    if (bot.activePoll === me) bot.activePoll = undefined;
  }
};

const setWebhook: MethodHandler = (bot, call, env) => {
  const p = call.params;
  const url = optStr(p, "url") ?? "";
  if (optBool(p, "drop_pending_updates")) bot.updates.clear();
  stopWebhook(bot);
  if (url === "") {
    bot.updateNotifier.notify();
    return true;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badRequest("bad webhook: HTTPS url must be provided for webhook");
  const secret = optStr(p, "secret_token");
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest("bad webhook: secret token contains unallowed characters");
  const maxConnections = Math.min(100, Math.max(1, optInt(p, "max_connections") ?? 40));
  applyAllowedUpdates(bot, p);
  bot.webhook = new WebhookDelivery(
    { url, secretToken: secret, maxConnections },
    bot.updates,
    async (method, params) => {
      await env.run(bot, method, params);
    },
    env.state.logger,
    () => bot.updateNotifier.notify(),
  );
  // A poll waiting right now learns that polling is over (409), as with Telegram.
  bot.activePoll?.conflict();
  bot.webhook.kick();
  return true;
};

const deleteWebhook: MethodHandler = (bot, call) => {
  if (optBool(call.params, "drop_pending_updates")) bot.updates.clear();
  stopWebhook(bot);
  bot.updateNotifier.notify();
  return true;
};

const sendMessage: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const { text, entities } = formatText(p, "text");
  const markup = parseMarkup(p);
  const replyTo = replyTarget(chat, p);
  return bot.botMessage(
    chat,
    { text, ...(entities.length ? { entities } : {}), ...(markup.inline ? { reply_markup: markup.inline } : {}) },
    markup.raw,
    replyTo,
  );
};

const editMessageText: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const stored = requireBotMessage(chat, p);
  if (stored.msg.text === undefined) throw badRequest("there is no text in the message to edit");
  const { text, entities } = formatText(p, "text");
  const markup = parseMarkup(p, true);
  if (stored.msg.text === text && sameJson(stored.msg.entities ?? [], entities) && sameJson(stored.msg.reply_markup, markup.inline)) {
    throw NOT_MODIFIED();
  }
  return edit(bot, chat, stored, { text, entities: entities.length ? entities : undefined }, markup);
};

const editMessageCaption: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const stored = requireBotMessage(chat, p);
  if (stored.msg.text !== undefined || stored.msg.sticker !== undefined) throw badRequest("there is no caption in the message to edit");
  const caption = captionContent(p);
  const markup = parseMarkup(p, true);
  if (stored.msg.caption === caption.caption && sameJson(stored.msg.caption_entities, caption.caption_entities) && sameJson(stored.msg.reply_markup, markup.inline)) {
    throw NOT_MODIFIED();
  }
  return edit(bot, chat, stored, { caption: caption.caption, caption_entities: caption.caption_entities }, markup);
};

const editMessageReplyMarkup: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const stored = requireBotMessage(chat, p);
  const markup = parseMarkup(p, true);
  if (sameJson(stored.msg.reply_markup, markup.inline)) throw NOT_MODIFIED();
  return edit(bot, chat, stored, {}, markup);
};

const editMessageMedia: MethodHandler = async (bot, call, env) => {
  const p = call.params;
  // Telegram reads markup and media before it looks for the message.
  const markup = parseMarkup(p, true);
  const media = inputMedia(call);
  const chat = requireChat(bot, p, true);
  const stored = requireBotMessage(chat, p);
  if (stored.msg.photo === undefined && stored.msg.document === undefined) throw badRequest("there is no media in the message to edit");
  const content: Partial<Message> = media.type === "photo"
    ? { photo: await photoFrom(bot, env, media.upload, media.fileId), document: undefined }
    : { document: documentFrom(bot, env, media.upload, media.fileId), photo: undefined };
  const { caption, caption_entities } = media.caption;
  if (
    sameJson(stored.msg.photo, content.photo) && sameJson(stored.msg.document, content.document) && stored.msg.caption === caption &&
    sameJson(stored.msg.caption_entities, caption_entities) && sameJson(stored.msg.reply_markup, markup.inline)
  ) {
    throw NOT_MODIFIED();
  }
  // No caption in the new media removes the old one, as on Telegram.
  return edit(bot, chat, stored, { ...content, caption, caption_entities }, markup);
};

const answerCallbackQuery: MethodHandler = (bot, call) => {
  const id = optStr(call.params, "callback_query_id") ?? "";
  const q = bot.callbackQueries.get(id);
  if (!q || q.answered) throw badRequest("query is too old and response timeout expired or query ID is invalid");
  const text = optStr(call.params, "text");
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  q.answered = true;
  bot.recordAnswer(id, q, call.params);
  return true;
};

const sendPhoto: MethodHandler = async (bot, call, env) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const caption = captionContent(p);
  const markup = parseMarkup(p);
  const replyTo = replyTarget(chat, p);
  const upload = uploadFor(call, "photo");
  if (!upload && (p.photo === undefined || p.photo === "")) throw badRequest("there is no photo in the request");
  const photo = await photoFrom(bot, env, upload, p.photo);
  return bot.botMessage(chat, { photo, ...caption, ...(markup.inline ? { reply_markup: markup.inline } : {}) }, markup.raw, replyTo);
};

const sendDocument: MethodHandler = (bot, call, env) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const caption = captionContent(p);
  const markup = parseMarkup(p);
  const replyTo = replyTarget(chat, p);
  const upload = uploadFor(call, "document");
  if (!upload && (p.document === undefined || p.document === "")) throw badRequest("there is no document in the request");
  const document = documentFrom(bot, env, upload, p.document);
  return bot.botMessage(chat, { document, ...caption, ...(markup.inline ? { reply_markup: markup.inline } : {}) }, markup.raw, replyTo);
};

function sourceMessage(bot: BotState, p: Params, what: string): StoredMessage {
  const from = requireChat(bot, p, false, "from_chat_id");
  const id = optInt(p, "message_id");
  const src = id === undefined ? undefined : from.messages.get(id);
  if (!src) throw badRequest(`message to ${what} not found`);
  return src;
}

const copyMessage: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const src = sourceMessage(bot, p, "copy");
  const content = contentOf(src.msg);
  if (p.caption !== undefined && content.text === undefined) {
    delete content.caption;
    delete content.caption_entities;
    Object.assign(content, captionContent(p));
  }
  const markup = parseMarkup(p);
  const msg = bot.botMessage(chat, { ...content, ...(markup.inline ? { reply_markup: markup.inline } : {}) }, markup.raw, replyTarget(chat, p));
  return { message_id: msg.message_id };
};

const forwardMessage: MethodHandler = (bot, call) => {
  const p = call.params;
  const chat = requireChat(bot, p, true);
  const src = sourceMessage(bot, p, "forward");
  const origin = src.msg.from
    ? { type: "user" as const, sender_user: src.msg.from, date: src.msg.date }
    : { type: "hidden_user" as const, sender_user_name: "Unknown", date: src.msg.date };
  return bot.botMessage(chat, { ...contentOf(src.msg), forward_origin: origin }, undefined);
};

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const sendChatAction: MethodHandler = (bot, call) => {
  requireChat(bot, call.params, true);
  if (!CHAT_ACTIONS.has(optStr(call.params, "action") ?? "")) throw badRequest("wrong parameter action in request");
  return true;
};

const deleteMessage: MethodHandler = (bot, call) => {
  const chat = requireChat(bot, call.params, false);
  const id = optInt(call.params, "message_id");
  if (id === undefined || !chat.messages.delete(id)) throw badRequest("message to delete not found");
  bot.emit({ chat_id: chat.chat.id });
  return true;
};

const deleteMessages: MethodHandler = (bot, call) => {
  const chat = requireChat(bot, call.params, false);
  const ids = optJson(call.params, "message_ids");
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw badRequest("message identifiers are not specified");
  for (const id of ids) chat.messages.delete(Number(id));
  bot.emit({ chat_id: chat.chat.id });
  return true;
};

const setMyCommands: MethodHandler = (bot, call) => {
  const commands = optJson(call.params, "commands");
  if (!Array.isArray(commands)) throw badRequest("can't parse commands JSON object");
  if (commands.length > 100) throw badRequest("too many commands specified");
  const clean: BotCommand[] = [];
  for (const c of commands) {
    if (!isRecord(c) || typeof c.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest("BOT_COMMAND_INVALID");
    if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
    clean.push({ command: c.command, description: c.description });
  }
  const key = scopeKey(call.params);
  if (clean.length === 0) bot.commands.delete(key);
  else bot.commands.set(key, clean);
  return true;
};

const getMyCommands: MethodHandler = (bot, call) => bot.commands.get(scopeKey(call.params)) ?? [];

const deleteMyCommands: MethodHandler = (bot, call) => {
  bot.commands.delete(scopeKey(call.params));
  return true;
};

const getChatMember: MethodHandler = (bot, call) => {
  const chat = requireChat(bot, call.params, false);
  const userId = optInt(call.params, "user_id");
  if (userId === undefined) throw badRequest("user_id is empty");
  if (userId === bot.user.id) return chatMember(bot.user, chat.botStatus);
  const known = bot.users.get(userId);
  const user: User = known ?? { id: userId, is_bot: false, first_name: `User${userId}` };
  if (chat.creatorId === userId) return { status: "creator", user, is_anonymous: false };
  if (chat.members.has(userId)) return { status: "member", user };
  return { status: "left", user };
};

const getChat: MethodHandler = (bot, call) => {
  const chat = requireChat(bot, call.params, false);
  // Users accept every kind of gift until they opt out; a supergroup cannot receive gifts.
  const gifts = chat.chat.type === "private";
  return {
    ...chat.chat,
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: { unlimited_gifts: gifts, limited_gifts: gifts, unique_gifts: gifts, premium_subscription: gifts, gifts_from_channels: gifts },
  };
};

const getFile: MethodHandler = (bot, call) => {
  const id = optStr(call.params, "file_id");
  if (!id) throw badRequest("file_id is empty");
  const rec = bot.file(id);
  if (!rec) throw badRequest("invalid file_id");
  if (rec.file_size > GETFILE_LIMIT) throw badRequest("file is too big");
  return { file_id: rec.file_id, file_unique_id: rec.file_unique_id, file_size: rec.file_size, file_path: rec.file_path };
};

const getMe: MethodHandler = (bot) => ({
  ...bot.user,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  supports_guest_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
});

const alwaysTrue: MethodHandler = () => true;

/** Method table, keyed lower-case: Telegram method names are case-insensitive. */
export const METHODS: ReadonlyMap<string, MethodHandler> = new Map(
  Object.entries({
    getMe,
    logOut: alwaysTrue,
    close: alwaysTrue,
    getUpdates,
    setWebhook,
    deleteWebhook,
    getWebhookInfo: (bot: BotState) => webhookInfo(bot),
    sendMessage,
    editMessageText,
    editMessageCaption,
    editMessageReplyMarkup,
    editMessageMedia,
    answerCallbackQuery,
    sendPhoto,
    sendDocument,
    copyMessage,
    forwardMessage,
    sendChatAction,
    deleteMessage,
    deleteMessages,
    setMyCommands,
    getMyCommands,
    deleteMyCommands,
    getChatMember,
    getChat,
    getFile,
    setMyDescription: alwaysTrue,
    setMyShortDescription: alwaysTrue,
    setMyName: alwaysTrue,
    setChatMenuButton: alwaysTrue,
    setMyDefaultAdministratorRights: alwaysTrue,
  } satisfies Record<string, MethodHandler>).map(([k, v]) => [k.toLowerCase(), v]),
);
