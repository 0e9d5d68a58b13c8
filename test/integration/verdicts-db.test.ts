import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expireAbandonedCases, replayCandidates, storePhotoHash, stuckSubmissions } from "../../core/verification/verdicts";
import { isolatedDb } from "../support/db";

/** The workers' database lookups on a real PostgreSQL schema of their own. */

let x: Awaited<ReturnType<typeof isolatedDb>>;
beforeAll(async () => {
  x = await isolatedDb();
});
afterAll(() => x?.drop());

const DAY = 86_400_000;

async function sellerWithCase(status: "collecting" | "awaiting_selfie" | "queued", updatedAt: Date) {
  const seller = await x.db.seller.create({ data: {} });
  const c = await x.db.verificationCase.create({ data: { sellerId: seller.id, status, maxAttempts: 3 } });
  await x.db.verificationCase.update({ where: { id: c.id }, data: { updatedAt } });
  return { seller, c };
}

describe("sweep lookups", () => {
  it("expires dialogs abandoned longer than their replay log lives, and only those", async () => {
    const old = await sellerWithCase("collecting", new Date(Date.now() - 8 * DAY));
    const oldChallenge = await sellerWithCase("awaiting_selfie", new Date(Date.now() - 8 * DAY));
    const fresh = await sellerWithCase("collecting", new Date(Date.now() - DAY));
    const queued = await sellerWithCase("queued", new Date(Date.now() - 30 * DAY));
    expect(await expireAbandonedCases({ db: x.db, now: () => new Date() }, new Date(Date.now() - 7 * DAY))).toBe(2);
    const status = async (id: string) => (await x.db.verificationCase.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(old.c.id)).toBe("expired");
    expect(await status(oldChallenge.c.id)).toBe("expired");
    expect(await status(fresh.c.id)).toBe("collecting");
    expect(await status(queued.c.id)).toBe("queued");
    expect(await x.db.auditEvent.count({ where: { action: "case.expired" } })).toBe(2);
    expect(await expireAbandonedCases({ db: x.db, now: () => new Date() }, new Date(Date.now() - 7 * DAY))).toBe(0);
  });

  it("finds submissions whose job was lost", async () => {
    const { seller, c } = await sellerWithCase("queued", new Date());
    const photo = await x.db.photo.create({ data: { sellerId: seller.id, caseId: c.id, kind: "selfie", storageKey: "k", sha256: "s", width: 1, height: 1 } });
    const s = await x.db.submission.create({ data: { caseId: c.id, attempt: 1, gesture: "victory", photoId: photo.id, createdAt: new Date(Date.now() - 10 * 60_000) } });
    expect((await stuckSubmissions({ db: x.db }, new Date(Date.now() - 2 * 60_000))).map((r) => r.id)).toContain(s.id);
    expect(await stuckSubmissions({ db: x.db }, new Date(Date.now() - 20 * 60_000))).toEqual([]);
  });

  it("finds replay candidates through any one shared 16-bit chunk of the hash", async () => {
    const seller = await x.db.seller.create({ data: {} });
    const mk = async (chunks: [number, number, number, number]) => {
      const p = await x.db.photo.create({ data: { sellerId: seller.id, kind: "selfie", storageKey: "k", sha256: "s", width: 1, height: 1 } });
      await storePhotoHash({ db: x.db }, p.id, { h64: "0".repeat(16), fine: "0".repeat(64), chunks });
      return p.id;
    };
    const a = await mk([1, 2, 3, 4]);
    const shares = await mk([9, 9, 3, 9]);
    await mk([5, 6, 7, 8]);
    const found = (await replayCandidates({ db: x.db }, a, [1, 2, 3, 4])).map((r) => r.id);
    expect(found).toEqual([shares]);
  });
});
