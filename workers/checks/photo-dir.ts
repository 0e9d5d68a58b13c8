import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the calibration tools (eval:fixtures, eval:descriptors, bench:checks) share: their arguments and their photos. */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/**
 * The photos: `--dir`, else FIXTURES_DIR, else the full development set beside the checkout
 * (../shared/fixtures/images), else the repository's copy of the test photos (a small subset).
 */
export function photoDir(argv: string[], env: NodeJS.ProcessEnv): { dir: string; fallback: boolean } {
  const given = arg(argv, "--dir") ?? (env.FIXTURES_DIR || undefined);
  if (given) return { dir: path.resolve(given), fallback: false };
  const full = path.join(REPO, "..", "shared", "fixtures", "images");
  if (existsSync(full)) return { dir: full, fallback: false };
  return { dir: path.join(REPO, "test", "fixtures", "images"), fallback: true };
}
