import type { Conversation } from "@grammyjs/conversations";
import type { InlineKeyboard, Keyboard } from "grammy";
import type { Message } from "grammy/types";
import { UserError } from "../../../core/errors";
import { validateIdNumber } from "../../../core/identity/id-number";
import type { DialogStep } from "../../../core/metrics";
import { maskIdNumber, maskName } from "../../../core/identity/mask";
import { validateFullName } from "../../../core/identity/name";
import { ID_REGIONS, type IdRegion } from "../../../core/identity/regions";
import {
  cancelCase,
  caseRegion,
  chatSelfieRefused,
  checkPhone,
  issueChallenge,
  recordConsent,
  requestManualReview,
  saveDocumentPhoto,
  saveIdentity,
  queueCheck,
  submitSelfie,
  type Challenge,
  type SelfieOutcome,
} from "../../../core/verification/cases";
import { GESTURES, isGesture } from "../../../core/verification/gestures";
import type { BotContext, DialogContext } from "../../context";
import type { BotDeps } from "../../deps";
import { downloadFile, imageFileOf } from "../../telegram-files";
import { CB, cameraKeyboard, consentKeyboard, contactKeyboard, isControlUpdate, manualReviewKeyboard, parseChoice, regionKeyboard, retryKeyboard } from "./keyboards";

export const VERIFY_CONVERSATION = "verify";

export interface VerifyArgs {
  caseId: string;
  sellerId: string;
  userId: number;
  /**
   * "selfie": a retake or a recheck, straight to a new gesture challenge;
   * "document": a retake after the ID photo showed no usable portrait: the ID photo again, then the challenge
   */
  startAt: "consent" | "document" | "selfie";
}

type Conv = Conversation<BotContext, DialogContext>;

/** What an external step returns: never a thrown error, so a failing step cannot end the dialog. */
type StepResult<T> = { ok: true; value: T } | { ok: false; key: string; args: Record<string, string | number> };

/**
 * The seller dialog. The function is replayed from the top for every update, so
 * every side effect goes through `conversation.external()` (run once, result
 * logged) and Telegram calls go through `ctx` (logged by the plugin).
 */
