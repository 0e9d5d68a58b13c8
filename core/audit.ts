import type { ActorType, Db, Prisma } from "./db/client";

/** Audit entries hold ids, codes and masked values only: never identity values. */
export interface AuditInput {
  actorType: ActorType;
  actorId: string;
  action: string;
  sellerId?: string | null;
  caseId?: string | null;
  data?: Prisma.InputJsonValue;
}

type Tx = Pick<Db, "auditEvent">;

export async function audit(db: Tx, e: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      actorType: e.actorType,
      actorId: e.actorId,
      action: e.action,
      sellerId: e.sellerId ?? null,
      caseId: e.caseId ?? null,
      data: e.data,
    },
  });
}
