import { InlineKeyboard, Keyboard } from "grammy";
import type { TranslateFunction } from "@grammyjs/i18n";
import { ID_REGIONS } from "../../../core/identity/regions";

/**
 * Callback data of the dialog: "<step>:<value>". The conversation also checks that
 * a press comes from the prompt it is waiting on, so an old or forged button is
 * answered with a toast and changes nothing.
 */
export const CB = {
  consent: "consent",
  face: "face",
  manual: "manual",
  region: "region",
  limit: "limit",
  resume: "start:resume",
  restart: "start:restart",
} as const;

export function parseChoice(data: string | undefined, step: string): string | null {
  if (!data || !data.startsWith(`${step}:`)) return null;
  return data.slice(step.length + 1);
}

export const consentKeyboard = (t: TranslateFunction, step: string) =>
  new InlineKeyboard().text(t("verify-consent-agree"), `${step}:yes`).row().text(t("verify-consent-decline"), `${step}:no`);

export const manualReviewKeyboard = (t: TranslateFunction) =>
  new InlineKeyboard().text(t("verify-manual-request"), `${CB.manual}:yes`).row().text(t("verify-manual-cancel"), `${CB.manual}:no`);

export function regionKeyboard(t: TranslateFunction): InlineKeyboard {
  const kb = new InlineKeyboard();
  for (const r of ID_REGIONS) kb.text(t(`identity-region-${r}`), `${CB.region}:${r}`).row();
  return kb;
}

export const contactKeyboard = (t: TranslateFunction) =>
  new Keyboard().requestContact(t("verify-phone-button")).resized().oneTime();

export const retryKeyboard = (t: TranslateFunction) => new InlineKeyboard().text(t("verify-daily-limit-again"), `${CB.limit}:again`);
/** The Mini App that takes the gesture selfie live, for this challenge only (its token is single-use). */
export const cameraKeyboard = (t: TranslateFunction, webAppUrl: string, captureToken: string) =>
  new InlineKeyboard().webApp(t("verify-camera-button"), `${webAppUrl.replace(/\/$/, "")}/capture?t=${encodeURIComponent(captureToken)}`);

export const resumeKeyboard = (t: TranslateFunction) =>
  new InlineKeyboard().text(t("start-resume"), CB.resume).row().text(t("start-restart"), CB.restart);

const CONTROL_COMMANDS = new Set(["start", "status", "cancel", "language", "help", "deleteme"]);
const CONTROL_CALLBACK = /^(lang:|start:restart$|deleteme:)/;

/**
 * Updates that belong to the commands outside the dialog: an active dialog hands
 * them on (conversation.skip) instead of reading them as an answer.
 */
export function isControlUpdate(update: { message?: { text?: string; entities?: { type: string; offset: number; length: number }[] }; callback_query?: { data?: string } }): boolean {
  const data = update.callback_query?.data;
  if (data !== undefined) return CONTROL_CALLBACK.test(data);
  const text = update.message?.text;
  const cmd = update.message?.entities?.find((e) => e.type === "bot_command" && e.offset === 0);
  if (!text || !cmd) return false;
  const name = text.slice(1, cmd.length).split("@")[0]!.toLowerCase();
  return CONTROL_COMMANDS.has(name);
}
