import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture } from "../support/fixtures";
import { openEnrolmentToChallenge } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SellerSim } from "../support/seller-sim";
import type { SandboxMessage } from "../../sandbox/stand-in/sandbox";

/**
 * The Mini App's camera capture over real HTTP: the challenge's web_app button, launch data the
 * stand-in signs as Telegram does, and the capture server's upload, with everything it refuses.
 */
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);
const DOC = readFileSync(fixture("handsdataset_5_pic00050.jpg")).toString("base64");
const VICTORY = readFileSync(fixture("handsdataset_5_pic00081.jpg"));

type Launch = { origin: string; token: string; initData: string };
let nextUser = 7_100_000;

/** A hand-held burst: the same scene, each frame shifted and scaled by a few pixels. */
async function burst(photo: Buffer, n = 3): Promise<string[]> {
  const meta = await sharp(photo).metadata();
  const w = meta.width!;
  const hgt = meta.height!;
  const frames = [];
  for (let i = 0; i < n; i++) {
    const cut = 6 + 4 * i;
    const jpeg = await sharp(photo).extract({ left: cut, top: cut - 2, width: w - 2 * cut, height: hgt - 2 * cut }).resize(w - 8 * i).jpeg({ quality: 90 }).toBuffer();
    frames.push(jpeg.toString("base64"));
  }
  return frames;
}

const cameraButton = (m: SandboxMessage) =>
  ((m.reply_markup as { inline_keyboard?: { text: string; web_app?: { url: string } }[][] } | undefined)?.inline_keyboard ?? []).flat().find((b) => b.web_app);

async function launch(h: Harness, userId: number, messageId: number): Promise<Launch> {
  const res = await fetch(`${h.standIn.url}/sandbox/users/${userId}/open-web-app`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message_id: messageId }),
  });
  const { url } = (await res.json()) as { url: string };
  const u = new URL(url);
  return { origin: u.origin, token: u.searchParams.get("t")!, initData: new URLSearchParams(u.hash.slice(1)).get("tgWebAppData")! };
}

