import type { ConversationFlavor } from "@grammyjs/conversations";
import type { I18nFlavor } from "@grammyjs/i18n";
import type { Context } from "grammy";
import type { Logger } from "../core/logger";
import type { BotDeps } from "./deps";

/** Context inside conversations: no ctx.conversation, no deps (conversations reach deps through their closure). */
export type DialogContext = Context & I18nFlavor;

/** Context of the outside middleware tree. */
export type BotContext = ConversationFlavor<Context & I18nFlavor & { deps: BotDeps; log: Logger }>;
