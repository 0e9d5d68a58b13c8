import { configOrExit, runIfEntry } from "../../core/entry";
import { PiiCrypto } from "../../core/crypto";
import { createDb } from "../../core/db/client";
import { setupDatabase } from "../../core/db/setup";
import { EncryptedFsPhotoStore } from "../../core/photos/store";
import { purgeExpired, retentionPlan, type RetentionRun } from "../../core/privacy/retention";

/**
 * npm run --silent purge [-- --dry-run]
 * The retention run the staff process does once a day, on demand: deletes the photos,
 * face templates and identity ciphertext older than RETENTION_DAYS after their case
 * closed. `--dry-run` only counts. Prints one JSON line.
 */
const USAGE = "usage: npm run --silent purge [-- --dry-run]";

function line(r: RetentionRun, dryRun: boolean): string {
  return JSON.stringify({ dryRun, cutoff: r.cutoff.toISOString(), photos: r.photos, identities: r.identities, faceTemplates: r.templates, complete: r.complete });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.some((a) => a !== "--dry-run")) {
    console.error(USAGE);
    process.exit(2);
  }
  const dryRun = args.includes("--dry-run");
  const config = configOrExit(process.env);
  await setupDatabase(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  const deps = { db, config, photos: new EncryptedFsPhotoStore({ dir: config.DATA_DIR, crypto: new PiiCrypto(config.PII_KEY) }), now: () => new Date() };
  try {
    if (dryRun) return console.log(line(await retentionPlan(deps, deps.now()), true));
    // Batches until nothing is due: a run stopped half-way (Ctrl-C) resumes here or at the daily sweep.
    const total: RetentionRun = { cutoff: new Date(0), photos: 0, identities: 0, templates: 0, complete: false };
    while (!total.complete) {
      const r = await purgeExpired(deps);
      Object.assign(total, { cutoff: r.cutoff, photos: total.photos + r.photos, identities: total.identities + r.identities, templates: total.templates + r.templates, complete: r.complete });
    }
    console.log(line(total, false));
  } finally {
    await db.$disconnect();
  }
}

runIfEntry(import.meta.url, main, { brief: true });