async function post(l: Pick<Launch, "origin">, path: string, body: unknown, contentType = "application/json") {
  const res = await fetch(`${l.origin}${path}`, { method: "POST", headers: { "content-type": contentType }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A seller at the gesture challenge; the gesture is set to the V sign the fixture shows. */
async function atChallenge(h: Harness): Promise<{ s: SellerSim; challenge: SandboxMessage; caseId: string }> {
  const s = h.seller(nextUser++, { first_name: "Mei", language_code: "en" });
  await openEnrolmentToChallenge(h, s, DOC);
  const msgs = await h.client.messages(s.userId);
  const challenge = msgs.filter((m) => m.text?.startsWith(en("verify-challenge", { emoji: "x", instruction: "x", minutes: 5 }).split("\n")[0]!)).at(-1)!;
  const c = await h.db.verificationCase.findFirstOrThrow({ where: { seller: { telegramUserId: BigInt(s.userId) } }, orderBy: { createdAt: "desc" } });
  await h.db.verificationCase.update({ where: { id: c.id }, data: { gesture: "victory" } });
  return { s, challenge, caseId: c.id };
}

describe("the Mini App camera (SELFIE_CAPTURE=both)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPEN_ENROLMENT: "true" }, { verify: true });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("the challenge carries an Open the camera button; a burst uploaded with signed init data is checked like a chat photo", async () => {
    await h.forgetFacesAndPhotos();
    const { s, challenge, caseId } = await atChallenge(h);
    const button = cameraButton(challenge);
    expect(button?.text).toBe(en("verify-camera-button"));
    const l = await launch(h, s.userId, challenge.message_id);
    expect(button!.web_app!.url).toBe(`${l.origin}/capture?t=${l.token}`);

    const session = await post(l, "/capture/session", { init_data: l.initData, token: l.token });
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({ locale: "en", gesture: "victory", instruction: en("capture-instruction", { emoji: "✌️", instruction: en("gesture-victory") }) });

    const up = await post(l, "/capture/upload", { init_data: l.initData, token: l.token, frames: await burst(VICTORY) });
    expect(up).toEqual({ status: 200, json: { ok: true, message: en("capture-sent") } });
    await s.expect(en("verify-checking"));
    await s.expect(/^✅/, 30_000);
    const sub = await h.db.submission.findFirstOrThrow({ where: { caseId } });
    expect(sub.capture).toBe("webapp");
    expect(sub.burstPhotoIds).toHaveLength(3);
    expect(sub.burstPhotoIds[0]).toBe(sub.photoId);
    // The dialog that waited for the selfie in the chat is over: a later message is not read as a photo answer.
    await s.text("hello");
    const reply = await s.next();
    expect(reply.text).not.toBe(en("photo-error-expected-photo"));

    // The token was single-use: the same upload again changes nothing and stores nothing.
    const photos = await h.db.photo.count({ where: { caseId } });
    const again = await post(l, "/capture/upload", { init_data: l.initData, token: l.token, frames: await burst(VICTORY) });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: "token-used", message: en("capture-error-used") });
    expect(await h.db.photo.count({ where: { caseId } })).toBe(photos);
  }, 90_000);

  it("the worker refuses a still picture (identical frames) and a burst of different faces; the seller is told why", async () => {
    await h.forgetFacesAndPhotos();
    const still = await atChallenge(h);
    const l = await launch(h, still.s.userId, still.challenge.message_id);
    const frame = VICTORY.toString("base64");
    expect((await post(l, "/capture/upload", { init_data: l.initData, token: l.token, frames: [frame, frame, frame] })).status).toBe(200);
    const told = await still.s.expect(/^❌/, 30_000);
    expect(told.text).toContain(en("verdict-reason-still-image"));
    const sub = await h.db.submission.findFirstOrThrow({ where: { caseId: still.caseId } });
    expect(sub.reasons).toContain("still-image");
    expect((sub.scores as { burst: { still: boolean; motion: number } }).burst).toMatchObject({ still: true, motion: 0 });

    await h.forgetFacesAndPhotos();
    const mixed = await atChallenge(h);
    const m = await launch(h, mixed.s.userId, mixed.challenge.message_id);
    const [a, , c] = await burst(VICTORY);
    const stranger = (await sharp(readFileSync(fixture("facerec_obama.jpg"))).jpeg().toBuffer()).toString("base64");
    expect((await post(m, "/capture/upload", { init_data: m.initData, token: m.token, frames: [a, stranger, c] })).status).toBe(200);
    expect((await mixed.s.expect(/^❌/, 30_000)).text).toContain(en("verdict-reason-burst-mismatch"));
    const mixedSub = await h.db.submission.findFirstOrThrow({ where: { caseId: mixed.caseId } });
    expect(mixedSub.reasons).toContain("burst-mismatch");
    expect(mixedSub.reasons).not.toContain("still-image");
  }, 120_000);

  it("refuses forged, expired and other users' init data, bad frames and wrong bodies, storing nothing", async () => {
    const { s, challenge, caseId } = await atChallenge(h);
    const l = await launch(h, s.userId, challenge.message_id);
    const frames = await burst(VICTORY, 1);
    const refused = async (body: Record<string, unknown>, status: number, error: string) => {
      const r = await post(l, "/capture/upload", { init_data: l.initData, token: l.token, frames, ...body });
      expect([r.status, r.json.error]).toEqual([status, error]);
      expect(typeof r.json.message).toBe("string");
    };
    const forged = new URLSearchParams(l.initData);
    forged.set("user", forged.get("user")!.replace(`"first_name":"Mei"`, `"first_name":"Eve"`));
    await refused({ init_data: forged.toString() }, 401, "init-data-invalid");
    await refused({ init_data: "" }, 401, "init-data-missing");
    await refused({ token: "not-a-token" }, 400, "bad-token");
    await refused({ token: "A".repeat(24) }, 409, "token-used");
    await refused({ frames: [] }, 400, "frames");
    await refused({ frames: ["JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoK"] }, 400, "bad-photo"); // a PDF's first bytes
    await refused({ frames: [Buffer.alloc(h.config.MAX_PHOTO_BYTES + 1, 1).toString("base64")] }, 413, "frame-too-large");
    expect((await post(l, "/capture/upload", {}, "text/plain")).status).toBe(415);

    // Another seller's own valid launch data, with this seller's token.
    const other = await atChallenge(h);
    const theirs = await launch(h, other.s.userId, other.challenge.message_id);
    await refused({ init_data: theirs.initData }, 403, "not-your-case");

    // Launch data older than 5 minutes on the core clock.
    h.clock.advance(6 * 60_000);
    await refused({}, 401, "init-data-expired");
    h.clock.advance(-6 * 60_000);

    expect(await h.db.photo.count({ where: { caseId, kind: "selfie" } })).toBe(0);
    expect(await h.db.submission.count({ where: { caseId } })).toBe(0);
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: caseId } })).status).toBe("awaiting_selfie");
  }, 90_000);
});

describe("SELFIE_CAPTURE=webapp", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ OPEN_ENROLMENT: "true", SELFIE_CAPTURE: "webapp" });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("refuses a photo sent in the chat (it may come from the gallery), with the camera button again", async () => {
    const { s, caseId } = await atChallenge(h);
    await s.send({ photo: VICTORY.toString("base64") });
    const refusal = await s.expect(en("verify-selfie-camera-only"));
    expect(cameraButton(refusal)?.text).toBe(en("verify-camera-button"));
    expect(await h.db.submission.count({ where: { caseId } })).toBe(0);
    expect(await h.db.photo.count({ where: { caseId, kind: "selfie" } })).toBe(0);
  }, 60_000);
});
