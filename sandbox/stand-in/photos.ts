import sharp, { type OutputInfo } from "sharp";

/**
 * Photos the way Telegram stores them: re-encoded JPEG (metadata such as EXIF/GPS
 * dropped), several sizes, the largest at most 1280 px on the long side.
 */
export interface PhotoVariant {
  width: number;
  height: number;
  data: Buffer;
}

export class ImageDecodeError extends Error {}

/** Long-side sizes Telegram produces (s, m, x, y); the original is never upscaled. */
const TARGETS = [90, 320, 800] as const;
const MAX_SIDE = 1280;

export async function toTelegramPhotoSizes(input: Buffer): Promise<{ sizes: PhotoVariant[]; original: { width: number; height: number } }> {
  let base: { data: Buffer; info: OutputInfo };
  let original: { width: number; height: number };
  try {
    const meta = await sharp(input, { failOn: "error" }).metadata();
    if (!meta.width || !meta.height) throw new ImageDecodeError("image has no dimensions");
    original = { width: meta.width, height: meta.height };
    // Decode once (with JPEG shrink-on-load) to at most 1280 px; the smaller sizes come from these pixels.
    base = await sharp(input, { failOn: "error" })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError(err instanceof Error ? err.message : String(err));
  }
  const { width, height, channels } = base.info;
  const long = Math.max(width, height);
  const targets: number[] = [...TARGETS.filter((t) => t < long), long];
  const raw = { width, height, channels: channels as 1 | 2 | 3 | 4 };
  const sizes = await Promise.all(
    targets.map(async (t) => {
      let pipeline = sharp(base.data, { raw });
      if (t !== long) pipeline = pipeline.resize({ width: t, height: t, fit: "inside" });
      const out = await pipeline.jpeg({ quality: 87 }).toBuffer({ resolveWithObject: true });
      return { width: out.info.width, height: out.info.height, data: out.data };
    }),
  );
  return { sizes, original };
}

/** Telegram rejects photos whose sides sum above 10000 px or whose ratio exceeds 20. */
export function photoDimensionsValid(width: number, height: number): boolean {
  return width + height <= 10_000 && Math.max(width, height) / Math.min(width, height) <= 20;
}

/** A small WebP for `{"sticker": true}` messages, so the sticker file is downloadable. */
export async function makeStickerWebp(): Promise<Buffer> {
  return sharp({ create: { width: 512, height: 512, channels: 4, background: { r: 255, g: 196, b: 0, alpha: 1 } } })
    .webp({ quality: 50 })
    .toBuffer();
}
