import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import sharp from "sharp";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it). Never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Headless Chromium with a fake camera that shows `cameraFile` (a .y4m the test writes; Chromium
 * opens it when a page starts the camera, so a test may rewrite it between snapshots), or with
 * `null`, a camera whose permission is never granted. The
 * background-networking flags keep it from calling out of this offline machine.
 */
export async function launchChromium(cameraFile: string | null): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  // Without a camera file: a fake camera whose permission prompt nobody accepts (headless refuses it).
  const camera = cameraFile === null
    ? ["--use-fake-device-for-media-stream"]
    : ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${cameraFile}`];
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...camera],
  });
}

/**
 * One still photo as a Y4M video (I420, BT.601 studio range), the format Chromium's fake
 * camera reads. Width and height are made even, as 4:2:0 chroma needs.
 */
export async function writeY4m(photo: string, out: string, opts: { maxSide?: number; frames?: number } = {}): Promise<{ width: number; height: number }> {
  const n = opts.frames ?? 1;
  const base = await sharp(photo).rotate().resize({ width: opts.maxSide ?? 960, height: opts.maxSide ?? 960, fit: "inside", withoutEnlargement: true }).removeAlpha().toBuffer();
  const chunks: Buffer[] = [];
  let size = { width: 0, height: 0 };
  for (let i = 0; i < n; i++) {
    // A hand-held phone: each frame shifted by a few pixels (a still image would repeat one frame).
    const { frame, width, height } = await i420(base, n === 1 ? 0 : (i % 4) * 3, n === 1 ? 0 : ((i + 1) % 3) * 2);
    if (i === 0) {
      size = { width, height };
      chunks.push(Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, "ascii"));
    }
    chunks.push(Buffer.from("FRAME\n", "ascii"), frame);
  }
  await writeFile(out, Buffer.concat(chunks));
  return size;
}

/** One I420 frame of `image`, cropped by `dx`/`dy` px at the top left and 10 px in all (the frames' sizes agree). */
async function i420(image: Buffer, dx: number, dy: number): Promise<{ frame: Buffer; width: number; height: number }> {
  const meta = await sharp(image).metadata();
  const { data, info } = await sharp(image)
    .extract({ left: dx, top: dy, width: meta.width! - 10, height: meta.height! - 10 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = info.width & ~1;
  const hgt = info.height & ~1;
  const y = Buffer.alloc(w * hgt);
  const u = Buffer.alloc((w / 2) * (hgt / 2));
  const v = Buffer.alloc((w / 2) * (hgt / 2));
  const px = (x: number, yy: number) => {
    const i = (yy * info.width + x) * 3;
    return [data[i] as number, data[i + 1] as number, data[i + 2] as number] as const;
  };
  for (let yy = 0; yy < hgt; yy++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = px(x, yy);
      y[yy * w + x] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
    }
  }
  for (let yy = 0; yy < hgt; yy += 2) {
    for (let x = 0; x < w; x += 2) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const [pr, pg, pb] = px(x + dx, yy + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      const ci = (yy / 2) * (w / 2) + x / 2;
      u[ci] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      v[ci] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return { frame: Buffer.concat([y, u, v]), width: w, height: hgt };
}
