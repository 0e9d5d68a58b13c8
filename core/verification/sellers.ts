import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { Seller } from "../db/client";
import { UserError } from "../errors";
import type { Locale } from "../i18n";
import { maskPhone } from "../identity/mask";
import { normalizePhone } from "../identity/phone";

export interface TelegramPerson {
  userId: number;
  chatId: number;
  locale: Locale;
}

/** Deep-link tokens are 24 base64url chars: Telegram allows 64 of [A-Za-z0-9_-] in a start parameter. */
export const START_TOKEN_RE = /^[A-Za-z0-9_-]{16,64}$/;

export async function findSellerByTelegram(deps: Pick<CoreDeps, "db">, userId: number): Promise<Seller | null> {
  return deps.db.seller.findUnique({ where: { telegramUserId: BigInt(userId) } });
}

/**
 * Binds a Telegram account to the shop named by a single-use deep-link token.
 * The token is looked up by its HMAC (only digests are stored) and cleared in the
 * same conditional update, so it cannot be used twice, even concurrently.
 */
export async function bindSellerByToken(
  deps: Pick<CoreDeps, "db" | "crypto" | "now">,
  token: string,
  who: TelegramPerson,
): Promise<Seller> {
  if (!START_TOKEN_RE.test(token)) throw new UserError("start-link-invalid");
  const digest = deps.crypto.hmac("token", token);
  const seller = await deps.db.seller.findUnique({ where: { enrolTokenHmac: digest } });
  if (!seller) {
    // Already bound to this very account: the seller tapped the link twice.
    const mine = await findSellerByTelegram(deps, who.userId);
    if (mine) return mine;
    throw new UserError("start-link-invalid");
  }
  if (seller.enrolTokenExpires && seller.enrolTokenExpires < deps.now()) throw new UserError("start-link-expired");
  const other = await findSellerByTelegram(deps, who.userId);
  if (other && other.id !== seller.id) throw new UserError("start-link-other-shop", { shop: other.shopName ?? other.shopId ?? "-" });

  const res = await deps.db.seller.updateMany({
    where: { id: seller.id, enrolTokenHmac: digest },
    data: {
      telegramUserId: BigInt(who.userId),
      telegramChatId: BigInt(who.chatId),
      locale: who.locale,
      boundAt: deps.now(),
      enrolTokenHmac: null,
      enrolTokenExpires: null,
    },
  });
  if (res.count !== 1) throw new UserError("start-link-invalid");
  await audit(deps.db, { actorType: "seller", actorId: String(who.userId), action: "seller.bound", sellerId: seller.id, data: { shopId: seller.shopId } });
  return (await deps.db.seller.findUnique({ where: { id: seller.id } }))!;
}

/** Open enrolment (config OPEN_ENROLMENT): a seller without a marketplace record; staff link the shop later. */
export async function enrolOpen(deps: Pick<CoreDeps, "db" | "now">, who: TelegramPerson): Promise<Seller> {
  const seller = await deps.db.seller.upsert({
    where: { telegramUserId: BigInt(who.userId) },
    update: {},
    create: { telegramUserId: BigInt(who.userId), telegramChatId: BigInt(who.chatId), locale: who.locale, boundAt: deps.now() },
  });
  await audit(deps.db, { actorType: "seller", actorId: String(who.userId), action: "seller.enrolled_open", sellerId: seller.id });
  return seller;
}

/** Telegram answered 403 (the seller blocked the bot): remember it, and never retry sends to that chat. */
export async function markSellerUnreachable(deps: Pick<CoreDeps, "db" | "now">, who: { sellerId: string } | { telegramUserId: number }): Promise<void> {
  const where = "sellerId" in who ? { id: who.sellerId } : { telegramUserId: BigInt(who.telegramUserId) };
  await deps.db.seller.updateMany({ where, data: { unreachableAt: deps.now() } });
}

export async function setSellerLocale(deps: Pick<CoreDeps, "db">, userId: number, locale: Locale): Promise<void> {
  await deps.db.seller.updateMany({ where: { telegramUserId: BigInt(userId) }, data: { locale } });
}

export interface ImportRow {
  shopId: string;
  shopName: string;
  reservedPhone: string;
  riskFlags: string[];
}

export interface ImportResult {
  shopId: string;
  /** a fresh single-use token, or null when the shop is already bound to a Telegram account */
  token: string | null;
  created: boolean;
}

/**
 * Creates or refreshes a seller from a marketplace record. Each call issues a new
 * token (the old link stops working) unless the shop is already bound; `rebind`
 * also issues one for bound shops, for a seller who changed Telegram account.
 */
export async function importSeller(
  deps: Pick<CoreDeps, "db" | "crypto" | "now">,
  row: ImportRow,
  opts: { tokenTtlDays: number; rebind?: boolean },
): Promise<ImportResult> {
  const phone = row.reservedPhone ? normalizePhone(row.reservedPhone, "CN") : null;
  if (row.reservedPhone && !phone) throw new Error(`shop ${row.shopId}: reserved phone is not a valid phone number`);
  const existing = await deps.db.seller.findUnique({ where: { shopId: row.shopId } });
  const issue = !existing?.telegramUserId || opts.rebind === true;
  const { token, digest } = deps.crypto.newToken();
  const expires = new Date(deps.now().getTime() + opts.tokenTtlDays * 86_400_000);
  const phoneFields = phone
    ? { reservedPhoneEnc: deps.crypto.seal(phone, "phone"), reservedPhoneHmac: deps.crypto.hmac("phone", phone), reservedPhoneMask: maskPhone(phone) }
    : { reservedPhoneEnc: null, reservedPhoneHmac: null, reservedPhoneMask: null };
  const data = {
    shopName: row.shopName || null,
    riskFlags: row.riskFlags,
    ...phoneFields,
    ...(issue ? { enrolTokenHmac: digest, enrolTokenExpires: expires } : {}),
  };
  const seller = existing
    ? await deps.db.seller.update({ where: { id: existing.id }, data })
    : await deps.db.seller.create({ data: { shopId: row.shopId, ...data } });
  await audit(deps.db, {
    actorType: "system",
    actorId: "sellers-import",
    action: existing ? "seller.import_updated" : "seller.imported",
    sellerId: seller.id,
    data: { shopId: row.shopId, tokenIssued: issue, riskFlags: row.riskFlags },
  });
  return { shopId: row.shopId, token: issue ? token : null, created: !existing };
}
