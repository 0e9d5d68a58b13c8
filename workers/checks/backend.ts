import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type * as TfCore from "@tensorflow/tfjs-core";
import type { Human as HumanClass, Config as HumanConfig } from "@vladmandic/human";

export type BackendName = "node" | "wasm" | "cpu";
export type BackendChoice = "auto" | BackendName;
export const BACKEND_CHOICES: readonly BackendChoice[] = ["auto", "node", "wasm", "cpu"];

export type Tf = typeof TfCore;
export type HumanCtor = new (config?: Partial<HumanConfig>) => HumanClass;

export interface Backend {
  /** The backend that actually runs (auto resolves to node or wasm). */
  name: BackendName;
  /** Human's tfjs backend name for its config. */
  humanBackend: "tensorflow" | "wasm" | "cpu";
  tf: Tf;
  Human: HumanCtor;
}

const require = createRequire(import.meta.url);

/**
 * tfjs-node ships a native libtensorflow that cannot be installed offline; it
 * is optional. `auto` takes it when it loads, else the wasm backend (the .wasm
 * binaries ship inside @tensorflow/tfjs-backend-wasm). `cpu` is ~25x slower
 * and only useful to rule out a wasm fault.
 */
export async function selectBackend(choice: BackendChoice): Promise<Backend> {
  if (choice === "node" || choice === "auto") {
    try {
      const mod = require(path.join(humanPackageDir(), "dist", "human.node.js")) as { Human: HumanCtor };
      // tfjs-node brings its own file:// handler; a second router would make the URL ambiguous.
      const tf = require("@tensorflow/tfjs-node") as Tf;
      return { name: "node", humanBackend: "tensorflow", tf, Human: mod.Human };
    } catch (err) {
      if (choice === "node") throw new Error(`TF_BACKEND=node but @tensorflow/tfjs-node does not load: ${(err as Error).message}`, { cause: err });
    }
  }
  // The package's exports map has no "./dist/human.node-wasm.js" entry, so it is loaded by absolute path.
  const mod = require(path.join(humanPackageDir(), "dist", "human.node-wasm.js")) as { Human: HumanCtor };
  const tf = require("@tensorflow/tfjs-core") as Tf;
  require("@tensorflow/tfjs-converter");
  const wasm = require("@tensorflow/tfjs-backend-wasm") as { setWasmPaths: (p: string) => void };
  wasm.setWasmPaths(wasmDir());
  if (choice === "cpu") require("@tensorflow/tfjs-backend-cpu");
  registerFileRouter(tf);
  const name: BackendName = choice === "cpu" ? "cpu" : "wasm";
  await tf.setBackend(name);
  await tf.ready();
  return { name, humanBackend: name, tf, Human: mod.Human };
}

/** The package root of @vladmandic/human (its exports map hides package.json, so go via the main entry). */
export function humanPackageDir(): string {
  return path.resolve(path.dirname(require.resolve("@vladmandic/human")), "..");
}

export function wasmDir(): string {
  return path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + path.sep;
}

const routed = new WeakSet<object>();

/** Without tfjs-node nothing loads `file://` model URLs: read model.json and its weight shards from disk. */
function registerFileRouter(tf: Tf): void {
  if (routed.has(tf.io)) return;
  routed.add(tf.io);
  const router = (url: string | string[]): TfCore.io.IOHandler | null => {
    if (typeof url !== "string" || !url.startsWith("file://")) return null;
    const file = fileURLToPath(url);
    return {
      load: async () => {
        const json = JSON.parse(await readFile(file, "utf8")) as TfCore.io.ModelJSON;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs: TfCore.io.WeightsManifestEntry[] = [];
          const buffers: Buffer[] = [];
          for (const group of manifest) {
            specs.push(...group.weights);
            for (const p of group.paths) buffers.push(await readFile(path.join(path.dirname(file), p)));
          }
          const all = Buffer.concat(buffers);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        });
      },
    };
  };
  tf.io.registerLoadRouter(router as Parameters<Tf["io"]["registerLoadRouter"]>[0]);
}
