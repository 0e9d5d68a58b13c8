import { Composer, InlineKeyboard } from "grammy";
import type { BotCommand, LanguageCode } from "grammy/types";
import type { I18n } from "@grammyjs/i18n";
import { isLocale, LOCALES, type Locale } from "../../../core/i18n";
import { cancelCase, caseSummary, openDialogCase } from "../../../core/verification/cases";
import { isGesture } from "../../../core/verification/gestures";
import { findSellerByTelegram, setSellerLocale } from "../../../core/verification/sellers";
import type { BotContext } from "../../context";
import { rememberLocale } from "../../middleware/locale";
import { CB } from "../verify/keyboards";
import { VERIFY_CONVERSATION } from "../verify/conversation";
import { STAFF_COMMANDS } from "../staff";

export const COMMANDS = ["start", "status", "cancel", "language", "help", "deleteme"] as const;

/** Command menus per locale. Telegram keys them by ISO 639-1 code, so "zh" gets Simplified Chinese and the default is English. */
export function commandMenus(i18n: I18n<BotContext>): { languageCode?: LanguageCode; commands: BotCommand[] }[] {
  const menu = (locale: Locale) => COMMANDS.map((c) => ({ command: c, description: i18n.t(locale, `command-${c}`) }));
  return [{ commands: menu("en") }, { languageCode: "en", commands: menu("en") }, { languageCode: "zh", commands: menu("zh-Hans") }];
}

/** The staff group's menu (set for that chat only, so sellers never see staff commands). */
export function staffCommandMenu(i18n: I18n<BotContext>, locale: Locale): BotCommand[] {
  return STAFF_COMMANDS.map((c) => ({ command: c, description: i18n.t(locale, `command-${c}`) }));
}

const LANG_CB = /^lang:(.+)$/;

/** Commands work at every step: they are installed before the conversation middleware. */
export const commandsFeature = new Composer<BotContext>();
const commandsFeaturePrivate = commandsFeature.chatType("private");

commandsFeaturePrivate.command("help", (ctx) => ctx.reply(ctx.t("help")));

commandsFeaturePrivate.command("status", async (ctx) => {
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const s = seller ? await caseSummary(ctx.deps, seller.id) : null;
  if (!seller || !s) return void (await ctx.reply(ctx.t("status-none")));
  const now = ctx.deps.now().getTime();
  const args: Record<string, string | number> = {
    sellerStatus: ctx.t(`status-seller-${seller.status}`),
    attempt: s.attempts,
    maxAttempts: s.maxAttempts,
    idNumber: s.idNumberMask ?? "-",
    phone: s.phoneMask ?? "-",
    gesture: s.gesture && isGesture(s.gesture) ? ctx.t(`gesture-${s.gesture}`) : "-",
    minutesLeft: s.deadline ? Math.max(0, Math.ceil((s.deadline.getTime() - now) / 60_000)) : 0,
    reasons:
      s.status === "rejected" && s.rejectReason
        ? ctx.t(`decision-reject-${s.rejectReason}`)
        : s.reasons.length
          ? s.reasons.map((r) => ctx.t(`verdict-reason-${r}`)).join("\n")
          : "-",
    nextRecheck: seller.nextRecheckAt ? seller.nextRecheckAt.toISOString().slice(0, 10) : "-",
  };
  await ctx.reply(ctx.t(`status-case-${s.status}`, args));
});

commandsFeaturePrivate.command("cancel", async (ctx) => {
  const active = ctx.conversation.active(VERIFY_CONVERSATION) > 0;
  await ctx.conversation.exitAll();
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const open = seller ? await openDialogCase(ctx.deps, seller.id) : null;
  const cancelled = open ? await cancelCase(ctx.deps, open.id, ctx.from.id) : false;
  await ctx.reply(ctx.t(active || cancelled ? "verify-cancelled" : "cancel-nothing"), { reply_markup: { remove_keyboard: true } });
});

commandsFeaturePrivate.command("language", async (ctx) => {
  const kb = new InlineKeyboard();
  for (const l of LOCALES) kb.text(ctx.t(`language-name-${l}`), `lang:${l}`);
  await ctx.reply(ctx.t("language-choose"), { reply_markup: kb });
});

commandsFeaturePrivate.callbackQuery(LANG_CB, async (ctx) => {
  const locale = ctx.match[1];
  if (!isLocale(locale)) return void (await ctx.answerCallbackQuery({ text: ctx.t("common-button-stale") }));
  await rememberLocale(ctx.deps.redis, ctx.deps.config.REDIS_PREFIX, ctx.from.id, locale);
  await setSellerLocale(ctx.deps, ctx.from.id, locale);
  ctx.i18n.useLocale(locale);
  await ctx.answerCallbackQuery();
  const inDialog = ctx.conversation.active(VERIFY_CONVERSATION) > 0;
  // In a dialog, offer to repeat the pending question in the new language.
  await ctx.reply(ctx.t("language-changed"), inDialog ? { reply_markup: new InlineKeyboard().text(ctx.t("start-resume"), CB.resume) } : {});
});
