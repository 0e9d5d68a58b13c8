import { Composer } from "grammy";
import type { ChatMemberUpdated } from "grammy/types";
import { enqueueCaseCard, enqueueDeliverDecision, enqueueReminder, STAFF_RESUME } from "../../../core/jobs";
import { auditRefusal, claimCase, decideCase, decisionBlocker, releaseCase, revealIdNumber, type ActionResult, type Decision } from "../../../core/staff/actions";
import { parseStaffCallback, STAFF_CALLBACK_PREFIX, type StaffCallback } from "../../../core/staff/callbacks";
import { cardKeyboard, rejectPicker, renderCard, shortId, type T } from "../../../core/staff/card";
import { caseTrail, loadCaseView } from "../../../core/staff/case-view";
import { clearStaffChatFailure } from "../../../core/staff/chat-state";
import { findSeller, listQueue, sellerHistory, staffStats } from "../../../core/staff/queries";
import { requestRecheck } from "../../../core/recheck/rechecks";
import { enqueueSellerWebhooks } from "../../../core/webhooks/delivery";
import { addStaff, displayNameOf, listStaff, removeStaff, staffActor, staffNames, type StaffActor } from "../../../core/staff/roles";
import { THRESHOLDS } from "../../../core/verification/thresholds";
import { markSellerUnreachable } from "../../../core/verification/sellers";
import type { BotContext } from "../../context";
import { caseWithTrail, QUEUE_PAGE_SIZE, queueView, refusalText, sellerView, statsView, trailLine, type QueueDepths } from "./views";

/** Seconds an admin's reveal of a full ID number lasts on the card. */
export const REVEAL_SECONDS = 60;
export const STAFF_COMMANDS = ["queue", "case", "seller", "recheck", "stats", "staff"] as const;

type Place = "group" | "private" | "elsewhere";

/** Staff work in the staff group or in their private chat with the bot; in any other chat the bot stays quiet. */
function placeOf(ctx: BotContext): Place {
  const chat = ctx.chat;
  if (!chat) return "elsewhere";
  if (ctx.deps.config.STAFF_CHAT_ID !== undefined && chat.id === ctx.deps.config.STAFF_CHAT_ID) return "group";
  return chat.type === "private" ? "private" : "elsewhere";
}

/**
 * Support staff: commands, the buttons of case cards and lists, and the bot's own
 * membership of the staff group. Installed before the seller dialog, so a staff
 * command is answered even by someone in the middle of verifying. The role is read
 * from the database at every command and press.
 */
export const staffFeature = new Composer<BotContext>();

/** A reply; in the busy staff group it quotes the command it answers (unless it quotes something else). */
function answer(ctx: BotContext, text: string, other: Parameters<BotContext["reply"]>[1] = {}) {
  const quote = placeOf(ctx) === "group" && ctx.message && !other?.reply_parameters;
  return ctx.reply(text, quote ? { ...other, reply_parameters: { message_id: ctx.message!.message_id, allow_sending_without_reply: true } } : other);
}

/** The member behind this update, or null after a polite refusal (audited). */
async function actorOrRefuse(ctx: BotContext, attempted: string, caseId: string | null): Promise<StaffActor | null> {
  const actor = ctx.from ? await staffActor(ctx.deps, ctx.from) : null;
  if (actor) return actor;
  await auditRefusal(ctx.deps, { userId: ctx.from?.id ?? 0, isStaff: false }, attempted, caseId, "not staff");
  ctx.log.warn({ userId: ctx.from?.id, attempted }, "staff action by someone who is not staff");
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("staff-refused-button") });
  else await answer(ctx, ctx.t("staff-refused-command"));
  return null;
}

const staffCommands = staffFeature.filter((ctx) => placeOf(ctx) !== "elsewhere");

