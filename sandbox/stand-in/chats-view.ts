import { randomInt } from "node:crypto";
import type { MessageEntity } from "grammy/types";
import { isRecord } from "./params";
import type { BotState, ChatState, SandboxProfile } from "./state";
import { SandboxError, type Message } from "./types";

/**
 * The web sandbox's view of the stand-in: who the simulated people are, their chats, and every
 * message of a chat from both sides, with Telegram's entities and the reply keyboard in force.
 * Plain JSON over the sandbox API, so curl sees exactly what the page sees.
 */

export const SANDBOX_LOCALES = ["en", "zh-hans", "zh-hant"] as const;

export interface SandboxPerson {
  id: number;
  first_name: string;
  language_code: string;
  phone_number?: string;
  shop_id?: string;
  start_param?: string;
}

export function people(bot: BotState): SandboxPerson[] {
  return [...bot.users.values()].map((u) => ({ id: u.id, first_name: u.first_name, language_code: u.language_code, ...bot.profiles.get(u.id) }));
}

export function person(bot: BotState, userId: number): SandboxPerson {
  const u = bot.users.get(userId);
  if (!u) throw new SandboxError(404, `no user ${userId} in the sandbox (POST /sandbox/users adds one)`);
  return { id: u.id, first_name: u.first_name, language_code: u.language_code, ...bot.profiles.get(userId) };
}

const PHONE_RE = /^\+?[0-9][0-9 ()-]{4,24}$/;

function profileFields(body: Record<string, unknown>): { from: { first_name?: string; language_code?: string }; profile: SandboxProfile } {
  const from: { first_name?: string; language_code?: string } = {};
  const profile: SandboxProfile = {};
  if (body.first_name !== undefined) {
    if (typeof body.first_name !== "string" || body.first_name.trim() === "" || body.first_name.length > 64) {
      throw new SandboxError(400, "first_name must be 1-64 characters");
    }
    from.first_name = body.first_name.trim();
  }
  if (body.language_code !== undefined) {
    const lang = typeof body.language_code === "string" ? body.language_code.toLowerCase() : "";
    if (!(SANDBOX_LOCALES as readonly string[]).includes(lang)) throw new SandboxError(400, `language_code must be one of ${SANDBOX_LOCALES.join(", ")}`);
    from.language_code = lang;
  }
  if (body.phone_number !== undefined) {
    if (typeof body.phone_number !== "string" || !PHONE_RE.test(body.phone_number.trim())) {
      throw new SandboxError(400, "phone_number must look like a phone number, e.g. +85291234567");
    }
    profile.phone_number = body.phone_number.trim();
  }
  return { from, profile };
}

/** POST /sandbox/users: a new simulated person (an id of their own unless `id` is given). */
export function createPerson(bot: BotState, body: unknown): SandboxPerson {
  if (!isRecord(body)) throw new SandboxError(400, "body must be a JSON object");
  const { from, profile } = profileFields(body);
  if (from.first_name === undefined) throw new SandboxError(400, "first_name is required");
  let id: number;
  if (body.id !== undefined) {
    if (typeof body.id !== "number" || !Number.isSafeInteger(body.id) || body.id <= 0) throw new SandboxError(400, "id must be a positive integer");
    if (bot.users.has(body.id)) throw new SandboxError(409, `user ${body.id} already exists`);
    id = body.id;
  } else {
    // Random, not sequential: the database outlives the stand-in, and a reused id would be an old seller.
    do id = randomInt(100_000_000, 999_999_999);
    while (bot.users.has(id));
  }
  bot.touchUser(id, { language_code: "en", ...from });
  bot.profiles.set(id, profile);
  bot.emit({ users: true });
  return person(bot, id);
}

/** POST /sandbox/users/{id}: name, language or phone changed (the next messages carry them). */
export function updatePerson(bot: BotState, userId: number, body: unknown): SandboxPerson {
  if (!isRecord(body)) throw new SandboxError(400, "body must be a JSON object");
  person(bot, userId);
  const { from, profile } = profileFields(body);
  bot.touchUser(userId, from);
  bot.profiles.set(userId, { ...bot.profiles.get(userId), ...profile });
  bot.emit({ users: true });
  return person(bot, userId);
}

export function rememberShop(bot: BotState, userId: number, shop: { shopId: string; startParam: string | null }): void {
  const profile = { ...bot.profiles.get(userId), shop_id: shop.shopId };
  if (shop.startParam) profile.start_param = shop.startParam;
  else delete profile.start_param;
  bot.profiles.set(userId, profile);
  bot.emit({ users: true });
}

export interface ChatSummary {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title: string;
  bot_status: string;
  /** groups: who created it (the sandbox's staff group: the first admin) and who has spoken there */
  creator_id?: number;
  members: number[];
  last?: { text: string; date: number; from_bot: boolean };
}

export function chatList(bot: BotState): ChatSummary[] {
  return [...bot.chats.values()].map((c) => summaryOf(bot, c)).reverse(); // most recently active first
}

