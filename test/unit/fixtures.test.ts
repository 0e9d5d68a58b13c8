import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_FIXTURES_DIR } from "../support/fixtures";

/**
 * The photos the tests, the sandbox examples and the benches use live in the repository
 * (test/fixtures/images), so that `npm test` runs in a clone with nothing beside it. They are
 * copies from the development set, which stays outside (../shared/fixtures/images).
 */

interface Label {
  file: string;
  source_repo: string;
  source_path: string;
  source_commit: string;
  license_note: string;
}

const TEST_DIR = path.resolve(import.meta.dirname, "..");
const SHARED_DIR = path.resolve(TEST_DIR, "..", "..", "shared", "fixtures", "images");
const hasShared = existsSync(path.join(SHARED_DIR, "labels.json"));

const labels = JSON.parse(readFileSync(path.join(REPO_FIXTURES_DIR, "labels.json"), "utf8")) as Label[];
const byFile = new Map(labels.map((l) => [l.file, l]));
const photosHere = readdirSync(REPO_FIXTURES_DIR).filter((f) => /\.(jpe?g|png)$/i.test(f));
const sharedLabels = hasShared ? (JSON.parse(readFileSync(path.join(SHARED_DIR, "labels.json"), "utf8")) as Label[]) : [];

/** Test code: every .ts/.mjs file under test/ except the fixtures and this file. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return p === path.join(TEST_DIR, "fixtures") ? [] : sources(p);
    return /\.(ts|mjs)$/.test(f) && p !== import.meta.filename ? [p] : [];
  });
}

// The development set names its photos after their source (handsdataset_5_pic00050.jpg, facerec_obama.jpg, ...);
// other quoted image names in tests (id.jpg, p.jpg) are file names of generated uploads.
const FIXTURE_NAME = /^(?:faceapi|facerec|hagrid|handsdataset|human|mediapipe|sfas|tfjs)_[\w.-]+\.(?:jpe?g|png)$/;
const sharedNames = new Set(sharedLabels.map((l) => l.file));
const named = new Map<string, string[]>();
for (const file of sources(TEST_DIR)) {
  for (const m of readFileSync(file, "utf8").matchAll(/["'`]([\w.-]+\.(?:jpe?g|png))["'`]/g)) {
    const name = m[1]!;
    if (!FIXTURE_NAME.test(name) && !sharedNames.has(name)) continue;
    named.set(name, [...(named.get(name) ?? []), path.relative(TEST_DIR, file)]);
  }
}

describe("test photos in the repository", () => {
  it("finds the photos the tests name (sanity check of the scan)", () => {
    expect(named.size).toBeGreaterThanOrEqual(20);
    expect(named.get("facerec_obama.jpg")).toContain(path.join("support", "dialog-steps.ts"));
  });

  it("holds every photo a test, sandbox example or bench names", () => {
    const missing = [...named].filter(([name]) => !existsSync(path.join(REPO_FIXTURES_DIR, name))).map(([name, files]) => `${name} (${[...new Set(files)].join(", ")})`);
    expect(missing, `missing from ${REPO_FIXTURES_DIR}`).toEqual([]);
  });

  it("lists every photo in labels.json with its source and licence note, and nothing else", () => {
    expect([...byFile.keys()].sort()).toEqual([...photosHere].sort());
    expect(byFile.size, "one entry per file").toBe(labels.length);
    for (const l of labels) {
      expect(l.source_repo, l.file).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(l.source_path, l.file).not.toBe("");
      expect(l.source_commit, l.file).toMatch(/^[0-9a-f]{40}$/);
      expect(l.license_note.trim().length, `${l.file}: licence note`).toBeGreaterThan(0);
    }
  });

  it("keeps no photo that nothing names", () => {
    expect(photosHere.filter((f) => !named.has(f))).toEqual([]);
  });

  it("names every photo, its source and licence in the README", () => {
    const readme = readFileSync(path.join(REPO_FIXTURES_DIR, "README.md"), "utf8");
    for (const l of labels) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${l.file}\` |`));
      expect(row, `${l.file} in README.md`).toBeDefined();
      expect(row).toContain(l.source_repo);
      expect(row).toContain(l.source_commit);
      expect(row).toContain(l.license_note.replace(/\|/g, "\\|"));
    }
  });

  it.skipIf(!hasShared)("is byte-identical to the development set, labels included (../shared/fixtures/images)", () => {
    const shared = new Map(sharedLabels.map((l) => [l.file, l]));
    for (const f of photosHere) {
      expect(existsSync(path.join(SHARED_DIR, f)), `${f} in ${SHARED_DIR}`).toBe(true);
      expect(readFileSync(path.join(REPO_FIXTURES_DIR, f)).equals(readFileSync(path.join(SHARED_DIR, f))), `${f} differs from ${SHARED_DIR}`).toBe(true);
      expect(byFile.get(f), f).toEqual(shared.get(f));
    }
  });
});
