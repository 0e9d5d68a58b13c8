import { autoRetry } from "@grammyjs/auto-retry";
import { conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig } from "grammy";
import { createI18n } from "../core/i18n";
import type { Logger } from "../core/logger";
import type { BotContext, DialogContext } from "./context";
import { redisConversationStorage } from "./conversation-storage";
import type { BotDeps } from "./deps";
import { handleBotError } from "./errors";
import { commandsFeature } from "./features/commands";
import { privacyFeature } from "./features/privacy";
import { fallbackFeature } from "./features/fallback";
import { retakeFeature } from "./features/retake";
import { recheckFeature } from "./features/recheck";
import { staffFeature } from "./features/staff";
import { resumeFallbackFeature, startFeature } from "./features/start";
import { VERIFY_CONVERSATION, createVerifyConversation } from "./features/verify/conversation";
import { lowerCaseCommands } from "./middleware/commands-case";
import { dedupeUpdates } from "./middleware/dedupe";
import { negotiateLocale } from "./middleware/locale";
import { rateLimit } from "./middleware/rate-limit";

export function createBot(deps: BotDeps, opts: { botInfo?: BotConfig<BotContext>["botInfo"]; log: Logger }) {
  const { config, redis } = deps;
  const prefix = config.REDIS_PREFIX;
  const bot = new Bot<BotContext>(deps.token, {
    botInfo: opts.botInfo,
    client: { apiRoot: deps.apiRoot },
  });
  const retry = autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 30 });
  // 429 and 5xx are retried after Telegram's retry_after, never by sleeps of our own.
  // The metrics transformer goes first, inside auto-retry, so it counts every attempt (each 429 too).
  // Then the outgoing budget (core/telegram-budget.ts): every attempt waits for its token.
  bot.api.config.use(deps.metrics.telegram);
  bot.api.config.use(deps.budget.transformer("interactive"));
  bot.api.config.use(retry);

  const i18n = createI18n<BotContext | DialogContext>({
    // The staff group shares one language (its cards are one message for everyone); elsewhere each user's own.
    localeNegotiator: (ctx) =>
      config.STAFF_CHAT_ID !== undefined && ctx.chat?.id === config.STAFF_CHAT_ID ? config.STAFF_LOCALE : negotiateLocale(redis, prefix, ctx.from),
  });

  // 0. Metrics: the update counted by type once handled, and the time it took, from before it
  //    queued behind its chat; this is also what marks an update as live for the dialog's metrics.
  bot.use(async (ctx, next) => {
    const handled = deps.metrics.arrived(ctx.update);
    try {
      await next();
    } finally {
      handled();
    }
  });
  // 1. Updates of one chat run one at a time (the runner processes chats concurrently);
  //    a dialog's replay log would otherwise race with itself.
  bot.use(sequentialize((ctx) => (ctx.chatId !== undefined ? String(ctx.chatId) : ctx.from?.id.toString())));
  // 2. deps and a per-update logger, for every handler below.
  bot.use(async (ctx, next) => {
    ctx.deps = deps;
    ctx.log = opts.log.child({ updateId: ctx.update.update_id });
    await next();
  });
  // 3. A redelivered update does nothing twice.
  bot.use(dedupeUpdates(redis, prefix));
  bot.use(lowerCaseCommands);
  // 4. Language before anything replies.
  bot.use(i18n);
  // 5. Floods are dropped per user, with one polite notice per burst.
  bot.use(rateLimit(redis, prefix, { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST }));
  // 6. Support staff: commands, card buttons, the bot's membership of the staff group. Before the
  //    dialog, so a staff command is never read as a seller's answer.
  bot.use(staffFeature);
  // 7. Conversation controls (ctx.conversation), with the replay logs in Redis so a dialog
  //    survives restarts. Plugins are repeated for conversations: the outer bot's api
  //    transformers and i18n do not reach inside.
  bot.use(
    conversations<BotContext, DialogContext>({
      storage: redisConversationStorage(redis, prefix, deps.crypto),
      // Bot API metrics only on the live update's context: calls made through a replayed one are
      // answered from the replay log and never reach Telegram.
      plugins: [
        i18n,
        async (ctx, next) => {
          if (deps.metrics.isLive(ctx.update)) {
            ctx.api.config.use(deps.metrics.telegram);
            ctx.api.config.use(deps.budget.transformer("interactive"));
          }
          ctx.api.config.use(retry);
          await next();
        },
      ],
    }),
  );
  // 8. The dialog. It must be registered before anything enters it; an active dialog
  //    hands commands and control buttons on to the handlers below (isControlUpdate).
  bot.use(createConversation(createVerifyConversation(deps), { id: VERIFY_CONVERSATION }));
  // 9. Commands work at every step.
  bot.use(commandsFeature);
  bot.use(privacyFeature);
  bot.use(startFeature);
  // 10. What no dialog consumed: resume without a dialog, retake after a failed check, the rest.
  bot.use(resumeFallbackFeature);
  bot.use(retakeFeature);
  bot.use(recheckFeature);
  bot.use(fallbackFeature);

  bot.catch((err) => handleBotError(err, i18n, deps.metrics));
  return { bot, i18n };
}