function summaryOf(bot: BotState, c: ChatState): ChatSummary {
  const last = [...c.messages.values()].at(-1);
  return {
    id: c.chat.id,
    type: c.chat.type,
    title: c.chat.type === "private" ? (bot.users.get(c.chat.id)?.first_name ?? c.chat.first_name) : c.chat.title,
    bot_status: c.botStatus,
    ...(c.creatorId !== undefined ? { creator_id: c.creatorId } : {}),
    members: [...c.members],
    ...(last ? { last: { text: preview(last.msg), date: last.msg.date, from_bot: last.fromBot } } : {}),
  };
}

function preview(m: Message): string {
  if (m.text !== undefined) return m.text.slice(0, 80);
  if (m.photo) return `🖼 ${m.caption?.slice(0, 70) ?? ""}`.trim();
  if (m.contact) return "📞";
  if (m.document) return `📎 ${m.document.file_name ?? ""}`.trim();
  if (m.sticker) return m.sticker.emoji ?? "sticker";
  return "";
}

export interface HistoryMessage {
  message_id: number;
  date: number;
  from_bot: boolean;
  from: { id: number; first_name: string };
  text?: string;
  entities?: MessageEntity[];
  caption?: string;
  caption_entities?: MessageEntity[];
  photo_file_id?: string;
  document?: { file_id: string; file_name?: string; mime_type?: string };
  contact?: { phone_number: string; first_name: string };
  sticker?: string;
  reply_to_message_id?: number;
  /** inline keyboards (reply keyboards are in `reply_keyboard`) */
  inline_keyboard?: unknown[][];
  edited?: true;
}

export interface ChatHistory {
  chat: ChatSummary;
  messages: HistoryMessage[];
  /** the reply keyboard the user sees now, or null (none sent, removed, or a one-time keyboard used) */
  reply_keyboard: { keyboard: unknown[][]; placeholder?: string } | null;
  /** the newest callback answer's seq: toasts after it are new */
  last_answer_seq: number;
}

export function chatHistory(bot: BotState, chatId: number): ChatHistory {
  const c = bot.chats.get(chatId);
  const u = bot.users.get(chatId);
  if (!c && u) {
    // A simulated person who has not written yet: their private chat is empty, not missing.
    const chat: ChatSummary = { id: chatId, type: "private", title: u.first_name, bot_status: "member", members: [chatId] };
    return { chat, messages: [], reply_keyboard: null, last_answer_seq: 0 };
  }
  if (!c) throw new SandboxError(404, `no chat ${chatId} yet: it opens with the user's first message`);
  const summary = summaryOf(bot, c);
  const messages: HistoryMessage[] = [];
  let keyboard: ChatHistory["reply_keyboard"] = null;
  let oneTime = false;
  for (const s of c.messages.values()) {
    const m = s.msg;
    const markup = isRecord(s.sentMarkup) ? s.sentMarkup : undefined;
    if (s.fromBot && markup && Array.isArray(markup.keyboard)) {
      keyboard = { keyboard: markup.keyboard as unknown[][], ...(typeof markup.input_field_placeholder === "string" ? { placeholder: markup.input_field_placeholder } : {}) };
      oneTime = markup.one_time_keyboard === true;
    } else if (s.fromBot && markup?.remove_keyboard === true) {
      keyboard = null;
    } else if (!s.fromBot && oneTime) {
      keyboard = null;
    }
    messages.push(historyMessage(m, s.fromBot, s.edited, markup));
  }
  return { chat: summary, messages, reply_keyboard: keyboard, last_answer_seq: c.callbackAnswers.at(-1)?.seq ?? 0 };
}

function historyMessage(m: Message, fromBot: boolean, edited: boolean, markup: Record<string, unknown> | undefined): HistoryMessage {
  const largest = m.photo?.[m.photo.length - 1];
  return {
    message_id: m.message_id,
    date: m.date,
    from_bot: fromBot,
    from: { id: m.from?.id ?? 0, first_name: m.from?.first_name ?? "" },
    ...(m.text !== undefined ? { text: m.text } : {}),
    ...(m.entities?.length ? { entities: m.entities } : {}),
    ...(m.caption !== undefined ? { caption: m.caption } : {}),
    ...(m.caption_entities?.length ? { caption_entities: m.caption_entities } : {}),
    ...(largest ? { photo_file_id: largest.file_id } : {}),
    ...(m.document ? { document: { file_id: m.document.file_id, file_name: m.document.file_name, mime_type: m.document.mime_type } } : {}),
    ...(m.contact ? { contact: { phone_number: m.contact.phone_number, first_name: m.contact.first_name } } : {}),
    ...(m.sticker ? { sticker: m.sticker.emoji ?? "sticker" } : {}),
    ...(m.reply_to_message ? { reply_to_message_id: m.reply_to_message.message_id } : {}),
    ...(markup && Array.isArray(markup.inline_keyboard) ? { inline_keyboard: markup.inline_keyboard as unknown[][] } : {}),
    ...(edited ? { edited: true as const } : {}),
  };
}
