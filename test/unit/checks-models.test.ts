import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { THRESHOLDS } from "../../core/verification/thresholds";
import { createEngine, type Engine } from "../../workers/checks/models";
import { runChecks, type CheckReport } from "../../workers/checks/run-checks";
import { fixture } from "../support/fixtures";

// Real fixture photos through the real models on the wasm backend; models load once per file.
const photo = (f: string) => readFileSync(fixture(f));
let engine: Engine;

beforeAll(async () => {
  engine = await createEngine({ backend: "wasm" });
}, 120_000);

/** Everything but the timings, for comparing two runs. */
const figures = (r: CheckReport) => JSON.stringify({ ...r, timings: undefined, embedding: r.embedding ? Array.from(r.embedding) : null, faces: r.faces.map((f) => ({ ...f, embedding: f.embedding ? Array.from(f.embedding) : null })) });

describe("selfie checks on real photos", () => {
  it.each([
    ["human_person-vlado.jpg", 1],
    ["handsdataset_996_pic00124.jpg", 1],
    ["human_group-2.jpg", 3],
    ["hagrid_gesture_ref_peace.jpg", 0],
  ])("counts the faces on %s", async (file, n) => {
    const r = await runChecks(engine, { selfie: photo(file) });
    expect(r.faces.length).toBe(n);
  });

  it("decides the same person vs a different person for clear pairs", async () => {
    const same = await runChecks(engine, { selfie: photo("handsdataset_996_pic00124.jpg"), reference: photo("handsdataset_5_pic00081.jpg") });
    expect(same.matchScore).toBeGreaterThanOrEqual(THRESHOLDS.match.passScore);
    const other = await runChecks(engine, { selfie: photo("facerec_obama2.jpg"), reference: photo("facerec_biden.jpg") });
    expect(other.matchScore).toBeLessThan(THRESHOLDS.match.failScore);
    const enrolled = await runChecks(engine, { selfie: photo("facerec_obama2.jpg"), referenceEmbedding: same.embedding });
    expect(enrolled.matchScore).toBeLessThan(THRESHOLDS.match.failScore);
  });

  it.each([
    ["handsdataset_996_pic00124.jpg", "victory"],
    ["mediapipe_sample_pointing_up.jpg", "pointing_up"],
    ["hagrid_mp_rock_0cc7ad09.jpg", "rock"],
    ["hagrid_mp_four_06aa70cc.jpg", "four"],
    ["handsdataset_996_pic00101.jpg", "fist"],
    ["handsdataset_5_pic00050.jpg", "fist"],
    ["handsdataset_996_pic00063.jpg", "three"],
  ])("sees the gesture on %s (%s) and not another offered one", async (file, gesture) => {
    const r = await runChecks(engine, { selfie: photo(file), gesture });
    expect(r.gestureOk).toBe(true);
    expect(r.gesturesDetected).toEqual([gesture]);
  });

  it("leaves no tensors behind (a worker runs for days)", async () => {
    const selfie = photo("handsdataset_996_pic00124.jpg");
    await runChecks(engine, { selfie, reference: photo("hagrid_mp_four_06aa70cc.jpg"), gesture: "victory" });
    const before = engine.backend.tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await runChecks(engine, { selfie, reference: photo("hagrid_mp_four_06aa70cc.jpg"), gesture: "victory" });
    expect(engine.backend.tf.memory().numTensors).toBe(before);
  });

  it("reports an unreadable image instead of throwing", async () => {
    const r = await runChecks(engine, { selfie: Buffer.from("not an image") });
    expect(r.unreadable).toBe(true);
  });

  it("gives every photo the same result whatever was processed before it", async () => {
    const files = ["handsdataset_996_pic00124.jpg", "human_group-2.jpg", "hagrid_mp_four_06aa70cc.jpg", "mediapipe_sample_pointing_up.jpg", "tfjs_hands.jpg", "facerec_obama_and_biden.jpg"];
    const run = async (order: string[]) => {
      const out = new Map<string, string>();
      for (const f of order) out.set(f, figures(await runChecks(engine, { selfie: photo(f), reference: photo("handsdataset_5_pic00081.jpg"), gesture: "victory" })));
      return out;
    };
    const forward = await run(files);
    const backward = await run([...files].reverse());
    for (const f of files) expect(backward.get(f), f).toBe(forward.get(f));
  });
});
