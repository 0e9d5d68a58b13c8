import type { MiddlewareFn } from "grammy";
import type { BotContext } from "../context";

/**
 * People type "/Status" as often as "/status"; grammY matches commands
 * case-sensitively, so the command word is lower-cased before any handler sees it.
 */
export const lowerCaseCommands: MiddlewareFn<BotContext> = async (ctx, next) => {
  const msg = ctx.message;
  const cmd = msg?.entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (msg?.text && cmd) {
    const word = msg.text.slice(0, cmd.length);
    if (word !== word.toLowerCase()) msg.text = word.toLowerCase() + msg.text.slice(cmd.length);
  }
  await next();
};
