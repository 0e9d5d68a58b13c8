import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import sharp from "sharp";
import type { Sharp } from "sharp";
import { describe, expect, it } from "vitest";
import { UserError } from "../../core/errors";
import { intakePhoto } from "../../core/photos/intake";
import type { IntakeLimits } from "../../core/photos/intake";
import { sniffType } from "../../core/photos/sniff";
import { isCleanJpeg } from "../../core/photos/intake";
import { fixture } from "../support/fixtures";

const ROOT = path.resolve(import.meta.dirname, "../..");
const LOCALES = ["en", "zh-Hans", "zh-Hant"] as const;
const LIMITS: IntakeLimits = { maxBytes: 20 * 2 ** 20, minSide: 480, maxPixels: 50_000_000 };
const OBAMA = readFileSync(fixture("facerec_obama.jpg")); // 910x1137, EXIF + ICC

function solid(width: number, height: number): Sharp {
  return sharp({ create: { width, height, channels: 3, background: { r: 40, g: 90, b: 160 } } });
}

/** Keys and variables of a .ftl file: `key =` lines and every `$var` in the message body. */
function parseFtl(source: string): Map<string, string[]> {
  const messages = new Map<string, string[]>();
  let current: string | undefined;
  for (const line of source.split("\n")) {
    const head = /^([a-zA-Z][\w-]*)\s*=/.exec(line);
    if (head) {
      current = head[1]!;
      messages.set(current, []);
    } else if (!/^\s/.test(line)) {
      current = undefined;
    }
    if (current) for (const m of line.matchAll(/\$([a-zA-Z][\w-]*)/g)) messages.get(current)!.push(m[1]!);
  }
  return new Map([...messages].map(([k, vars]) => [k, [...new Set(vars)].sort()]));
}

const ftl = Object.fromEntries(
  LOCALES.map((l) => [l, readFileSync(path.join(ROOT, "locales", l, "photo.ftl"), "utf8")]),
) as Record<(typeof LOCALES)[number], string>;
const ftlVars = parseFtl(ftl.en);

/** Rejects with `key`, the args match `args`, and the args are exactly the message's variables. */
async function expectUserError(p: Promise<unknown>, key: string, args: Record<string, unknown> = {}): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const ue = err as UserError;
  expect(ue.key).toBe(key);
  expect(ue.args).toMatchObject(args);
  expect(Object.keys(ue.args).sort()).toEqual(ftlVars.get(key));
  return ue;
}

