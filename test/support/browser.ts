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
export async function writeY4m(photo: string, out: string, maxSide = 960): Promise<{ width: number; height: number }> {
  const { data, info } = await sharp(photo)
    .rotate()
    .resize({ width: maxSide, height: maxSide, fit: "inside", withoutEnlargement: true })
    .removeAlpha()
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
  const header = Buffer.from(`YUV4MPEG2 W${w} H${hgt} F30:1 Ip A1:1 C420jpeg\nFRAME\n`, "ascii");
  await writeFile(out, Buffer.concat([header, y, u, v]));
  return { width: w, height: hgt };
}
