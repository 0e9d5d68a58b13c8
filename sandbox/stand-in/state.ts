import { createHash, randomInt } from "node:crypto";
import type { BotCommand } from "grammy/types";
import { Faults } from "./faults";
import { FileStore, type FileRecord } from "./files";
import { FloodModel, resolveFloodLimits, SendStats, type FloodLimits, type FloodModelOptions } from "./flood";
import { Notifier } from "./notifier";
import { makeStickerWebp, toTelegramPhotoSizes, type PhotoVariant } from "./photos";
import { UpdateQueue } from "./update-queue";
import type { WebhookDelivery } from "./webhook";
import type { BotMemberStatus, CallbackAnswer, SandboxProduct, Chat, ChatMember, LoggerLike, Message, Params, StoredMessage, Update, User } from "./types";

export interface StateLimits {
  /** Messages kept per chat (oldest forgotten first). */
  maxMessagesPerChat: number;
  /** Total bytes of stored files (least recently used evicted first). */
  maxFileBytes: number;
  /** Unconfirmed updates kept per bot. */
  maxPendingUpdates: number;
  /** Chats kept per bot; the least recently active is forgotten (with its user) beyond this. */
  maxChats: number;
}

export const DEFAULT_LIMITS: StateLimits = {
  maxMessagesPerChat: 1000,
  maxFileBytes: 500 * 1024 * 1024,
  maxPendingUpdates: 100_000,
  maxChats: 50_000,
};

export interface BotIdentityOptions {
  id?: number;
  username?: string;
  first_name?: string;
}

type SandboxUser = User & { language_code: string };

/**
 * What the sandbox knows of a simulated person beyond the Telegram user: the phone their
 * account has (what the share-contact button sends), and a shop the marketplace imported for them.
 */
export interface SandboxProfile {
  phone_number?: string;
  shop_id?: string;
  /** the deep link's start parameter, until the user opened it */
  start_param?: string;
}

/** A change the web sandbox should redraw: a chat's messages, or the list of users and chats. */
export type SandboxChange = { chat_id: number } | { users: true };

interface CallbackQueryRecord {
  chatId: number;
  messageId: number;
  data: string;
  answered: boolean;
}

type PhotoResult = { sizes: PhotoVariant[]; original: { width: number; height: number } };
const PHOTO_CACHE_ENTRIES = 32;

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** Telegram's default when a bot never set allowed_updates (or set an empty list). */
const NOT_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

/** Users the sandbox invents (a group's creator nobody named) get ids far above the ones tests use. */
const INVENTED_USER_ID = 7_000_000_000;

/**
 * A bot admin with every right but promoting others (and topics: sandbox groups are no forums),
 * in the fields Telegram sends for a supergroup, minus the legacy can_manage_voice_chats that
 * the real server adds although the Bot API no longer lists it.
 */
const BOT_ADMIN_RIGHTS = {
  can_be_edited: false,
  is_anonymous: false,
  can_manage_chat: true,
  can_change_info: true,
  can_delete_messages: true,
  can_invite_users: true,
  can_restrict_members: true,
  can_pin_messages: true,
  can_manage_topics: false,
  can_promote_members: false,
  can_manage_video_chats: true,
  can_post_stories: true,
  can_edit_stories: true,
  can_delete_stories: true,
  can_manage_tags: true,
};

/** A user as the ChatMember subtype Telegram uses for the status ("kicked" is ChatMemberBanned). */
export function chatMember(user: User, status: BotMemberStatus): ChatMember {
  switch (status) {
    case "member":
    case "left":
      return { status, user };
    case "kicked":
      return { status, user, until_date: 0 }; // 0: banned for good
    case "administrator":
      // grammY's type also wants can_send_welcome_messages, which Bot API 10.1 does not have.
      return { status, user, ...BOT_ADMIN_RIGHTS } as ChatMember;
  }
}

/**
 * Telegram's update_ids are 31-bit and only ever grow. Starting from the clock keeps them
 * growing across stand-in restarts (a bot that survived the restart keeps its offset)
 * unless the previous run averaged more than 4 updates/s since it started.
 */
const firstUpdateId = (): number => 100_000_000 + (nowSec() - 1_704_067_200) * 4;