staffCommands.command("staff", async (ctx) => {
  const actor = await actorOrRefuse(ctx, "staff", null);
  if (!actor) return;
  const [sub, arg] = ctx.match.trim().split(/\s+/).filter(Boolean);
  if (!sub) {
    const members = await listStaff(ctx.deps);
    const lines = [ctx.t("staff-list-title"), ...members.map((m) => ctx.t("staff-list-line", { name: m.displayName ?? String(m.telegramUserId), role: ctx.t(`staff-role-${m.role}`) }))];
    return void (await answer(ctx, `${lines.join("\n")}\n\n${ctx.t("staff-usage")}`));
  }
  const verb = sub.toLowerCase();
  if (verb !== "add" && verb !== "remove") return void (await answer(ctx, ctx.t("staff-usage")));
  if (actor.role !== "admin") {
    await auditRefusal(ctx.deps, { userId: actor.userId, isStaff: true }, `staff ${verb}`, null, "not an admin");
    return void (await answer(ctx, ctx.t("staff-refused-admin-command")));
  }
  const replied = ctx.message?.reply_to_message?.from;
  const target = arg && /^\d{1,15}$/.test(arg) ? { userId: Number(arg) } : replied && !replied.is_bot ? { userId: replied.id, name: displayNameOf(replied) } : null;
  if (!target) return void (await answer(ctx, ctx.t("staff-target-missing")));
  const name = target.name ?? String(target.userId);
  if (verb === "add") {
    const r = await addStaff(ctx.deps, actor, target);
    await answer(ctx, ctx.t(r === "added" ? "staff-added" : r === "is-admin" ? "staff-is-admin" : "staff-already", { name }));
    return;
  }
  const r = await removeStaff(ctx.deps, actor, target.userId);
  if (r.kind === "removed") {
    const at = ctx.deps.now().getTime();
    for (const caseId of r.released) await enqueueCaseCard(ctx.deps.staffQueue, { caseId, at });
  }
  await answer(ctx, 
    r.kind === "removed" ? ctx.t("staff-removed", { name, released: r.released.length }) : ctx.t(r.kind === "is-admin" ? "staff-is-admin" : "staff-not-staff", { name }),
  );
});

staffCommands.command("queue", async (ctx) => {
  if (!(await actorOrRefuse(ctx, "queue", null))) return;
  const { items, total } = await listQueue(ctx.deps, 0, QUEUE_PAGE_SIZE);
  const v = queueView(items, total, 0, ctx.t, ctx.deps.now());
  await answer(ctx, v.text, v.keyboard ? { reply_markup: v.keyboard } : {});
});

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/;

