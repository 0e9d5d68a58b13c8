import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** Real photos live beside the checkout (../shared/fixtures); FIXTURES_DIR overrides. */
export const FIXTURES_DIR = process.env.FIXTURES_DIR ?? fileURLToPath(new URL("../../../shared/fixtures/images", import.meta.url));

export function fixture(name: string): string {
  const p = join(FIXTURES_DIR, name);
  if (!existsSync(p)) throw new Error(`fixture ${name} not found in ${FIXTURES_DIR} (set FIXTURES_DIR)`);
  return p;
}