export class ChatState {
  nextMessageId = 1;
  readonly messages = new Map<number, StoredMessage>();
  readonly callbackAnswers: CallbackAnswer[] = [];
  readonly members = new Set<number>();
  readonly instance = `${randomInt(1, 2 ** 47)}${randomInt(100_000, 999_999)}`;
  creatorId?: number;
  /** Only groups change it: a private chat is closed by BotState.blocked instead. */
  botStatus: BotMemberStatus = "member";
  /** Id of the newest bot message, so long polls can check without scanning. */
  lastBotMessageId = 0;

  constructor(
    readonly chat: Chat,
    private readonly cap: number,
  ) {}

  store(stored: StoredMessage): void {
    this.messages.set(stored.msg.message_id, stored);
    if (stored.fromBot) this.lastBotMessageId = stored.msg.message_id;
    if (this.messages.size > this.cap) {
      const oldest = this.messages.keys().next();
      if (!oldest.done) this.messages.delete(oldest.value);
    }
  }

  get botPresent(): boolean {
    return this.botStatus === "member" || this.botStatus === "administrator";
  }

  addAnswer(answer: CallbackAnswer): void {
    this.callbackAnswers.push(answer);
    if (this.callbackAnswers.length > this.cap) this.callbackAnswers.splice(0, this.callbackAnswers.length - this.cap);
  }
}

/** Everything one bot (one token) sees: its users, chats, pending updates, settings. */
export class BotState {
  token: string | undefined;
  user: User;
  readonly users = new Map<number, SandboxUser>();
  readonly chats = new Map<number, ChatState>();
  readonly updates: UpdateQueue;
  readonly updateNotifier = new Notifier();
  readonly callbackQueries = new Map<string, CallbackQueryRecord>();
  readonly commands = new Map<string, BotCommand[]>();
  readonly faults = new Faults();
  /** Telegram's 429s for sends beyond its rates (off unless configured). */
  readonly flood: FloodModel;
  /** Counted sends and their outcomes, for `GET /sandbox/stats`. */
  readonly stats: SendStats;
  readonly blocked = new Set<number>();
  readonly profiles = new Map<number, SandboxProfile>();
  /** Listeners to every change (the web sandbox's event stream). */
  readonly watchers = new Set<(change: SandboxChange) => void>();
  /** The update types the bot asked for (getUpdates / setWebhook allowed_updates); undefined = the default. */
  allowedUpdates: ReadonlySet<string> | undefined;
  webhook: WebhookDelivery | undefined;
  /** Set at shutdown: long polls stop waiting. */
  closed = false;
  /** The getUpdates request currently waiting; a newer one makes it fail with 409 like Telegram. */
  activePoll: { conflict(): void } | undefined;
  private nextUpdateId = firstUpdateId();
  private callbackCounter = 0;
  private readonly callbackPrefix = String(randomInt(1_000_000_000, 9_999_999_999));
  private answerSeq = 0;
  private readonly chatNotifiers = new Map<number, Notifier>();

  constructor(
    token: string | undefined,
    identity: { id: number; username: string; first_name: string },
    readonly limits: StateLimits,
    private readonly files: FileStore,
    floodLimits: FloodLimits,
  ) {
    this.token = token;
    this.user = { id: identity.id, is_bot: true, first_name: identity.first_name, username: identity.username };
    this.updates = new UpdateQueue(limits.maxPendingUpdates);
    this.flood = new FloodModel(floodLimits, limits.maxChats);
    this.stats = new SendStats(limits.maxChats);
  }

  // ------------------------------------------------------------ users and chats

  touchUser(userId: number, from?: { first_name?: string; last_name?: string; username?: string; language_code?: string }): SandboxUser {
    let u = this.users.get(userId);
    if (!u) {
      u = { id: userId, is_bot: false, first_name: `User${userId}`, language_code: "en" };
      this.users.set(userId, u);
    }
    if (from) {
      if (from.first_name !== undefined) u.first_name = from.first_name;
      if (from.last_name !== undefined) u.last_name = from.last_name;
      if (from.username !== undefined) u.username = from.username;
      if (from.language_code !== undefined) u.language_code = from.language_code;
      const chat = this.chats.get(userId)?.chat;
      if (chat?.type === "private") {
        chat.first_name = u.first_name;
        if (u.last_name !== undefined) chat.last_name = u.last_name;
        if (u.username !== undefined) chat.username = u.username;
      }
    }
    return u;
  }

