import sharp from "sharp";
import type { PhotoStore } from "../photos/store";
import type { CaseView } from "./case-view";

/** Each half of the card image; Telegram shows photos up to 1280 px, two tiles side by side stay under it. */
const TILE = 640;
const GAP = 8;

async function tile(photos: PhotoStore, p: { storageKey: string; purged: boolean } | null): Promise<Buffer> {
  if (p && !p.purged) {
    try {
      const bytes = await photos.get(p.storageKey);
      return await sharp(bytes).rotate().resize(TILE, TILE, { fit: "contain", background: "#1f1f1f" }).jpeg({ quality: 85 }).toBuffer();
    } catch {
      // A file the store cannot open is shown as missing; the card must still go out.
    }
  }
  return sharp({ create: { width: TILE, height: TILE, channels: 3, background: "#3a3a3a" } }).jpeg().toBuffer();
}

/**
 * The ID portrait (or the enrolled selfie, on a recheck) and the latest selfie, side by
 * side in one JPEG: one message in the staff group instead of two. Null when the case
 * has neither (manual review before any photo).
 */
export async function composeCardImage(photos: PhotoStore, v: CaseView): Promise<Buffer | null> {
  if (!v.reference && !v.latest) return null;
  const [left, right] = await Promise.all([tile(photos, v.reference), tile(photos, v.latest?.photo ?? null)]);
  return sharp({ create: { width: TILE * 2 + GAP, height: TILE, channels: 3, background: "#ffffff" } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: TILE + GAP, top: 0 },
    ])
    .jpeg({ quality: 82 })
    .toBuffer();
}
