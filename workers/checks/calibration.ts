import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What the calibration tools (eval:fixtures, eval:descriptors, bench:checks) share: arguments, photos, figures. */

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

/** The p-th percentile (nearest rank, 0-100) of `xs`; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** `n` of `d` as "12.34% (n/d)", or "-" when there is nothing to count. */
export const share = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(2)}% (${n}/${d})` : "-");