  /** Tells the web sandbox's event streams; a watcher that throws is dropped, never the caller. */
  emit(change: SandboxChange): void {
    for (const w of [...this.watchers]) {
      try {
        w(change);
      } catch {
        this.watchers.delete(w);
      }
    }
  }

  /**
   * A chat exists once a user spoke in it (private chat id = user id; groups are negative)
   * or the sandbox put the bot in a group. `group` only applies when the group is new.
   */
  openChat(chatId: number, user: SandboxUser, group: { title?: string; botStatus?: BotMemberStatus } = {}): ChatState {
    let c = this.chats.get(chatId);
    if (!c) {
      const chat: Chat = chatId > 0
        ? { id: chatId, type: "private", first_name: user.first_name, ...(user.last_name ? { last_name: user.last_name } : {}), ...(user.username ? { username: user.username } : {}) }
        : { id: chatId, type: "supergroup", title: group.title ?? `Group ${chatId}` };
      c = new ChatState(chat, this.limits.maxMessagesPerChat);
      if (chatId < 0) {
        c.creatorId = user.id;
        if (group.botStatus) c.botStatus = group.botStatus;
      }
      this.chats.set(chatId, c);
    }
    c.members.add(user.id);
    return c;
  }

  /** Puts the bot in a group or takes it out; a change reaches the bot as a my_chat_member update. */
  setBotStatus(chatId: number, status: BotMemberStatus, opts: { fromId?: number; title?: string }): void {
    const from = this.touchUser(opts.fromId ?? this.chats.get(chatId)?.creatorId ?? this.unusedUserId());
    // A group new to the sandbox did not have the bot; whoever adds it created the group.
    const chat = this.openChat(chatId, from, { title: opts.title, botStatus: "left" });
    this.touchChat(chat);
    const old = chat.botStatus;
    if (old === status) return;
    chat.botStatus = status;
    this.emit({ users: true });
    this.enqueue({
      my_chat_member: { chat: chat.chat, from, date: nowSec(), old_chat_member: chatMember(this.user, old), new_chat_member: chatMember(this.user, status) },
    } as Omit<Update, "update_id">);
  }

  private unusedUserId(): number {
    let id = INVENTED_USER_ID;
    while (this.users.has(id)) id += 1;
    return id;
  }

  /** Keeps chats in least-recently-active order and bounds their number (long benchmarks). */
  private touchChat(chat: ChatState): void {
    const id = chat.chat.id;
    this.chats.delete(id);
    this.chats.set(id, chat);
    if (this.chats.size <= this.limits.maxChats) return;
    const oldest = this.chats.keys().next();
    if (oldest.done) return;
    this.chats.delete(oldest.value);
    if (oldest.value > 0) this.users.delete(oldest.value);
  }

  // ------------------------------------------------------------ updates

  /**
   * Creates an update, unless allowed_updates excludes its type: Telegram then never creates
   * it, so it is not delivered later either. Returns its update_id, or undefined if dropped.
   */
  enqueue(body: Omit<Update, "update_id">): number | undefined {
    const type = Object.keys(body)[0] ?? "";
    const wanted = this.allowedUpdates ? this.allowedUpdates.has(type) : !NOT_BY_DEFAULT.has(type);
    if (!wanted) return undefined;
    const update = { update_id: this.nextUpdateId++, ...body } as Update;
    this.updates.push(update);
    if (this.webhook) this.webhook.kick();
    else this.updateNotifier.notify();
    return update.update_id;
  }

  // ------------------------------------------------------------ messages

  /** A message from a user: stored, and delivered to the bot as an update if the bot is in the chat. */
  userMessage(user: SandboxUser, chat: ChatState, content: Partial<Message>, replyTo?: StoredMessage): { update_id?: number; message: Message } {
    const message = {
      message_id: chat.nextMessageId++,
      from: user,
      chat: chat.chat,
      date: nowSec(),
      ...(replyTo ? { reply_to_message: stripReply(replyTo.msg) } : {}),
      ...content,
    } as Message;
    chat.store({ msg: message, fromBot: false, edited: false });
    this.touchChat(chat);
    this.emit({ chat_id: chat.chat.id });
    const update_id = chat.botPresent ? this.enqueue({ message } as Omit<Update, "update_id">) : undefined;
    return { update_id, message };
  }

