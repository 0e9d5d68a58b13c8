import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PiiCrypto } from "../../core/crypto";
import { importSeller } from "../../core/verification/sellers";
import { fixture } from "../support/fixtures";
import { startHarness, t, type Harness } from "../support/harness";
import { answer, currentCase, driveTo, expectNext, expectPrompt, startDialog } from "../support/dialog-steps";

/** Complete seller dialogs through the Bot API stand-in over real HTTP, with real PostgreSQL and Redis. */

let h: Harness;
let nextUser = 7_100_000;

const DOC = readFileSync(fixture("facerec_obama.jpg"));
const SELFIE = readFileSync(fixture("handsdataset_5_pic00050.jpg"));

async function newShop(phone = "+8613800138000"): Promise<{ token: string; shopId: string }> {
  const shopId = `shop-${nextUser}-${Math.random().toString(36).slice(2, 8)}`;
  const r = await importSeller(
    { db: h.db, crypto: new PiiCrypto(h.config.PII_KEY), now: () => new Date() },
    { shopId, shopName: `Shop ${shopId}`, reservedPhone: phone, riskFlags: [] },
    { tokenTtlDays: 30 },
  );
  return { token: r.token!, shopId };
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("seller dialog", () => {
  it("runs from /start to a queued check (en), persisting only sealed identity values", async () => {
    const { token, shopId } = await newShop();
    const user = nextUser++;
    const s = h.seller(user, { language_code: "en" });
    await s.text(`/start ${token}`);
    await s.expect(t("en", "start-welcome-shop", { shop: `Shop ${shopId}` }));
    const consent = await s.expect(t("en", "verify-consent", { retentionDays: h.config.RETENTION_DAYS }));
    expect(s.buttons(consent)).toEqual(["consent:yes", "consent:no"]);
    await s.press("consent:yes");
    await s.expect(t("en", "verify-consent-face", { retentionDays: h.config.RETENTION_DAYS }));
    await s.press("face:yes");
    const region = await s.expect(t("en", "verify-ask-region"));
    expect(s.buttons(region)).toEqual(["region:cn", "region:hk", "region:mo", "region:tw", "region:passport"]);
    await s.press("region:cn");
    await s.expect(t("en", "verify-ask-name", { region: t("en", "identity-region-cn") }));
    await s.text("  张 三  ");
    await s.expect(t("en", "verify-ask-id-cn"));
    await s.text("11010519491231002x");
    await s.expect(t("en", "verify-ask-phone"));
    await s.send({ contact: { phone_number: "8613800138000", user_id: user } });
    await s.expect(/1101\*+002X/);
    await s.expect(t("en", "verify-ask-document", { region: t("en", "identity-region-cn") }));
    await s.send({ photo: DOC.toString("base64") });
    const challenge = await s.expect(/\n\n.+\n\n/);
    expect(challenge.text).toContain(t("en", "verify-challenge", { instruction: "X", emoji: "Y", minutes: 5 }).split("\n")[0]!);
    await s.send({ photo: SELFIE.toString("base64") });
    await s.expect(t("en", "verify-checking"));

    const seller = await h.db.seller.findUniqueOrThrow({ where: { shopId }, include: { identities: true, cases: { include: { submissions: true } } } });
    expect(seller.telegramUserId).toBe(BigInt(user));
    const c = seller.cases[0]!;
    expect(c.status).toBe("queued");
    expect(c.consentAt).not.toBeNull();
    expect(c.faceConsentAt).not.toBeNull();
    expect(c.submissions).toHaveLength(1);
    const id = seller.identities[0]!;
    expect(id.idNumberMask).toBe("1101**********002X");
    expect(Buffer.from(id.idNumberEnc!).toString("latin1")).not.toContain("11010519491231002X");
    expect(new PiiCrypto(h.config.PII_KEY).openText(id.idNumberEnc!, `identity:${seller.id}`)).toBe("11010519491231002X");
    const job = await h.bot.deps.verifyQueue.getJob(`verify-${c.submissions[0]!.id}`);
    expect(job?.data).toEqual({ submissionId: c.submissions[0]!.id, caseId: c.id });
  });
});

describe("gesture deadline and consent", () => {
  it("answers a late selfie with a fresh challenge (another gesture) and takes the next one in time", async () => {
    const d = await startDialog(h, nextUser++);
    await driveTo(d, "selfie");
    const before = await currentCase(d);
    // The seller took longer than CHALLENGE_TTL_SECONDS.
    await h.db.verificationCase.update({ where: { id: before.id }, data: { challengeDeadline: new Date(Date.now() - 1000) } });
    await d.s.send({ photo: SELFIE.toString("base64") });
    await expectNext(d.s, t("en", "verify-challenge-late"));
    await expectPrompt(d, "selfie");
    const after = await currentCase(d);
    expect(after.gesture).not.toBe(before.gesture);
    expect(after.challengeDeadline!.getTime()).toBeGreaterThan(Date.now());
    expect(await h.db.submission.count({ where: { caseId: before.id } })).toBe(0);
    await d.s.send({ photo: SELFIE.toString("base64") });
    await expectNext(d.s, t("en", "verify-checking"));
    expect((await currentCase(d)).status).toBe("queued");
  });

  it("declining face data offers manual review by staff instead, and nothing more is asked", async () => {
    const d = await startDialog(h, nextUser++);
    await answer(d); // consent to identity data
    await d.s.press("face:no", d.prompts.face?.message_id);
    const offer = await expectNext(d.s, t("en", "verify-manual-offer"));
    expect(d.s.buttons(offer)).toEqual(["manual:yes", "manual:no"]);
    await d.s.press("manual:yes", offer.message_id);
    await expectNext(d.s, t("en", "verify-manual-requested"));
    const c = await currentCase(d);
    expect(c.status).toBe("review");
    expect(c.manualReview).toBe(true);
    expect(c.faceConsentAt).toBeNull();
    await d.s.expectSilence(500);
  });
});
