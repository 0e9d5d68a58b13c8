/**
 * npm run bench:capture -- [--rounds 3]: the Mini App's capture against a chat photo, end to end on
 * the real bot, worker (real models) and Bot API stand-in. For each genuine fixture selfie of the
 * HandsDataset man, one seller sends it as a chat photo and another through the Mini App, as a
 * hand-held burst of 3 frames. Prints the time from the upload (or the photo) to the verdict
 * message, p50/p95, and the share that passed on the first attempt, side by side.
 * The in-browser side (the page's own frame rate) is not measured here: the page has no models yet.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { openEnrolmentToChallenge } from "../support/dialog-steps";
import { fixture } from "../support/fixtures";
import { startHarness, type Harness } from "../support/harness";
import { percentile } from "./support";

const { values: opt } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(opt.rounds);
const DOC = readFileSync(fixture("handsdataset_5_pic00050.jpg")).toString("base64");
const SELFIES: [string, string][] = [
  ["handsdataset_5_pic00081.jpg", "victory"],
  ["handsdataset_5_pic00068.jpg", "pointing_up"],
  ["handsdataset_5_pic00097.jpg", "four"],
  ["handsdataset_5_pic00087.jpg", "three"],
  ["handsdataset_996_pic00101.jpg", "fist"],
];
const note = (m: string) => process.stderr.write(`[bench:capture] ${m}\n`);

async function burst(photo: Buffer): Promise<string[]> {
  const { width: w = 0, height: h = 0 } = await sharp(photo).metadata();
  const out = [];
  for (let i = 0; i < 3; i++) {
    const cut = 6 + 4 * i;
    out.push((await sharp(photo).extract({ left: cut, top: cut - 2, width: w - 2 * cut, height: h - 2 * cut }).resize(w - 8 * i).jpeg({ quality: 90 }).toBuffer()).toString("base64"));
  }
  return out;
}

let nextUser = 8_100_000;
async function oneSeller(h: Harness, file: string, gesture: string, via: "chat" | "webapp"): Promise<{ ms: number; passed: boolean }> {
  await h.forgetFacesAndPhotos(); // one man for every seller: no duplicate identity, no replay
  const s = h.seller(nextUser++, { first_name: "Bench", language_code: "en" });
  await openEnrolmentToChallenge(h, s, DOC);
  const c = await h.db.verificationCase.findFirstOrThrow({ where: { seller: { telegramUserId: BigInt(s.userId) } }, orderBy: { createdAt: "desc" } });
  await h.db.verificationCase.update({ where: { id: c.id }, data: { gesture } });
  const photo = readFileSync(fixture(file));
  let t0: number;
  if (via === "chat") {
    t0 = performance.now();
    await s.send({ photo: photo.toString("base64") });
  } else {
    const challenge = (await h.client.messages(s.userId)).at(-1)!;
    const res = await fetch(`${h.standIn.url}/sandbox/users/${s.userId}/open-web-app`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message_id: challenge.message_id }) });
    const u = new URL(((await res.json()) as { url: string }).url);
    const body = JSON.stringify({ init_data: new URLSearchParams(u.hash.slice(1)).get("tgWebAppData"), token: u.searchParams.get("t"), frames: await burst(photo) });
    t0 = performance.now();
    const up = await fetch(`${u.origin}/capture/upload`, { method: "POST", headers: { "content-type": "application/json" }, body });
    if (!up.ok) throw new Error(`upload refused: ${up.status} ${await up.text()}`);
  }
  const verdict = await s.expect(/^(✅|❌|🔎)/, 30_000);
  return { ms: performance.now() - t0, passed: verdict.text!.startsWith("✅") };
}

async function main(): Promise<void> {
  const h = await startHarness({ OPEN_ENROLMENT: "true" }, { verify: true });
  try {
    const results: Record<"chat" | "webapp", { ms: number; passed: boolean }[]> = { chat: [], webapp: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [file, gesture] of SELFIES) {
        for (const via of ["chat", "webapp"] as const) {
          const x = await oneSeller(h, file, gesture, via);
          results[via].push(x);
          note(`${via} ${file} ${gesture}: ${x.passed ? "pass" : "not passed"} in ${Math.round(x.ms)} ms`);
        }
      }
    }
    console.log(`\nbench:capture: ${SELFIES.length} genuine selfies x ${ROUNDS} rounds, each way (a new seller each time)\n`);
    console.log("| | to the verdict p50 | p95 | passed on the first attempt |");
    console.log("|---|---|---|---|");
    for (const via of ["chat", "webapp"] as const) {
      const ms = results[via].map((x) => x.ms).sort((a, b) => a - b);
      const passed = results[via].filter((x) => x.passed).length;
      const label = via === "chat" ? "chat photo (send -> verdict message)" : "Mini App burst of 3 (upload -> verdict message)";
      console.log(`| ${label} | ${Math.round(percentile(ms, 50))} ms | ${Math.round(percentile(ms, 95))} ms | ${passed}/${results[via].length} (${((100 * passed) / results[via].length).toFixed(0)}%) |`);
    }
  } finally {
    await h.close();
  }
}

await main();