  botMessage(chat: ChatState, content: Partial<Message>, sentMarkup: unknown, replyTo?: StoredMessage): Message {
    const message = {
      message_id: chat.nextMessageId++,
      from: this.user,
      chat: chat.chat,
      date: nowSec(),
      ...(replyTo ? { reply_to_message: stripReply(replyTo.msg) } : {}),
      ...content,
    } as Message;
    chat.store({ msg: message, fromBot: true, edited: false, sentMarkup });
    this.touchChat(chat);
    this.notifyChat(chat.chat.id);
    return message;
  }

  chatNotifier(chatId: number): Notifier {
    let n = this.chatNotifiers.get(chatId);
    if (!n) {
      n = new Notifier();
      this.chatNotifiers.set(chatId, n);
    }
    return n;
  }

  /** Drops a chat notifier nobody waits on any more. */
  releaseChatNotifier(chatId: number): void {
    const n = this.chatNotifiers.get(chatId);
    if (n && n.size === 0) this.chatNotifiers.delete(chatId);
  }

  /** A bot message, an edit, a deletion or a callback answer in the chat: wakes its long polls and the event streams. */
  notifyChat(chatId: number): void {
    this.chatNotifiers.get(chatId)?.notify();
    this.emit({ chat_id: chatId });
  }

  // ------------------------------------------------------------ callback queries

  /** A button press; the bot hears of it only if it is in the chat. */
  callbackQuery(user: SandboxUser, chat: ChatState, stored: StoredMessage, data: string): number | undefined {
    if (!chat.botPresent) return undefined;
    const id = `${this.callbackPrefix}${String(++this.callbackCounter).padStart(9, "0")}`;
    const update_id = this.enqueue({
      // A snapshot: a later edit must not change what this update says.
      callback_query: { id, from: user, message: { ...stored.msg }, chat_instance: chat.instance, data },
    } as Omit<Update, "update_id">);
    if (update_id === undefined) return undefined;
    this.callbackQueries.set(id, { chatId: chat.chat.id, messageId: stored.msg.message_id, data, answered: false });
    if (this.callbackQueries.size > 50_000) {
      const oldest = this.callbackQueries.keys().next();
      if (!oldest.done) this.callbackQueries.delete(oldest.value);
    }
    return update_id;
  }

  recordAnswer(queryId: string, q: CallbackQueryRecord, params: Params): void {
    const chat = this.chats.get(q.chatId);
    if (!chat) return;
    chat.addAnswer({
      seq: ++this.answerSeq,
      callback_query_id: queryId,
      message_id: q.messageId,
      callback_data: q.data,
      ...(typeof params.text === "string" ? { text: params.text } : {}),
      show_alert: params.show_alert === true || params.show_alert === "true",
      ...(typeof params.url === "string" ? { url: params.url } : {}),
      date: nowSec(),
    });
    this.notifyChat(q.chatId);
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * Forgets conversations, flood buckets and send stats, but keeps identity, webhook,
   * allowed_updates, commands, the flood limits and the update_id sequence.
   */
  reset(): void {
    this.flood.reset();
    this.stats.reset();
    this.users.clear();
    this.profiles.clear();
    this.chats.clear();
    this.updates.clear();
    this.callbackQueries.clear();
    this.faults.clear();
    this.blocked.clear();
    this.emit({ users: true });
  }

  shutdown(): void {
    this.closed = true;
    this.webhook?.stop();
    this.updateNotifier.releaseAll();
    for (const n of this.chatNotifiers.values()) n.releaseAll();
  }

  file(fileId: string): FileRecord | undefined {
    return this.files.get(fileId);
  }
}

/** reply_to_message never nests further replies (Telegram's rule). */
function stripReply(m: Message): Message {
  const { reply_to_message: _drop, ...rest } = m;
  return rest as Message;
}

export const TOKEN_RE = /^(\d{1,15}):[A-Za-z0-9_-]{20,}$/;

/**
 * All bots the stand-in serves. The sandbox API talks to the "default" bot: the first
 * token that calls the Bot API. Sandbox calls made before any bot connected go to a
 * placeholder that the first token then adopts, so nothing sent early is lost.
 */
/** The clock of the bot and workers the sandbox runs (core/clock.ts), as the stand-in sees it. */
export interface SandboxClockControl {
  offsetMs(): number;
  advance(seconds: number): Promise<number>;
}

export class StandInState {
  /** set in sandbox mode: POST /sandbox/clock moves the bot's and every worker's clock */
  clock: SandboxClockControl | undefined;
  /** set in sandbox mode: the side panel's insight and the marketplace import (the web sandbox) */
  product: SandboxProduct | undefined;
  readonly files: FileStore;
  readonly limits: StateLimits;
  /** What each new bot's flood model starts with; `POST /sandbox/limits` then changes one bot's. */
  readonly floodLimits: FloodLimits;
  private readonly bots = new Map<string, BotState>();
  private defaultBot: BotState | undefined;
  private sticker: FileRecord | undefined;
  private readonly photoCache = new Map<string, Promise<PhotoResult>>();

