// Batch check of ID numbers: stdin lines "region<TAB>number", one JSON line per input line on
// stdout: {"valid":bool,"normalized":"...","reason":"ok"|<IdReason>|"unknown-region"|"bad-input"}.
// Usage: npm run --silent validate-id < ids.tsv
import { once } from "node:events";
import { createInterface } from "node:readline";
import { validateIdNumber } from "./id-number";
import type { IdReason } from "./id-number";
import { normalizeIdNumber } from "./normalize";
import { isIdRegion } from "./regions";

type CliReason = "ok" | IdReason | "unknown-region" | "bad-input";
type CliResult = { valid: boolean; normalized: string; reason: CliReason };

function checkLine(line: string, today: Date = new Date()): CliResult {
  const tab = line.indexOf("\t");
  if (tab < 0) return { valid: false, normalized: "", reason: "bad-input" };
  const region = line.slice(0, tab).trim().toLowerCase();
  const number = line.slice(tab + 1);
  if (!isIdRegion(region)) return { valid: false, normalized: normalizeIdNumber(number), reason: "unknown-region" };
  const { valid, normalized, reason } = validateIdNumber(region, number, today);
  return { valid, normalized, reason };
}

async function main(): Promise<void> {
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const today = new Date();
  // Writes are batched: one write per line costs more than the validation itself.
  let batch = "";
  const flush = async (): Promise<void> => {
    if (batch === "") return;
    const ok = process.stdout.write(batch);
    batch = "";
    if (!ok) await once(process.stdout, "drain");
  };
  for await (const rawLine of input) {
    const line = rawLine.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const { valid, normalized, reason } = checkLine(line, today);
    batch += JSON.stringify({ valid, normalized, reason }) + "\n";
    if (batch.length >= 64 * 1024) await flush();
  }
  await flush();
}

main().catch((error: unknown) => {
  process.stderr.write(`validate-id: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