/** A case by its full id or a prefix of at least 8 hex digits (as cards show it). */
async function findCase(ctx: BotContext, input: string): Promise<{ id: string } | { error: string }> {
  const raw = input.trim().toLowerCase();
  const hex = raw.replaceAll("-", "");
  if (!raw) return { error: ctx.t("case-usage") };
  if (!/^[0-9a-f]{8,32}$/.test(hex) || (raw.includes("-") && !UUID.test(raw) && !/^[0-9a-f]{8}-?$/.test(raw))) {
    return { error: ctx.t("case-bad-id", { input: raw.slice(0, 40) }) };
  }
  const asUuid = (h: string) => `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  // uuid order is hex order: every id with this prefix lies between the prefix padded with 0s and with fs.
  const rows = await ctx.deps.db.verificationCase.findMany({
    where: { id: { gte: asUuid(hex.padEnd(32, "0")), lte: asUuid(hex.padEnd(32, "f")) } },
    select: { id: true },
    take: 2,
  });
  if (rows.length === 0) return { error: ctx.t("case-not-found", { input: raw }) };
  if (rows.length > 1) return { error: ctx.t("case-ambiguous", { input: raw }) };
  return rows[0]!;
}

/** The card as text with the audit trail; in the group it answers the card itself, so the photos are one tap away. */
async function showCase(ctx: BotContext, caseId: string): Promise<void> {
  const v = await loadCaseView(ctx.deps, caseId);
  if (!v) return void (await answer(ctx, ctx.t("case-not-found", { input: shortId(caseId) })));
  const trail = await caseTrail(ctx.deps, caseId);
  const names = await staffNames(ctx.deps, trail.filter((e) => e.actorType === "staff" && /^\d+$/.test(e.actorId)).map((e) => BigInt(e.actorId)));
  const card = renderCard(v, ctx.t, { now: ctx.deps.now(), match: THRESHOLDS.match, buttons: false });
  const text = caseWithTrail(card.text, caseId, trail.map((e) => trailLine(e, ctx.t, names)), ctx.t);
  const onCard = placeOf(ctx) === "group" && v.card && v.card.chatId === String(ctx.chat!.id);
  await answer(ctx, text, onCard ? { reply_parameters: { message_id: v.card!.messageId, allow_sending_without_reply: true } } : {});
}

staffCommands.command("case", async (ctx) => {
  if (!(await actorOrRefuse(ctx, "case", null))) return;
  const found = await findCase(ctx, ctx.match);
  if ("error" in found) return void (await answer(ctx, found.error));
  await showCase(ctx, found.id);
});

staffCommands.command("seller", async (ctx) => {
  if (!(await actorOrRefuse(ctx, "seller", null))) return;
  const q = ctx.match.trim();
  if (!q) return void (await answer(ctx, ctx.t("seller-usage")));
  const h = await sellerHistory(ctx.deps, q);
  await answer(ctx, h ? sellerView(h, ctx.t) : ctx.t("seller-not-found", { input: q.slice(0, 64) }));
});

staffCommands.command("recheck", async (ctx) => {
  const actor = await actorOrRefuse(ctx, "recheck", null);
  if (!actor) return;
  const q = ctx.match.trim();
  if (!q) return void (await answer(ctx, ctx.t("recheck-staff-usage")));
  const seller = await findSeller(ctx.deps, q);
  if (!seller) return void (await answer(ctx, ctx.t("seller-not-found", { input: q.slice(0, 64) })));
  const r = await requestRecheck(ctx.deps, actor.userId, seller.id);
  const shop = seller.shopId ?? `tg ${seller.telegramUserId ?? "-"}`;
  if (!r.ok) {
    await auditRefusal(ctx.deps, { userId: actor.userId, isStaff: true }, "recheck", r.caseId ?? null, r.why);
    return void (await answer(ctx, ctx.t(`recheck-staff-${r.why}`, { shop, id: r.caseId ? shortId(r.caseId) : "-" })));
  }
  await enqueueReminder(ctx.deps.remindQueue, { key: r.reminderKey });
  await answer(ctx, ctx.t("recheck-staff-opened", { shop, id: shortId(r.caseId) }));
});

staffCommands.command("stats", async (ctx) => {
  if (!(await actorOrRefuse(ctx, "stats", null))) return;
  const now = ctx.deps.now();
  const queues: QueueDepths = {};
  for (const q of [ctx.deps.verifyQueue, ctx.deps.staffQueue, ctx.deps.notifyQueue] as const) {
    const c = await q.getJobCounts("waiting", "active", "delayed", "failed");
    queues[q.name] = { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
  }
  await answer(ctx, statsView(await staffStats(ctx.deps, now), queues, ctx.t, now));
});

// A staff command anywhere else (a seller's private chat is "private" too, so it is refused above): nothing.

staffFeature.on("callback_query:data", async (ctx, next) => {
  const data = ctx.callbackQuery.data;
  if (!data.startsWith(STAFF_CALLBACK_PREFIX)) return next();
  const cb = parseStaffCallback(data);
  if (!cb) return void (await ctx.answerCallbackQuery({ text: ctx.t("common-button-stale") }));
  const caseId = "caseId" in cb ? cb.caseId : null;
  const actor = await actorOrRefuse(ctx, cb.verb, caseId);
  if (!actor) return;
  const place = placeOf(ctx);
  // Card buttons act only on the card in the staff group (where the photos are); lists work in private chats too.
  const listButton = cb.verb === "queue" || cb.verb === "open";
  if (place === "elsewhere" || (!listButton && place !== "group")) {
    await auditRefusal(ctx.deps, { userId: actor.userId, isStaff: true }, cb.verb, caseId, "wrong chat");
    return void (await ctx.answerCallbackQuery({ text: ctx.t("staff-refused-wrong-chat") }));
  }
  await onStaffButton(ctx, actor, cb);
});

async function onStaffButton(ctx: BotContext, actor: StaffActor, cb: StaffCallback): Promise<void> {
  const deps = ctx.deps;
  const t: T = ctx.t;
  const refresh = (caseId: string) => enqueueCaseCard(deps.staffQueue, { caseId, at: deps.now().getTime() });
  const toast = (text: string) => ctx.answerCallbackQuery({ text });
  const refuse = async (r: Extract<ActionResult, { ok: false }>, caseId: string) => {
    await auditRefusal(deps, { userId: actor.userId, isStaff: true }, cb.verb, caseId, r.refusal.kind);
    await toast(refusalText(r.refusal, t));
  };

  switch (cb.verb) {
    case "queue": {
      const { items, total } = await listQueue(deps, cb.page, QUEUE_PAGE_SIZE);
      const v = queueView(items, total, cb.page, t, deps.now());
      await ctx.answerCallbackQuery();
      await ctx.editMessageText(v.text, { reply_markup: v.keyboard ?? { inline_keyboard: [] } }).catch(() => undefined);
      return;
    }
    case "open":
      await ctx.answerCallbackQuery();
      return showCase(ctx, cb.caseId);
    case "claim":
    case "release": {
      const r = cb.verb === "claim" ? await claimCase(deps, actor, cb.caseId) : await releaseCase(deps, actor, cb.caseId);
      if (!r.ok) return refuse(r, cb.caseId);
      if (r.changed) await refresh(cb.caseId);
      const id = shortId(cb.caseId);
      const key = cb.verb === "claim" ? (r.changed ? "staff-done-claimed" : "staff-done-already-claimed") : r.changed ? "staff-done-released" : "staff-done-not-claimed";
      return void (await toast(t(key, { id })));
    }
    case "reject":
    case "back": {
      // Only a decision the member could make opens the picker: a claimed or decided case is refused now, not after the pick.
      if (cb.verb === "reject") {
        const blocker = await decisionBlocker(deps, actor, cb.caseId);
        if (blocker) return refuse({ ok: false, refusal: blocker }, cb.caseId);
        await ctx.editMessageReplyMarkup({ reply_markup: rejectPicker(cb.caseId, t) }).catch(() => undefined);
        return void (await toast(t("staff-pick-reason")));
      }
      const v = await loadCaseView(deps, cb.caseId);
      if (!v) return refuse({ ok: false, refusal: { kind: "not-found" } }, cb.caseId);
      await ctx.editMessageReplyMarkup({ reply_markup: cardKeyboard(v, t) ?? { inline_keyboard: [] } }).catch(() => undefined);
      return void (await ctx.answerCallbackQuery());
    }
    case "approve":
    case "rj":
    case "retake":
    case "newdoc": {
      const d: Decision =
        cb.verb === "approve" ? { action: "approve" } : cb.verb === "rj" ? { action: "reject", reason: cb.reason } : cb.verb === "retake" ? { action: "retake" } : { action: "new_document" };
      const r = await decideCase(deps, actor, cb.caseId, d);
      if (!r.ok) {
        await refresh(cb.caseId);
        return refuse(r, cb.caseId);
      }
      await enqueueDeliverDecision(deps.notifyQueue, { decisionId: r.decisionId! });
      await refresh(cb.caseId);
      const sellerId = (await deps.db.verificationCase.findUnique({ where: { id: cb.caseId }, select: { sellerId: true } }))?.sellerId;
      if (sellerId) await enqueueSellerWebhooks(deps, sellerId);
      return void (await toast(t(`staff-done-${d.action}`, { id: shortId(cb.caseId) })));
    }
    case "reveal": {
      const r = await revealIdNumber(deps, actor, cb.caseId, REVEAL_SECONDS);
      if (!r.ok) return refuse(r, cb.caseId);
      await refresh(cb.caseId);
      // Edited back when the minute is over (the sweep is the safety net should this job be lost).
      await enqueueCaseCard(deps.staffQueue, { caseId: cb.caseId, at: r.until.getTime() }, { delayMs: r.until.getTime() - deps.now().getTime() + 500 });
      return void (await toast(t("staff-done-revealed", { seconds: REVEAL_SECONDS })));
    }
  }
}

/**
 * The bot's own membership. Out of the staff group: logged, the cases stay and are
 * posted when it is back. A seller who blocks the bot is marked unreachable (and
 * reachable again when they unblock it).
 */
staffFeature.on("my_chat_member", async (ctx) => {
  const u: ChatMemberUpdated = ctx.myChatMember;
  const inside = u.new_chat_member.status === "member" || u.new_chat_member.status === "administrator" || u.new_chat_member.status === "creator";
  if (u.chat.type === "private") {
    if (u.new_chat_member.status === "kicked") await markSellerUnreachable(ctx.deps, { telegramUserId: u.chat.id });
    else if (inside) await ctx.deps.db.seller.updateMany({ where: { telegramUserId: BigInt(u.chat.id) }, data: { unreachableAt: null } });
    return;
  }
  if (u.chat.id !== ctx.deps.config.STAFF_CHAT_ID) return;
  if (inside) {
    ctx.log.info({ chatId: u.chat.id, by: u.from.id }, "bot is in the staff group: posting what waited");
    await clearStaffChatFailure(ctx.deps.redis, ctx.deps.config.REDIS_PREFIX);
    await ctx.deps.staffQueue.add(STAFF_RESUME, { at: ctx.deps.now().getTime() }, { jobId: `resume-${u.date}` });
  } else {
    ctx.log.error({ chatId: u.chat.id, by: u.from.id, status: u.new_chat_member.status }, "bot was removed from the staff group: cases are kept and posted when it is back");
  }
});