  constructor(
    private readonly identity: BotIdentityOptions = {},
    limits: Partial<StateLimits> = {},
    readonly logger: LoggerLike,
    flood: FloodModelOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.floodLimits = resolveFloodLimits(flood);
    this.files = new FileStore(this.limits.maxFileBytes);
  }

  /** The bot for a (valid) token, created on first use. */
  botForToken(token: string): BotState {
    const known = this.bots.get(token);
    if (known) return known;
    const tokenId = Number(TOKEN_RE.exec(token)?.[1] ?? 0);
    if (this.defaultBot && this.defaultBot.token === undefined) {
      // Adopt the placeholder the sandbox created before any bot connected.
      const bot = this.defaultBot;
      bot.token = token;
      bot.user = { ...bot.user, id: this.identity.id ?? tokenId };
      this.bots.set(token, bot);
      this.logger.info({ botId: bot.user.id }, "default bot connected");
      return bot;
    }
    const isFirst = this.defaultBot === undefined;
    const bot = new BotState(token, isFirst ? this.defaultIdentity(tokenId) : otherIdentity(tokenId), this.limits, this.files, this.floodLimits);
    this.bots.set(token, bot);
    if (isFirst) {
      this.defaultBot = bot;
      this.logger.info({ botId: bot.user.id }, "default bot connected");
    }
    return bot;
  }

  /** The bot the sandbox API addresses: an explicit token, else the default bot (placeholder if none yet). */
  sandboxBot(token?: string): BotState {
    if (token !== undefined) return this.botForToken(token);
    this.defaultBot ??= new BotState(undefined, this.defaultIdentity(this.identity.id ?? 0), this.limits, this.files, this.floodLimits);
    return this.defaultBot;
  }

  allBots(): BotState[] {
    const list = [...this.bots.values()];
    if (this.defaultBot && !list.includes(this.defaultBot)) list.push(this.defaultBot);
    return list;
  }

  async stickerFile(): Promise<FileRecord> {
    if (this.sticker && this.files.get(this.sticker.file_id)) return this.sticker;
    const data = await makeStickerWebp();
    this.sticker = this.files.add("stickers", data, { ext: "webp", mime_type: "image/webp" });
    return this.sticker;
  }

  /**
   * Decoded + re-encoded sizes of an image. Re-encoding costs ~50 ms of CPU per photo, and
   * load tests send the same few fixture photos again and again, so results are cached by
   * content hash (each upload still gets its own file_ids, as on Telegram).
   */
  photoVariants(data: Buffer): Promise<PhotoResult> {
    const key = createHash("sha1").update(data).digest("base64");
    const hit = this.photoCache.get(key);
    if (hit) {
      this.photoCache.delete(key);
      this.photoCache.set(key, hit);
      return hit;
    }
    const p = toTelegramPhotoSizes(data);
    this.photoCache.set(key, p);
    p.catch(() => this.photoCache.delete(key));
    if (this.photoCache.size > PHOTO_CACHE_ENTRIES) {
      const oldest = this.photoCache.keys().next();
      if (!oldest.done) this.photoCache.delete(oldest.value);
    }
    return p;
  }

  reset(): void {
    for (const bot of this.allBots()) bot.reset();
    this.files.clear();
    this.sticker = undefined;
  }

  shutdown(): void {
    for (const bot of this.allBots()) bot.shutdown();
  }

  private defaultIdentity(id: number): { id: number; username: string; first_name: string } {
    return {
      id: this.identity.id ?? id,
      username: this.identity.username ?? "shiren_sandbox_bot",
      first_name: this.identity.first_name ?? "Shiren",
    };
  }
}

function otherIdentity(id: number): { id: number; username: string; first_name: string } {
  return { id, username: `sandbox_${id}_bot`, first_name: `Bot ${id}` };
}
