import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

/** The photos the tests use, copied into the repository with their labels and licences (test/fixtures/images/README.md). */
export const REPO_FIXTURES_DIR = fileURLToPath(new URL("../fixtures/images", import.meta.url));

/** Where `fixture()` reads photos: the repository copy, or FIXTURES_DIR (e.g. the full development set) when set. */
export const FIXTURES_DIR = process.env.FIXTURES_DIR ? resolve(process.env.FIXTURES_DIR) : REPO_FIXTURES_DIR;

export function fixture(name: string): string {
  const p = join(FIXTURES_DIR, name);
  if (!existsSync(p)) {
    const from = process.env.FIXTURES_DIR ? `FIXTURES_DIR=${process.env.FIXTURES_DIR}` : "the repository copy; FIXTURES_DIR overrides it";
    throw new Error(`fixture photo ${name} not found in ${FIXTURES_DIR} (${from})`);
  }
  return p;
}
