import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { StaffMember, StaffRole } from "../db/client";
import { OPEN_STATUSES } from "../verification/case-state";

/**
 * Who is support staff. Roles live in the database and are read each time a staff
 * command or button runs, never cached from when a card was posted: a member removed
 * a minute ago cannot act on the card they saw before.
 */

type Db = Pick<CoreDeps, "db">;

export interface StaffActor {
  userId: number;
  role: StaffRole;
  name: string;
}

/** How a Telegram user is shown to other staff: "Alice (@alice)", or the id when nothing else is known. */
export function displayNameOf(u: { id: number; first_name?: string; last_name?: string; username?: string }): string {
  const full = [u.first_name, u.last_name].filter(Boolean).join(" ").trim();
  if (full && u.username) return `${full} (@${u.username})`;
  return full || (u.username ? `@${u.username}` : String(u.id));
}

export async function activeStaff(deps: Db, userId: number): Promise<StaffMember | null> {
  return deps.db.staffMember.findFirst({ where: { telegramUserId: BigInt(userId), removedAt: null } });
}

/** The member acting now, with the name others see refreshed; null for anyone who is not staff. */
export async function staffActor(deps: Db, user: { id: number; first_name?: string; last_name?: string; username?: string }): Promise<StaffActor | null> {
  const m = await activeStaff(deps, user.id);
  if (!m) return null;
  const name = displayNameOf(user);
  if (m.displayName !== name) await deps.db.staffMember.update({ where: { telegramUserId: m.telegramUserId }, data: { displayName: name } });
  return { userId: user.id, role: m.role, name };
}

/** Names of staff members by Telegram id, for cards and lists. */
export async function staffNames(deps: Db, ids: readonly (bigint | null | undefined)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((x): x is bigint => x !== null && x !== undefined))];
  if (!wanted.length) return new Map();
  const rows = await deps.db.staffMember.findMany({ where: { telegramUserId: { in: wanted } }, select: { telegramUserId: true, displayName: true } });
  const names = new Map(rows.map((r) => [String(r.telegramUserId), r.displayName ?? String(r.telegramUserId)]));
  for (const id of wanted) if (!names.has(String(id))) names.set(String(id), String(id));
  return names;
}

/**
 * Admins come from ADMIN_TELEGRAM_IDS at start: each is made an active admin; an admin
 * no longer listed loses the role (their row stays, removed, so the audit still names them).
 */
export async function syncAdmins(deps: Pick<CoreDeps, "db" | "now">, adminIds: readonly number[]): Promise<{ added: number; removed: number; released: string[] }> {
  const now = deps.now();
  const wanted = adminIds.map((id) => BigInt(id));
  let added = 0;
  for (const id of wanted) {
    const before = await deps.db.staffMember.findUnique({ where: { telegramUserId: id } });
    if (before?.role === "admin" && !before.removedAt) continue;
    await deps.db.staffMember.upsert({
      where: { telegramUserId: id },
      create: { telegramUserId: id, role: "admin" },
      update: { role: "admin", removedAt: null },
    });
    added++;
    await audit(deps.db, { actorType: "system", actorId: "config", action: "staff.admin_added", data: { userId: String(id), before: before?.role ?? null } });
  }
  const stale = await deps.db.staffMember.findMany({ where: { role: "admin", removedAt: null, telegramUserId: { notIn: wanted } } });
  const released: string[] = [];
  for (const m of stale) {
    await deps.db.staffMember.update({ where: { telegramUserId: m.telegramUserId }, data: { removedAt: now } });
    released.push(...(await releaseClaims(deps, m.telegramUserId, "config")));
    await audit(deps.db, { actorType: "system", actorId: "config", action: "staff.admin_removed", data: { userId: String(m.telegramUserId) } });
  }
  return { added, removed: stale.length, released };
}

export type AddStaffResult = "added" | "already-staff" | "is-admin";

export async function addStaff(deps: Pick<CoreDeps, "db" | "now">, actor: StaffActor, target: { userId: number; name?: string }): Promise<AddStaffResult> {
  const id = BigInt(target.userId);
  const before = await deps.db.staffMember.findUnique({ where: { telegramUserId: id } });
  if (before && !before.removedAt) return before.role === "admin" ? "is-admin" : "already-staff";
  await deps.db.staffMember.upsert({
    where: { telegramUserId: id },
    create: { telegramUserId: id, role: "staff", addedBy: BigInt(actor.userId), displayName: target.name ?? null },
    update: { role: "staff", removedAt: null, addedBy: BigInt(actor.userId), addedAt: deps.now(), ...(target.name ? { displayName: target.name } : {}) },
  });
  await audit(deps.db, {
    actorType: "staff",
    actorId: String(actor.userId),
    action: "staff.added",
    data: { userId: String(target.userId), before: before ? "removed" : null, after: "staff" },
  });
  return "added";
}

export type RemoveStaffResult = { kind: "removed"; released: string[] } | { kind: "not-staff" } | { kind: "is-admin" };

/** Removes a staff member; the cases they had claimed go back to the queue. Admins are removed from the config only. */
export async function removeStaff(deps: Pick<CoreDeps, "db" | "now">, actor: StaffActor, userId: number): Promise<RemoveStaffResult> {
  const id = BigInt(userId);
  const m = await deps.db.staffMember.findUnique({ where: { telegramUserId: id } });
  if (!m || m.removedAt) return { kind: "not-staff" };
  if (m.role === "admin") return { kind: "is-admin" };
  await deps.db.staffMember.update({ where: { telegramUserId: id }, data: { removedAt: deps.now() } });
  const released = await releaseClaims(deps, id, String(actor.userId));
  await audit(deps.db, { actorType: "staff", actorId: String(actor.userId), action: "staff.removed", data: { userId: String(userId), before: "staff", after: null, released } });
  return { kind: "removed", released };
}

/** Open cases the member had claimed go back to the queue; returns their ids (their cards need a refresh). */
async function releaseClaims(deps: Pick<CoreDeps, "db">, holder: bigint, by: string): Promise<string[]> {
  const claimed = await deps.db.verificationCase.findMany({ where: { claimedBy: holder, status: { in: [...OPEN_STATUSES] } }, select: { id: true, sellerId: true } });
  const released: string[] = [];
  for (const c of claimed) {
    const r = await deps.db.verificationCase.updateMany({ where: { id: c.id, claimedBy: holder }, data: { claimedBy: null, claimedAt: null } });
    if (!r.count) continue;
    released.push(c.id);
    await audit(deps.db, {
      actorType: by === "config" ? "system" : "staff",
      actorId: by,
      action: "staff.claim_released",
      sellerId: c.sellerId,
      caseId: c.id,
      data: { before: { claimedBy: String(holder) }, after: { claimedBy: null } },
    });
  }
  return released;
}

export async function listStaff(deps: Db): Promise<StaffMember[]> {
  return deps.db.staffMember.findMany({ where: { removedAt: null }, orderBy: [{ role: "asc" }, { addedAt: "asc" }] });
}
