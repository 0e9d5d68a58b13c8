import type { Chat, ChatMember, Message, PhotoSize, Update, User } from "grammy/types";

export type { Chat, ChatMember, Message, PhotoSize, Update, User };

/** The subset of pino the stand-in uses, so any pino logger (or a console shim) fits. */
export interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLogger: LoggerLike = { info() {}, warn() {}, error() {}, debug() {} };

export interface ResponseParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** A Bot API failure; the server turns it into `{"ok":false,"error_code",...}`. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
  }
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

/** A malformed call to the sandbox control API: answered as `{"error": message}`. */
export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Params = Record<string, unknown>;

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A Bot API call after body parsing: plain fields plus multipart file parts by part name. */
export interface ApiCall {
  method: string;
  params: Params;
  files: Map<string, UploadedFile>;
  /** Registers a callback for when the HTTP client goes away (long polls stop waiting). */
  onClose(fn: () => void): void;
}

/** The bot's membership in a group, as the sandbox sets it ("kicked" = banned by an admin). */
export type BotMemberStatus = "member" | "administrator" | "left" | "kicked";

export interface StoredMessage {
  msg: Message;
  fromBot: boolean;
  edited: boolean;
  /** The reply_markup exactly as the bot sent it (reply keyboards too), for the sandbox listing. */
  sentMarkup?: unknown;
}

export interface CallbackAnswer {
  seq: number;
  callback_query_id: string;
  message_id: number;
  callback_data: string;
  text?: string;
  show_alert: boolean;
  url?: string;
  date: number;
}

/**
 * What the product lends the sandbox when it runs one (bot/main.ts in sandbox mode): a read-only,
 * masked view of a seller for the web sandbox's side panel, and the marketplace's shop import.
 * Plain data both ways, so the product never imports the sandbox.
 */
export interface SandboxProduct {
  /** case status, each check's figures, queue depth, the shop: masked (no full ID number or phone) */
  insight(who: { userId: number; shopId?: string }): Promise<unknown>;
  /** imports (or updates) a shop as the marketplace would; `startParam` opens the deep link (null: already bound) */
  importShop(row: { shopId: string; shopName: string; reservedPhone: string }): Promise<{ shopId: string; startParam: string | null }>;
}
