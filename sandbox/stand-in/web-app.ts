import { createHmac, randomBytes } from "node:crypto";
import { isRecord } from "./params";
import type { BotState } from "./state";
import { SandboxError } from "./types";

/**
 * Opening a Mini App (an inline `web_app` button), as a Telegram client does: the launch URL
 * is the button's URL with the launch parameters in its fragment, `#tgWebAppData=<init data>`.
 * The init data is signed the way Telegram signs it
 * (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app):
 * secret = HMAC-SHA256(key "WebAppData", bot token); hash = hex HMAC-SHA256(secret, the fields
 * but hash, sorted by key, as key=value lines). Telegram also sends an Ed25519 `signature` made
 * with its own private key, for third parties that lack the token. No stand-in can make that one:
 * the field is there, covered by the hash as on Telegram, but holds random bytes, so only a
 * third-party check (which a bot with its token has no reason to make) would refuse it.
 */

const WEB_APP_VERSION = "9.0";
const THEME = { bg_color: "#ffffff", text_color: "#000000", hint_color: "#707579", link_color: "#3390ec", button_color: "#3390ec", button_text_color: "#ffffff" };

export interface WebAppLaunch {
  url: string;
  init_data: string;
  button: string;
}

/** POST /sandbox/users/{userId}/open-web-app {"message_id","button"?}: the launch URL of a web_app button in the user's chat. */
export function openWebApp(bot: BotState, userId: number, body: unknown, nowMs: number): WebAppLaunch {
  if (!bot.token) throw new SandboxError(409, "no bot has connected yet: init data is signed with the bot's token");
  if (!isRecord(body) || typeof body.message_id !== "number") throw new SandboxError(400, "message_id (the bot message with the web_app button) is required");
  const stored = bot.chats.get(userId)?.messages.get(body.message_id);
  if (!stored?.fromBot) throw new SandboxError(404, `no bot message ${body.message_id} in the private chat with user ${userId}`);
  const markup = isRecord(stored.sentMarkup) && Array.isArray(stored.sentMarkup.inline_keyboard) ? (stored.sentMarkup.inline_keyboard as unknown[][]) : [];
  const buttons = markup.flat().filter((b): b is { text: string; web_app: { url: string } } => isRecord(b) && isRecord(b.web_app) && typeof b.web_app.url === "string");
  const button = typeof body.button === "string" ? buttons.find((b) => b.text === body.button) : buttons[0];
  if (!button) throw new SandboxError(404, `message ${body.message_id} has no web_app button${typeof body.button === "string" ? ` "${body.button}"` : ""}`);
  const user = bot.touchUser(userId);
  const initData = signInitData(bot.token, {
    query_id: randomBytes(18).toString("base64url"),
    user: JSON.stringify({
      id: user.id,
      first_name: user.first_name,
      ...(user.last_name ? { last_name: user.last_name } : {}),
      ...(user.username ? { username: user.username } : {}),
      language_code: user.language_code,
      allows_write_to_pm: true,
    }),
    auth_date: String(Math.floor(nowMs / 1000)),
    signature: randomBytes(64).toString("base64url"),
  });
  const params = new URLSearchParams({ tgWebAppData: initData, tgWebAppVersion: WEB_APP_VERSION, tgWebAppPlatform: "weba", tgWebAppThemeParams: JSON.stringify(THEME) });
  const base = button.web_app.url.replace(/#.*$/, "");
  return { url: `${base}#${params.toString()}`, init_data: initData, button: button.text };
}

/** The init data query string with its hash, as Telegram would send it for these fields. */
export function signInitData(token: string, fields: Record<string, string>): string {
  const checkString = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n");
  const secret = createHmac("sha256", "WebAppData").update(token).digest();
  const hash = createHmac("sha256", secret).update(checkString).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

/**
 * Telegram takes only HTTPS Mini App URLs. The sandbox serves on loopback without TLS, so it also
 * takes http:// on 127.0.0.1, localhost and [::1]: the one place it is laxer than Telegram.
 */
export function webAppUrlOk(url: unknown): boolean {
  if (typeof url !== "string") return false;
  try {
    const u = new URL(url);
    return u.protocol === "https:" || (u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname));
  } catch {
    return false;
  }
}