export function createVerifyConversation(deps: BotDeps) {
  /** Runs a domain step once; a UserError becomes a message, anything else is logged and the step can be retried. */
  async function step<T>(conversation: Conv, what: string, fn: (octx: BotContext) => Promise<T>): Promise<StepResult<T>> {
    return conversation.external(async (octx) => {
      try {
        return { ok: true as const, value: await fn(octx) };
      } catch (err) {
        if (err instanceof UserError) return { ok: false as const, key: err.key, args: err.args };
        deps.log.error({ err, step: what, updateId: octx.update.update_id }, "dialog step failed");
        return { ok: false as const, key: "common-error-retry", args: {} };
      }
    });
  }

  return async function verify(conversation: Conv, ctx: DialogContext, args: VerifyArgs): Promise<void> {
    const { caseId, sellerId, userId } = args;
    // The newest update's context: prompts follow a language change made mid-dialog with /language.
    let last: DialogContext = ctx;

    /**
     * Waits until `handle` accepts an update. The resume button re-sends the
     * current prompt; everything else is the step's to judge.
     */
    async function waitStep<T>(
      stepName: DialogStep,
      reprompt: (c: DialogContext) => Promise<unknown>,
      handle: (c: DialogContext) => Promise<{ done: T } | undefined>,
    ): Promise<T> {
      for (;;) {
        const c = await conversation.wait();
        if (isControlUpdate(c.update)) await conversation.skip({ next: true });
        // Step latency, observed once the update was handled; only a live update counts, never one replayed from the log.
        deps.metrics.dialogStep(c.update, stepName);
        last = c;
        if (c.callbackQuery?.data === CB.resume) {
          await c.answerCallbackQuery();
          await reprompt(c);
          continue;
        }
        const r = await handle(c);
        if (r !== undefined) return r.done;
      }
    }

    const staleButton = (c: DialogContext) => c.answerCallbackQuery({ text: c.t("common-button-stale") });

    async function choose(
      stepName: DialogStep,
      render: (c: DialogContext) => { text: string; keyboard: InlineKeyboard },
      allowed: readonly string[],
    ): Promise<string> {
      const send = async (c: DialogContext) => {
        const { text, keyboard } = render(c);
        return c.reply(text, { reply_markup: keyboard });
      };
      let prompt: Message = await send(last);
      return waitStep(
        stepName,
        async (c) => (prompt = await send(c)),
        async (c) => {
          const q = c.callbackQuery;
          if (!q) {
            if (c.message) await c.reply(c.t("common-use-buttons"));
            return undefined;
          }
          const value = parseChoice(q.data, stepName);
          // Only the live prompt counts: a button from an old message or forged data changes nothing.
          if (value === null || !allowed.includes(value) || q.message?.message_id !== prompt.message_id) {
            await staleButton(c);
            return undefined;
          }
          // The old keyboard stays: clearing it would cost a send of the chat's 1/s before the next prompt,
          // and a later press on it is answered as stale above.
          await c.answerCallbackQuery();
          return { done: value };
        },
      );
    }

    async function askText<T>(
      stepName: DialogStep,
      render: (c: DialogContext) => { text: string; keyboard?: Keyboard | { remove_keyboard: true } },
      parse: (text: string, c: DialogContext) => Promise<StepResult<T>> | StepResult<T>,
    ): Promise<T> {
      const send = async (c: DialogContext) => {
        const { text, keyboard } = render(c);
        return c.reply(text, keyboard ? { reply_markup: keyboard } : {});
      };
      await send(last);
      return waitStep(stepName, send, async (c) => {
        if (c.callbackQuery) return void (await staleButton(c));
        const text = c.message?.text;
        if (text === undefined) {
          if (c.message) await c.reply(c.t("verify-expected-text"));
          return undefined;
        }
        const r = await parse(text, c);
        if (r.ok) return { done: r.value };
        await c.reply(c.t(r.key, r.args));
        return undefined;
      });
    }

    /** Waits for an image (photo or file) and hands it to `save` inside one external step. */
    async function askPhoto<T>(
      stepName: DialogStep,
      render: (c: DialogContext) => string,
      save: (octx: BotContext, bytes: Buffer) => Promise<T>,
      what: string,
      opts: { prompt?: boolean; keyboard?: (c: DialogContext) => InlineKeyboard | undefined } = {},
    ): Promise<T> {
      const send = (c: DialogContext) => c.reply(render(c), { reply_markup: opts.keyboard?.(c) ?? { remove_keyboard: true } });
      if (opts.prompt !== false) await send(last);
      return waitStep(stepName, send, async (c) => {
        if (c.callbackQuery) return void (await staleButton(c));
        const msg = c.message;
        if (!msg) return undefined;
        if (msg.sticker) return void (await c.reply(c.t("photo-error-sticker")));
        const file = imageFileOf(msg);
        if (!file) return void (await c.reply(c.t("photo-error-expected-photo")));
        await c.replyWithChatAction("typing");
        const r = await step(conversation, what, async (octx) => {
          const bytes = await downloadFile(octx.api, deps.apiRoot, deps.token, file.fileId, deps.config.MAX_PHOTO_BYTES, file.size);
          return save(octx, bytes);
        });
        if (r.ok) return { done: r.value };
        await c.reply(c.t(r.key, r.args));
        return undefined;
      });
    }

    const manualReviewOffer = async (): Promise<void> => {
      const choice = await choose(CB.manual, (c) => ({ text: c.t("verify-manual-offer"), keyboard: manualReviewKeyboard(c.t) }), ["yes", "no"]);
      if (choice === "yes") {
        const r = await step(conversation, "manual-review", () => requestManualReview(deps, caseId, userId));
        await last.reply(last.t(r.ok ? "verify-manual-requested" : r.key));
      } else {
        await step(conversation, "cancel", () => cancelCase(deps, caseId, userId));
        await last.reply(last.t("verify-cancelled"));
      }
    };

    async function askDocument(region: IdRegion): Promise<void> {
      await askPhoto(
        "document",
        (c) => c.t("verify-ask-document", { region: c.t(`identity-region-${region}`) }),
        (_o, bytes) => saveDocumentPhoto(deps, caseId, userId, bytes),
        "document-photo",
      );
    }

    if (args.startAt === "consent") {
      // 1. Consent to identity data, then separately to face data.
      const retentionDays = deps.config.RETENTION_DAYS;
      const data = await choose(CB.consent, (c) => ({ text: c.t("verify-consent", { retentionDays }), keyboard: consentKeyboard(c.t, CB.consent) }), ["yes", "no"]);
      if (data === "no") return manualReviewOffer();
      await step(conversation, "consent-data", () => recordConsent(deps, caseId, userId, "data"));
      const face = await choose(CB.face, (c) => ({ text: c.t("verify-consent-face", { retentionDays }), keyboard: consentKeyboard(c.t, CB.face) }), ["yes", "no"]);
      if (face === "no") return manualReviewOffer();
      await step(conversation, "consent-face", () => recordConsent(deps, caseId, userId, "face"));

      // 2. ID region.
      const region = (await choose(CB.region, (c) => ({ text: c.t("verify-ask-region"), keyboard: regionKeyboard(c.t) }), ID_REGIONS)) as IdRegion;

      // 3. Full name.
      const name = await askText(
        "name",
        (c) => ({ text: c.t("verify-ask-name", { region: c.t(`identity-region-${region}`) }) }),
        (text) => {
          const r = validateFullName(text);
          return r.valid ? { ok: true, value: r.normalized } : { ok: false, key: `identity-name-error-${r.reason}`, args: r.args ?? {} };
        },
      );

      // 4. ID number, normalised and validated per region.
      const idNumber = await askText(
        "id",
        (c) => ({ text: c.t(`verify-ask-id-${region}`) }),
        (text) => {
          const r = validateIdNumber(region, text);
          return r.valid ? { ok: true, value: r.normalized } : { ok: false, key: `identity-error-${r.reason}`, args: r.args };
        },
      );

      // 5. Phone, through Telegram's own contact button only.
      const askPhone = (c: DialogContext) => c.reply(c.t("verify-ask-phone"), { reply_markup: contactKeyboard(c.t) });
      await askPhone(last);
      const phone = await waitStep(
        "phone",
        askPhone,
        async (c) => {
          if (c.callbackQuery) return void (await staleButton(c));
          const contact = c.message?.contact;
          if (!contact) {
            if (c.message) await c.reply(c.t("verify-phone-use-button"), { reply_markup: contactKeyboard(c.t) });
            return undefined;
          }
          // A forwarded or typed-in contact card has another (or no) user_id.
          if (contact.user_id !== c.from?.id) return void (await c.reply(c.t("verify-phone-not-yours")));
          const r = await step(conversation, "phone", () => checkPhone(deps, sellerId, contact.phone_number, region));
          if (r.ok) return { done: r.value };
          await c.reply(c.t(r.key, r.args));
          return undefined;
        },
      );

      const saved = await step(conversation, "identity", () => saveIdentity(deps, caseId, userId, { region, name, idNumber, phone }));
      if (!saved.ok) {
        await last.reply(last.t(saved.key, saved.args));
        return;
      }
      await last.reply(last.t("verify-identity-saved", { name: maskName(name), idNumber: maskIdNumber(idNumber) }), {
        reply_markup: { remove_keyboard: true },
      });

      // 6. ID document photo.
      await askDocument(region);
    } else if (args.startAt === "document") {
      const r = await step(conversation, "case-region", () => caseRegion(deps, caseId));
      if (!r.ok) return void (await last.reply(last.t(r.key, r.args)));
      await askDocument(r.value);
    }

    // 7. Gesture challenge and selfie; a late selfie gets a fresh challenge.
    const challenge = async (): Promise<Challenge | null> => {
      for (;;) {
        const r = await step(conversation, "challenge", () => issueChallenge(deps, caseId, userId));
        if (r.ok) return r.value;
        if (r.key !== "verify-daily-limit") {
          await last.reply(last.t(r.key, r.args));
          return null;
        }
        // Over the day's limit: the dialog waits (its log lives for days); the button asks again.
        await choose(CB.limit, (c) => ({ text: c.t(r.key, r.args), keyboard: retryKeyboard(c.t) }), ["again"]);
      }
    };
    let current = await challenge();
    if (!current) return;
    const describe = (c: DialogContext, ch: Challenge) => {
      const g = isGesture(ch.gesture) ? ch.gesture : "victory";
      return c.t("verify-challenge", {
        instruction: c.t(`gesture-${g}`),
        emoji: GESTURES[g].emoji,
        minutes: Math.round(deps.config.CHALLENGE_TTL_SECONDS / 60),
      });
    };
    // The live camera (Mini App) for this challenge, unless SELFIE_CAPTURE=photo or no URL is known.
    const camera = (c: DialogContext, ch: Challenge) => {
      const url = deps.webApp.url;
      return url && ch.captureToken ? cameraKeyboard(c.t, url, ch.captureToken) : undefined;
    };
    const cameraOnly = deps.config.SELFIE_CAPTURE === "webapp";
    let prompt = true;
    for (;;) {
      const ch: Challenge = current;
      const outcome = await askPhoto<SelfieOutcome | { kind: "camera-only" }>(
        "selfie",
        (c) => describe(c, ch),
        (_o, bytes) => (cameraOnly ? chatSelfieRefused(deps, caseId) : submitSelfie(deps, caseId, userId, bytes)),
        "selfie",
        { prompt, keyboard: (c) => camera(c, ch) },
      );
      if (outcome.kind === "camera-only") {
        // SELFIE_CAPTURE=webapp: a photo from the chat (the gallery) is not taken; the camera is offered again.
        await last.reply(last.t("verify-selfie-camera-only"), { reply_markup: camera(last, ch) ?? { remove_keyboard: true } });
        prompt = false;
        continue;
      }
      if (outcome.kind === "queued") {
        // Told first, then checked: the verdict can never overtake this message. The check is
        // queued even if Telegram refused the message (the verdict is retried on its own).
        try {
          await last.reply(last.t("verify-checking"));
        } finally {
          await step(conversation, "queue-check", () => queueCheck(deps, outcome.submissionId, caseId));
        }
        return;
      }
      if (outcome.kind === "limited") {
        // The photo was not kept; the next one, once the day is over, gets a fresh challenge (this one will be late).
        await last.reply(last.t("verify-daily-limit", { ...outcome.wait }));
        prompt = false;
        continue;
      }
      await last.reply(last.t("verify-challenge-late"));
      current = await challenge();
      if (!current) return;
      prompt = true;
    }
  };
}
