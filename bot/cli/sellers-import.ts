import { readFileSync } from "node:fs";
import { Api } from "grammy";
import { SANDBOX_TOKEN, type Config } from "../../core/config";
import { apiRootOf, configOrExit, runIfEntry } from "../../core/entry";
import { PiiCrypto } from "../../core/crypto";
import { createDb } from "../../core/db/client";
import { setupDatabase } from "../../core/db/setup";
import { importSeller, type ImportRow } from "../../core/verification/sellers";
import { parseCsv } from "./csv";

/**
 * npm run sellers:import -- sellers.csv [--rebind]
 * CSV header: shop_id,shop_name,reserved_phone,risk_flags (risk flags separated by ";").
 * Prints one line per shop: shop_id<TAB>deep link (or "already bound").
 */
const USAGE = "usage: npm run sellers:import -- <sellers.csv> [--rebind]";

export function rowsFromCsv(text: string): { rows: ImportRow[]; errors: string[] } {
  const [header, ...lines] = parseCsv(text);
  const errors: string[] = [];
  if (!header) return { rows: [], errors: ["the file is empty"] };
  const cols = header.map((h) => h.trim().toLowerCase());
  const at = (name: string) => cols.indexOf(name);
  if (at("shop_id") < 0) return { rows: [], errors: [`missing column shop_id (found: ${cols.join(", ")})`] };
  const rows: ImportRow[] = [];
  const seen = new Set<string>();
  lines.forEach((l, i) => {
    const get = (name: string) => (at(name) >= 0 ? (l[at(name)] ?? "").trim() : "");
    const shopId = get("shop_id");
    if (!/^[\w.-]{1,64}$/.test(shopId)) return void errors.push(`line ${i + 2}: shop_id "${shopId}" must be 1-64 of [A-Za-z0-9_.-]`);
    if (seen.has(shopId)) return void errors.push(`line ${i + 2}: shop_id ${shopId} appears twice`);
    seen.add(shopId);
    const riskFlags = get("risk_flags").split(/[;|]/).map((f) => f.trim()).filter(Boolean);
    rows.push({ shopId, shopName: get("shop_name"), reservedPhone: get("reserved_phone"), riskFlags });
  });
  return { rows, errors };
}

async function botUsername(config: Config): Promise<string> {
  if (config.BOT_USERNAME) return config.BOT_USERNAME;
  const apiRoot = apiRootOf(config);
  try {
    const me = await new Api(config.BOT_TOKEN ?? SANDBOX_TOKEN, apiRoot ? { apiRoot } : {}).getMe();
    return me.username;
  } catch {
    throw new Error("could not read the bot's username (is the bot or stand-in running?); set BOT_USERNAME");
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = configOrExit(process.env);
  const { rows, errors } = rowsFromCsv(readFileSync(file, "utf8"));
  if (errors.length) {
    console.error(`${file}: nothing imported:\n${errors.map((e) => `  - ${e}`).join("\n")}`);
    process.exit(1);
  }
  const username = await botUsername(config);
  await setupDatabase(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  const deps = { db, crypto: new PiiCrypto(config.PII_KEY), now: () => new Date() };
  let created = 0;
  try {
    for (const row of rows) {
      const r = await importSeller(deps, row, { tokenTtlDays: config.ENROL_LINK_TTL_DAYS, rebind: args.includes("--rebind") });
      if (r.created) created++;
      console.log(`${r.shopId}\t${r.token ? `https://t.me/${username}?start=${r.token}` : "already bound (use --rebind for a new link)"}`);
    }
  } finally {
    await db.$disconnect();
  }
  console.error(`${rows.length} shops imported (${created} new, ${rows.length - created} updated); each link works once, for ${config.ENROL_LINK_TTL_DAYS} days`);
}

runIfEntry(import.meta.url, main, { brief: true });
