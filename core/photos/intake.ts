import { createHash } from "node:crypto";
import sharp from "sharp";
import type { Metadata, OutputInfo } from "sharp";
import { UserError } from "../errors";
import { sniffType } from "./sniff";
import type { SniffedType } from "./sniff";

export interface IntakeLimits {
  maxBytes: number;
  /** Shorter side after EXIF rotation. */
  minSide: number;
  /** Width × height of the source; above this it is not decoded at all. */
  maxPixels: number;
  /** Long side of the stored JPEG; default 2048. */
  maxOutputSide?: number;
}

export interface IntakeResult {
  jpeg: Buffer;
  width: number;
  height: number;
  /** Hex SHA-256 of `jpeg` (the stored bytes, not the upload). */
  sha256: string;
  sourceType: SniffedType;
}

const DEFAULT_MAX_OUTPUT_SIDE = 2048;

const NOT_AN_IMAGE: Partial<Record<SniffedType, string>> = { pdf: "PDF", zip: "ZIP", unknown: "unknown" };

/**
 * Turns an upload into the one form the rest of the system handles: an upright,
 * metadata-free sRGB JPEG of bounded size. Every rejection is a UserError whose
 * key lives in locales/<lang>/photo.ftl.
 */
export async function intakePhoto(bytes: Buffer, limits: IntakeLimits): Promise<IntakeResult> {
  const maxOutputSide = limits.maxOutputSide ?? DEFAULT_MAX_OUTPUT_SIDE;

  if (bytes.length > limits.maxBytes) {
    throw new UserError("photo-error-too-large", { maxMb: Math.floor((limits.maxBytes / 2 ** 20) * 10) / 10 });
  }

  const sourceType = sniffType(bytes);
  const kind = NOT_AN_IMAGE[sourceType];
  if (kind) throw new UserError("photo-error-not-an-image", { kind });
  if (sourceType === "gif") throw new UserError("photo-error-animated");
  // TIFF and BMP are images, just not ones a phone camera produces: ask for a JPEG.
  if (sourceType === "tiff" || sourceType === "bmp") throw new UserError("photo-error-unsupported-format");
  const heifFamily = sourceType === "heic" || sourceType === "avif";

  // Header only: no pixels are decoded here, so a decompression bomb costs nothing.
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false, failOn: "error" }).metadata();
  } catch {
    throw unreadable(heifFamily);
  }
  const { width: srcW, height: srcH } = meta;
  if (!srcW || !srcH) throw unreadable(heifFamily);
  if (srcW * srcH > limits.maxPixels) {
    throw new UserError("photo-error-too-many-pixels", { maxMp: Math.floor(limits.maxPixels / 1e6) });
  }
  if ((meta.pages ?? 1) > 1) throw new UserError("photo-error-animated");

  // EXIF orientations 5-8 are rotated by 90°, so the displayed picture is transposed.
  const [w, h] = (meta.orientation ?? 1) >= 5 ? [srcH, srcW] : [srcW, srcH];
  if (Math.min(w, h) < limits.minSide) {
    // Strings, not numbers: Fluent would print 4000 as "4,000".
    throw new UserError("photo-error-too-small", { minSide: limits.minSide, width: String(w), height: String(h) });
  }

  // Telegram photos are already metadata-free baseline JPEGs: re-encoding them would
  // cost ~15-25 ms of CPU and some quality for nothing (see isCleanJpeg).
  if (sourceType === "jpeg" && (meta.orientation ?? 1) === 1 && Math.max(srcW, srcH) <= maxOutputSide && meta.space === "srgb" && isCleanJpeg(bytes)) {
    return { jpeg: bytes, width: srcW, height: srcH, sha256: createHash("sha256").update(bytes).digest("hex"), sourceType };
  }

  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await sharp(bytes, { limitInputPixels: limits.maxPixels, sequentialRead: true, failOn: "error" })
      .rotate()
      .resize({ width: maxOutputSide, height: maxOutputSide, fit: "inside", withoutEnlargement: true })
      // Transparent areas of PNG/WebP would turn black in a JPEG.
      .flatten({ background: "#ffffff" })
      // No withMetadata(): EXIF (GPS, device), XMP and ICC are dropped; sharp converts to sRGB.
      .jpeg({ quality: 90, mozjpeg: false })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    if (err instanceof Error && /pixel limit/i.test(err.message)) {
      throw new UserError("photo-error-too-many-pixels", { maxMp: Math.floor(limits.maxPixels / 1e6) });
    }
    throw unreadable(heifFamily);
  }

  return {
    jpeg: out.data,
    width: out.info.width,
    height: out.info.height,
    sha256: createHash("sha256").update(out.data).digest("hex"),
    sourceType,
  };
}

// The prebuilt sharp decodes AVIF but has no HEVC decoder, so iPhone HEIC photos
// fail here; whatever the cause, a JPEG is what the user can send instead.
function unreadable(heifFamily: boolean): UserError {
  return new UserError(heifFamily ? "photo-error-unsupported-format" : "photo-error-unreadable");
}

/** Segments a stripped JPEG may carry before its scan: JFIF header, tables, frame, restart interval. */
const CLEAN_MARKERS = new Set([0xe0, 0xdb, 0xc4, 0xc0, 0xc1, 0xc2, 0xdd]);

/**
 * True when the JPEG has nothing to strip: no EXIF/XMP/ICC/IPTC (APP1-APP15), no
 * comments, only known segments before the scan, and it ends with EOI (not truncated).
 * Walks the segment headers only; the pixels are not decoded.
 */
export function isCleanJpeg(b: Buffer): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  let end = b.length;
  while (end > 2 && b[end - 1] === 0) end--; // some encoders pad after EOI
  if (b[end - 2] !== 0xff || b[end - 1] !== 0xd9) return false;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return false;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) return true; // start of scan: every header segment was acceptable
    if (!CLEAN_MARKERS.has(marker)) return false;
    if (marker === 0xe0 && b.toString("latin1", i + 4, i + 9) !== "JFIF\0") return false;
    i += 2 + b.readUInt16BE(i + 2);
  }
  return false;
}