// A minimal HEIC as an iPhone writes it (ftyp heic, one hvc1 item); the HEVC payload is placeholder bytes.
function fakeHeic(width: number, height: number): Buffer {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const u16 = (n: number) => Buffer.from([n >>> 8, n & 255]);
  const box = (type: string, ...parts: Buffer[]) => {
    const body = Buffer.concat(parts);
    return Buffer.concat([u32(8 + body.length), Buffer.from(type, "latin1"), body]);
  };
  const full = (type: string, version: number, ...parts: Buffer[]) => box(type, Buffer.from([version, 0, 0, 0]), ...parts);
  const hvcC = box("hvcC", Buffer.from([1, 1, 0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 90, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0, 0x0f, 0]));
  const iprp = box(
    "iprp",
    box("ipco", hvcC, full("ispe", 0, u32(width), u32(height))),
    full("ipma", 0, u32(1), u16(1), Buffer.from([2, 0x81, 0x02])),
  );
  const hdlr = full("hdlr", 0, u32(0), Buffer.from("pict"), Buffer.alloc(13));
  const pitm = full("pitm", 0, u16(1));
  const iinf = full("iinf", 0, u16(1), full("infe", 2, u16(1), u16(0), Buffer.from("hvc1"), Buffer.from([0])));
  const payload = Buffer.from([0, 0, 0, 4, 0x26, 0x01, 0xaf, 0x00]);
  const iloc = (offset: number) =>
    full("iloc", 0, Buffer.from([0x44, 0x40]), u16(1), u16(1), u16(0), u32(0), u16(1), u32(offset), u32(payload.length));
  const ftyp = box("ftyp", Buffer.from("heic"), u32(0), Buffer.from("mif1heic"));
  const meta = (offset: number) => full("meta", 0, hdlr, pitm, iloc(offset), iinf, iprp);
  const offset = ftyp.length + meta(0).length + 8;
  return Buffer.concat([ftyp, meta(offset), box("mdat", payload)]);
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
const ZIP = Buffer.concat([Buffer.from("PK\x03\x04", "latin1"), Buffer.alloc(26), Buffer.from("id.jpg")]);
const BMP = (() => {
  const b = Buffer.alloc(54 + 4);
  b.write("BM", 0, "latin1");
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(1, 18);
  b.writeInt32LE(1, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
})();

describe("sniffType", () => {
  it("recognises images from their bytes", async () => {
    const base = solid(8, 8);
    expect(sniffType(await base.clone().jpeg().toBuffer())).toBe("jpeg");
    expect(sniffType(await base.clone().png().toBuffer())).toBe("png");
    expect(sniffType(await base.clone().webp().toBuffer())).toBe("webp");
    expect(sniffType(await base.clone().gif().toBuffer())).toBe("gif");
    expect(sniffType(await base.clone().avif().toBuffer())).toBe("avif");
    expect(sniffType(await base.clone().tiff().toBuffer())).toBe("tiff");
    expect(sniffType(fakeHeic(64, 64))).toBe("heic");
    expect(sniffType(BMP)).toBe("bmp");
  });

  it("recognises documents and rejects the rest", () => {
    expect(sniffType(PDF)).toBe("pdf");
    expect(sniffType(Buffer.concat([Buffer.from("junk before header\n"), PDF]))).toBe("pdf");
    expect(sniffType(ZIP)).toBe("zip");
    expect(sniffType(Buffer.from("hello, here is my passport"))).toBe("unknown");
    expect(sniffType(new Uint8Array(0))).toBe("unknown");
    expect(sniffType(Buffer.from([0xff, 0xd8]))).toBe("unknown");
    // An MP4 is ISO-BMFF too, but not HEIF.
    expect(sniffType(Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypisom\0\0\x02\0isomiso2", "latin1")]))).toBe(
      "unknown",
    );
  });

  it("reads HEIF brands: generic mif1 with avif or heic compatibility", () => {
    const ftyp = (major: string, ...compat: string[]) => {
      const body = Buffer.from(major + "\0\0\0\0" + compat.join(""), "latin1");
      const size = Buffer.alloc(4);
      size.writeUInt32BE(8 + body.length);
      return Buffer.concat([size, Buffer.from("ftyp"), body, Buffer.alloc(16)]);
    };
    expect(sniffType(ftyp("mif1", "mif1", "avif"))).toBe("avif");
    expect(sniffType(ftyp("mif1", "mif1", "heic"))).toBe("heic");
    expect(sniffType(ftyp("heix", "mif1"))).toBe("heic");
    expect(sniffType(ftyp("avis", "msf1"))).toBe("avif");
  });
});

describe("intakePhoto: rejections", () => {
  it("rejects files over maxBytes before looking at them", async () => {
    const jpeg = await solid(800, 600).jpeg().toBuffer();
    await expectUserError(intakePhoto(jpeg, { ...LIMITS, maxBytes: jpeg.length - 1 }), "photo-error-too-large");
    await expectUserError(intakePhoto(Buffer.alloc(11 * 2 ** 20), { ...LIMITS, maxBytes: 10 * 2 ** 20 }), "photo-error-too-large", {
      maxMb: 10,
    });
  });

  it("rejects documents and unknown data as not an image, naming the kind", async () => {
    await expectUserError(intakePhoto(PDF, LIMITS), "photo-error-not-an-image", { kind: "PDF" });
    await expectUserError(intakePhoto(ZIP, LIMITS), "photo-error-not-an-image", { kind: "ZIP" });
    await expectUserError(intakePhoto(Buffer.from("just some text"), LIMITS), "photo-error-not-an-image", { kind: "unknown" });
  });

  it("rejects GIFs and animated WebP as animations", async () => {
    await expectUserError(intakePhoto(await solid(800, 600).gif().toBuffer(), LIMITS), "photo-error-animated");
    const frame = (r: number) => sharp({ create: { width: 600, height: 600, channels: 3, background: { r, g: 0, b: 0 } } }).png().toBuffer();
    const anim = await sharp([await frame(0), await frame(255)], { join: { animated: true } }).webp().toBuffer();
    await expectUserError(intakePhoto(anim, LIMITS), "photo-error-animated");
  });

  it("asks for a JPEG when a HEIC cannot be decoded (prebuilt sharp has no HEVC decoder)", async () => {
    const heic = fakeHeic(4032, 3024);
    const meta = await sharp(heic).metadata();
    expect([meta.format, meta.compression, meta.width]).toEqual(["heif", "hevc", 4032]);
    await expectUserError(intakePhoto(heic, LIMITS), "photo-error-unsupported-format");
  });

  it("asks for a JPEG for BMP and TIFF", async () => {
    await expectUserError(intakePhoto(BMP, LIMITS), "photo-error-unsupported-format");
    await expectUserError(intakePhoto(await solid(800, 600).tiff().toBuffer(), LIMITS), "photo-error-unsupported-format");
  });

  it("rejects a 60-megapixel PNG from its header, quickly", async () => {
    const bomb = await solid(10_000, 6_000).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(1_000_000);
    const t0 = performance.now();
    await expectUserError(intakePhoto(bomb, LIMITS), "photo-error-too-many-pixels", { maxMp: 50 });
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it("rejects a photo whose shorter side is below minSide, with its displayed size", async () => {
    await expectUserError(intakePhoto(await solid(300, 300).jpeg().toBuffer(), LIMITS), "photo-error-too-small", {
      minSide: 480,
      width: "300",
      height: "300",
    });
    // Orientation 6 shows this 1000x300 picture as 300x1000.
    const rotated = await solid(1000, 300).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    await expectUserError(intakePhoto(rotated, LIMITS), "photo-error-too-small", { width: "300", height: "1000" });
  });

  it("rejects a truncated JPEG as unreadable", async () => {
    const half = OBAMA.subarray(0, OBAMA.length >> 1);
    expect(sniffType(half)).toBe("jpeg");
    await expectUserError(intakePhoto(half, LIMITS), "photo-error-unreadable");
  });

  it("rejects a PNG with a broken header as unreadable", async () => {
    const png = await solid(800, 600).png().toBuffer();
    await expectUserError(intakePhoto(png.subarray(0, 40), LIMITS), "photo-error-unreadable");
  });
});

describe("intakePhoto: output", () => {
  it("turns a real photo into a metadata-free JPEG with its sha256", async () => {
    const before = await sharp(OBAMA).metadata();
    expect(before.exif).toBeDefined();
    expect(before.icc).toBeDefined();
    const r = await intakePhoto(OBAMA, LIMITS);
    expect(r.sourceType).toBe("jpeg");
    expect([r.width, r.height]).toEqual([910, 1137]);
    expect(sniffType(r.jpeg)).toBe("jpeg");
    const { createHash } = await import("node:crypto");
    expect(r.sha256).toBe(createHash("sha256").update(r.jpeg).digest("hex"));
    const after = await sharp(r.jpeg).metadata();
    expect([after.width, after.height, after.format]).toEqual([910, 1137, "jpeg"]);
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
  });

  it("drops EXIF (camera, GPS) and ICC, applying the EXIF orientation", async () => {
    const input = await solid(800, 600)
      .withExif({ IFD0: { Make: "ShirenTestCam" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "51/1 30/1 0/1" } })
      .withIccProfile("p3")
      .jpeg()
      .toBuffer();
    const oriented = await sharp(input).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const inMeta = await sharp(oriented).metadata();
    expect([inMeta.width, inMeta.height, inMeta.orientation]).toEqual([800, 600, 6]);
    expect(oriented.includes("ShirenTestCam")).toBe(true);

    const r = await intakePhoto(oriented, LIMITS);
    expect([r.width, r.height]).toEqual([600, 800]);
    const out = await sharp(r.jpeg).metadata();
    expect([out.width, out.height]).toEqual([600, 800]);
    expect(out.orientation ?? 1).toBe(1);
    expect(out.exif).toBeUndefined();
    expect(out.icc).toBeUndefined();
    expect(out.xmp).toBeUndefined();
    expect(r.jpeg.includes("ShirenTestCam")).toBe(false);
  });

  it("flattens transparency onto white", async () => {
    const png = await sharp({ create: { width: 800, height: 600, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: await solid(200, 200).png().toBuffer(), left: 300, top: 200 }])
      .png()
      .toBuffer();
    const r = await intakePhoto(png, LIMITS);
    expect(r.sourceType).toBe("png");
    const { data, info } = await sharp(r.jpeg).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(3);
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    for (const v of px(10, 10)) expect(v).toBeGreaterThan(250);
    const centre = px(400, 300);
    expect(Math.abs(centre[0]! - 40) + Math.abs(centre[1]! - 90) + Math.abs(centre[2]! - 160)).toBeLessThan(15);
  });

  it("scales the long side down to maxOutputSide and never up", async () => {
    const big = await intakePhoto(await solid(3000, 2000).jpeg().toBuffer(), LIMITS);
    expect([big.width, big.height]).toEqual([2048, 1365]);
    const custom = await intakePhoto(await solid(2000, 3000).webp().toBuffer(), { ...LIMITS, maxOutputSide: 1024 });
    expect([custom.width, custom.height, custom.sourceType]).toEqual([683, 1024, "webp"]);
    const small = await intakePhoto(await solid(800, 600).png().toBuffer(), LIMITS);
    expect([small.width, small.height]).toEqual([800, 600]);
  });

  it("accepts AVIF", async () => {
    const r = await intakePhoto(await solid(800, 600).avif().toBuffer(), LIMITS);
    expect([r.sourceType, r.width, r.height]).toEqual(["avif", 800, 600]);
    expect(sniffType(r.jpeg)).toBe("jpeg");
  });
});

describe("intakePhoto: already clean JPEGs (Telegram photos)", () => {
  it("stores a metadata-free JPEG byte for byte, without re-encoding", async () => {
    const clean = await sharp(OBAMA).jpeg({ quality: 85 }).toBuffer();
    expect(isCleanJpeg(clean)).toBe(true);
    const r = await intakePhoto(clean, LIMITS);
    expect(r.jpeg.equals(clean)).toBe(true);
    expect([r.width, r.height]).toEqual([910, 1137]);
  });

  it("re-encodes when anything could be stripped or the file is damaged", async () => {
    expect(isCleanJpeg(OBAMA)).toBe(false); // EXIF + ICC
    const r = await intakePhoto(OBAMA, LIMITS);
    expect(r.jpeg.equals(OBAMA)).toBe(false);
    expect((await sharp(r.jpeg).metadata()).exif).toBeUndefined();
    const clean = await sharp(OBAMA).jpeg().toBuffer();
    const withComment = Buffer.concat([clean.subarray(0, 2), Buffer.from([0xff, 0xfe, 0x00, 0x07]), Buffer.from("gps:1"), clean.subarray(2)]);
    expect(isCleanJpeg(withComment)).toBe(false);
    expect(isCleanJpeg(clean.subarray(0, clean.length - 100))).toBe(false);
  });
});

describe("photo.ftl", () => {
  const parsed = Object.fromEntries(LOCALES.map((l) => [l, parseFtl(ftl[l])]));

  it("has the same keys with the same variables in every locale", () => {
    expect([...ftlVars.keys()].length).toBeGreaterThanOrEqual(9);
    for (const l of LOCALES) expect(Object.fromEntries(parsed[l]!)).toEqual(Object.fromEntries(ftlVars));
  });

  it("has every photo- key the code uses", () => {
    const dir = path.join(ROOT, "core/photos");
    const used = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
      for (const m of readFileSync(path.join(dir, f), "utf8").matchAll(/"(photo-[a-z0-9-]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThanOrEqual(7);
    for (const key of used) expect(ftlVars.has(key), key).toBe(true);
    for (const key of ["photo-error-sticker", "photo-error-expected-photo"]) expect(ftlVars.has(key)).toBe(true);
  });

  it("parses and formats without errors in every locale", () => {
    const args = { maxMb: 20, kind: "PDF", maxMp: 50, minSide: 480, width: "300", height: "300" };
    for (const l of LOCALES) {
      const bundle = new FluentBundle(l, { useIsolating: false });
      expect(bundle.addResource(new FluentResource(ftl[l]))).toEqual([]);
      for (const key of ftlVars.keys()) {
        const errors: Error[] = [];
        const text = bundle.formatPattern(bundle.getMessage(key)!.value!, args, errors);
        expect(errors, `${l} ${key}`).toEqual([]);
        expect(text).not.toMatch(/[{}$]/);
      }
    }
    const en = new FluentBundle("en", { useIsolating: false });
    en.addResource(new FluentResource(ftl.en));
    const fmt = (kind: string) => en.formatPattern(en.getMessage("photo-error-not-an-image")!.value!, { kind });
    expect(fmt("PDF")).toBe("This is a PDF file, not a photo. Please send a photo taken with your phone camera.");
    expect(fmt("unknown")).toBe("This file is not a photo. Please send a photo taken with your phone camera.");
  });
});
