import { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import type { LimitsJson, SendCounts, StatsJson } from "../../sandbox/stand-in/flood";
import type { SandboxMessage } from "../../sandbox/stand-in/sandbox";
import { startStandIn, type StandIn } from "../../sandbox/stand-in/server";
import type { BotMemberStatus, CallbackAnswer } from "../../sandbox/stand-in/types";

export type { SandboxMessage, CallbackAnswer, BotMemberStatus, LimitsJson, SendCounts, StatsJson };

/** Who the user is; remembered per user by the stand-in. */
export interface SandboxFrom {
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

interface SendCommon {
  from?: SandboxFrom;
  /** A negative id speaks in a group ("supergroup"); default: the private chat (= user id). */
  chat_id?: number;
  reply_to_message_id?: number;
}

export type SendBody = SendCommon &
  (
    | { text: string }
    | { contact: { phone_number: string; user_id?: number; first_name?: string; last_name?: string } }
    | { photo: string; caption?: string }
    | { document: string; file_name?: string; mime_type?: string; caption?: string }
    | { sticker: true }
    | { callback_data: string; message_id: number }
  );

export interface Sent {
  /** 0 when the bot gets no update for it: it is not in the group, or its allowed_updates exclude the type. */
  update_id: number;
  message_id: number;
}

export interface FaultSpec {
  method: string;
  error_code: number;
  description?: string;
  retry_after?: number;
  times?: number;
  chat_id?: number;
}

export class StandInClientError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} -> HTTP ${status}: ${JSON.stringify(body)}`);
  }
}

/**
 * A tiny typed client for the stand-in's sandbox control API (`/sandbox/...`).
 * `token` addresses one bot explicitly; without it the stand-in's default bot is used.
 */
export class StandInClient {
  private readonly base: string;

  constructor(url: string, opts: { token?: string } = {}) {
    this.base = `${url.replace(/\/$/, "")}/sandbox${opts.token ? `/bot${opts.token}` : ""}`;
  }

  health(): Promise<{ ok: true }> {
    return this.json("GET", "/health");
  }

  reset(): Promise<{ ok: true }> {
    return this.json("POST", "/reset");
  }

  botInfo(): Promise<{ connected: boolean; bot: { id: number; username: string }; webhook_url: string; pending_updates: number; chats: number }> {
    return this.json("GET", "/bot");
  }

  send(userId: number, body: SendBody): Promise<Sent> {
    return this.json("POST", `/users/${userId}/send`, body);
  }

  sendText(userId: number, text: string, extra: SendCommon = {}): Promise<Sent> {
    return this.send(userId, { text, ...extra });
  }

  sendContact(userId: number, phone_number: string, extra: SendCommon & { user_id?: number; first_name?: string } = {}): Promise<Sent> {
    const { user_id, first_name, ...common } = extra;
    return this.send(userId, { contact: { phone_number, ...(user_id !== undefined ? { user_id } : {}), ...(first_name ? { first_name } : {}) }, ...common });
  }

  sendPhoto(userId: number, image: Uint8Array, extra: SendCommon & { caption?: string } = {}): Promise<Sent> {
    return this.send(userId, { photo: Buffer.from(image).toString("base64"), ...extra });
  }

  sendDocument(userId: number, data: Uint8Array, file_name: string, mime_type: string, extra: SendCommon & { caption?: string } = {}): Promise<Sent> {
    return this.send(userId, { document: Buffer.from(data).toString("base64"), file_name, mime_type, ...extra });
  }

  sendSticker(userId: number, extra: SendCommon = {}): Promise<Sent> {
    return this.send(userId, { sticker: true, ...extra });
  }

  /** Presses an inline button: a callback_query for the bot message `messageId` (any data, forged or not). */
  press(userId: number, messageId: number, callback_data: string, extra: SendCommon = {}): Promise<Sent> {
    return this.send(userId, { callback_data, message_id: messageId, ...extra });
  }

  block(userId: number): Promise<{ ok: true; blocked: boolean }> {
    return this.json("POST", `/users/${userId}/block`);
  }

  unblock(userId: number): Promise<{ ok: true; blocked: boolean }> {
    return this.json("POST", `/users/${userId}/unblock`);
  }

  /**
   * Adds the bot to a group (negative id; created if new, `title` then names it) or removes it.
   * A change reaches the bot as my_chat_member, sent by `from` (default: the group's creator).
   */
  setBotStatus(chatId: number, status: BotMemberStatus, opts: { from?: number; title?: string } = {}): Promise<{ ok: true; status: BotMemberStatus }> {
    return this.json("POST", `/chats/${chatId}/bot`, { status, ...opts });
  }

  /** The bot's messages in a chat with message_id > after; waits up to `wait` s (max 60) if there are none yet. */
  async messages(chatId: number, opts: { after?: number; wait?: number } = {}): Promise<SandboxMessage[]> {
    const r = await this.json<{ messages: SandboxMessage[] }>("GET", `/chats/${chatId}/messages?after=${opts.after ?? 0}&wait=${opts.wait ?? 0}`);
    return r.messages;
  }

  /** Waits until at least `count` bot messages with id > after exist, or throws after `timeoutMs`. */
  async waitForMessages(chatId: number, opts: { after?: number; count?: number; timeoutMs?: number } = {}): Promise<SandboxMessage[]> {
    const count = opts.count ?? 1;
    const after = opts.after ?? 0;
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const msgs = await this.messages(chatId, { after });
      if (msgs.length >= count) return msgs;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} bot message(s) in chat ${chatId} after #${after}, got ${msgs.length}`);
      // Sleep on the server until a message newer than the newest seen arrives.
      await this.messages(chatId, { after: msgs.at(-1)?.message_id ?? after, wait: Math.min(60, left / 1000) });
    }
  }

  async callbackAnswers(chatId: number, opts: { after?: number; wait?: number } = {}): Promise<CallbackAnswer[]> {
    const r = await this.json<{ answers: CallbackAnswer[] }>("GET", `/chats/${chatId}/callback-answers?after=${opts.after ?? 0}&wait=${opts.wait ?? 0}`);
    return r.answers;
  }

  /** Raw bytes of any stored file (what the bot sent, or what a user uploaded). */
  async file(fileId: string): Promise<Buffer> {
    const res = await fetch(`${this.base}/files/${encodeURIComponent(fileId)}`);
    if (!res.ok) throw new StandInClientError(res.status, await res.json().catch(() => null), `GET file ${fileId}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async commands(opts: { language_code?: string; scope?: string; chat_id?: number } = {}): Promise<BotCommand[]> {
    const q = new URLSearchParams({ scope: opts.scope ?? "default", language_code: opts.language_code ?? "" });
    if (opts.chat_id !== undefined) q.set("chat_id", String(opts.chat_id));
    const r = await this.json<{ commands: BotCommand[] }>("GET", `/commands?${q.toString()}`);
    return r.commands;
  }

  injectFault(spec: FaultSpec): Promise<{ ok: true; pending: number }> {
    return this.json("POST", "/faults", spec);
  }

  clearFaults(): Promise<{ ok: true }> {
    return this.json("DELETE", "/faults");
  }

  /** The flood model's limits for this bot. */
  limits(): Promise<LimitsJson> {
    return this.json("GET", "/limits");
  }

  /** Changes any of the limits (e.g. `{ enabled: true }`); answers all of them. */
  setLimits(change: Partial<LimitsJson>): Promise<LimitsJson> {
    return this.json("POST", "/limits", change);
  }

  /** Calls of the counted (message-posting) methods per method and chat, since start or the last reset. */
  stats(): Promise<StatsJson> {
    return this.json("GET", "/stats");
  }

  resetStats(): Promise<{ ok: true }> {
    return this.json("POST", "/stats/reset");
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      ...(body !== undefined ? { headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {}),
    });
    const parsed: unknown = await res.json().catch(() => null);
    if (!res.ok) throw new StandInClientError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }
}

/** A bot token of the shape Telegram issues (`<bot id>:<secret>`), random for each test. */
export const randomToken = (id = 700000 + Math.floor(Math.random() * 1000)): string =>
  `${id}:${Buffer.from(crypto.getRandomValues(new Uint8Array(27))).toString("base64url")}`;

/** A stand-in on a free port whose default bot is a fresh token's, with a control client and that bot's Api. */
export async function startStandInWithBot(): Promise<{ standIn: StandIn; sandbox: StandInClient; token: string; api: Api }> {
  const standIn = await startStandIn({ port: 0 });
  const token = randomToken();
  const api = new Api(token, { apiRoot: standIn.apiRoot });
  await api.getMe(); // this token becomes the sandbox's default bot
  return { standIn, sandbox: new StandInClient(standIn.url), token, api };
}
