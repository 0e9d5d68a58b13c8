/**
 * The Mini App's capture page: the front camera, the gesture asked for, and a burst of frames
 * sent to our own server with Telegram's raw init data (which proves who the seller is) and the
 * challenge's single-use token. Nothing comes from the gallery. Launch parameters are read with
 * Telegram's bridge, so the same code runs inside Telegram and in the sandbox's frame.
 */
import { postEvent, retrieveRawInitData } from "@telegram-apps/bridge";
import { classifyGestures } from "../../../core/verification/gesture-classify";
import { isNear, type ZoneBox } from "../../../core/verification/hand-zone";
import { gestureDrawing } from "./drawing";
import { THRESHOLDS } from "../../../core/verification/thresholds";

const BURST_FRAMES = 3;
const BURST_GAP_MS = 450;
/** The gesture must be seen this long, without a break, before the burst is taken by itself... */
const HOLD_MS = 500;
/** ... and in this many frames in a row: one frame's landmarks can be wrong, three in a row rarely are. */
const HOLD_FRAMES = 3;
/** Human's browser build, served by our own server (not bundled: 2 MB, cached for a year). */
const HUMAN_URL = "/capture/lib/human.esm.js";
/**
 * The hand detector proposes generously and the landmark model's own confidence decides, as in the
 * worker: handtrack scores some clear hands low (0.1 for a V sign beside a face in the fixtures).
 */
const HAND_PROPOSAL = 0.1;
const HAND_PRESENCE = 0.5;

interface Session {
  locale: string;
  gesture: string;
  deadline: string | null;
  instruction: string;
  emoji: Record<string, string>;
  strings: Record<string, string>;
}

interface HumanHand {
  fingerScore: number;
  box: [number, number, number, number];
  keypoints: number[][];
}
interface HumanFace {
  score: number;
  box: [number, number, number, number];
}
interface HumanLike {
  load(): Promise<void>;
  detect(input: HTMLVideoElement): Promise<{ face: HumanFace[]; hand: HumanHand[]; error?: string | null }>;
}

const zoneBox = ([x, y, w, h]: [number, number, number, number]): ZoneBox => ({ x, y, w, h });
/** The face detector's score a face needs to count, as in the worker (THRESHOLDS.face.minScore). */
const FACE_SCORE = THRESHOLDS.face.minScore;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $("status");
const shutter = $<HTMLButtonElement>("shutter");
const video = $<HTMLVideoElement>("video");
let strings: Record<string, string> = {};
const s = (key: string, fallback: string) => strings[key] ?? fallback;

function say(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle("error", error);
}

function telegram(event: "web_app_ready" | "web_app_close"): void {
  try {
    if (event === "web_app_ready") postEvent("web_app_ready");
    else postEvent("web_app_close", {});
  } catch {
    // Outside Telegram and outside a frame there is nobody to tell.
  }
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new Error(json.message ?? s("capture-error-network", "The photos could not be sent."));
  return json as T;
}

function cameraProblem(err: unknown): string {
  const name = err instanceof DOMException ? err.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return s("capture-camera-refused", "The camera permission was refused.");
  if (name === "NotReadableError") return s("capture-camera-busy", "The camera is in use by another app.");
  return s("capture-no-camera", "No camera was found.");
}

function frame(): Promise<string> {
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d")?.drawImage(video, 0, 0);
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (!blob) return reject(new Error(s("capture-error-photos", "The photos could not be read.")));
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.onerror = () => reject(new Error(s("capture-error-photos", "The photos could not be read.")));
      r.readAsDataURL(blob);
    }, "image/jpeg", 0.92);
  });
}

function countdown(deadline: string | null): void {
  const el = $("deadline");
  if (!deadline) return;
  const end = new Date(deadline).getTime();
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    el.textContent = `⏱ ${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    if (left > 0) setTimeout(tick, 1000);
  };
  tick();
}

async function main(): Promise<void> {
  telegram("web_app_ready");
  const token = new URLSearchParams(location.search).get("t") ?? "";
  let initData: string;
  try {
    initData = retrieveRawInitData() ?? "";
  } catch {
    initData = "";
  }
  let session: Session;
  try {
    session = await post<Session>("/capture/session", { init_data: initData, token });
  } catch (err) {
    return say(err instanceof Error ? err.message : String(err), true);
  }
  strings = session.strings;
  document.documentElement.lang = session.locale;
  $("title").textContent = s("capture-title", "Selfie with a gesture");
  $("instruction").textContent = session.instruction;
  const drawing = gestureDrawing(session.gesture, session.instruction);
  if (drawing) $("drawing").replaceChildren(drawing);
  shutter.textContent = s("capture-shutter", "Take the photos");
  countdown(session.deadline);

  say(s("capture-starting", "Starting the camera…"));
  if (!navigator.mediaDevices?.getUserMedia) return say(s("capture-no-camera", "No camera was found."), true);
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false });
    await video.play();
  } catch (err) {
    return say(cameraProblem(err), true);
  }
  say("");
  shutter.disabled = false;
  shutter.focus();
  shutter.addEventListener("click", () => void shoot(initData, token));
  void guide(session, () => shoot(initData, token));
}

let shooting = false;

/**
 * Live guidance: hands on the camera's frames in the browser, classified by the worker's own rules
 * (core/verification/gesture-classify.ts). It says what is missing, and takes the burst once the
 * requested gesture has been held for HOLD_MS. The shutter stays for people who prefer it, and for
 * browsers where the models cannot run.
 */
async function guide(session: Session, take: () => Promise<void>): Promise<void> {
  const guideEl = $("guide");
  const wanted = session.emoji[session.gesture] ?? session.gesture;
  guideEl.textContent = s("capture-guide-loading", "Getting the hand check ready…");
  let human: HumanLike;
  try {
    const { Human } = (await import(HUMAN_URL)) as { Human: new (config: unknown) => HumanLike };
    human = new Human({
      backend: "wasm",
      wasmPath: "/capture/wasm/",
      modelBasePath: "/capture/models/",
      cacheModels: false,
      warmup: "none",
      // Every frame is looked at afresh: a still camera must not be answered from Human's frame cache.
      cacheSensitivity: 0,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { modelPath: "blazeface.json", rotation: false, maxDetected: 3, skipFrames: 0, skipTime: 0 },
        mesh: { enabled: false }, attention: { enabled: false }, iris: { enabled: false }, emotion: { enabled: false },
        description: { enabled: false }, antispoof: { enabled: false }, liveness: { enabled: false },
      },
      body: { enabled: false },
      object: { enabled: false },
      segmentation: { enabled: false },
      gesture: { enabled: false },
      hand: {
        enabled: true, landmarks: true, maxDetected: 2, minConfidence: HAND_PROPOSAL, skipFrames: 0, skipTime: 0,
        detector: { modelPath: "handtrack.json" }, skeleton: { modelPath: "handlandmark-full.json" },
      },
    });
    await human.load();
  } catch {
    guideEl.textContent = s("capture-guide-unavailable", "Take the photos with the button when you show the gesture.");
    return;
  }
  let heldSince: number | null = null;
  let heldFrames = 0;
  // Frames checked per second, on the element for anyone measuring (the browser tests print it).
  let counted = 0;
  let countStart = performance.now();
  while (!shooting) {
    let hands: HumanHand[] = [];
    let faces: HumanFace[] = [];
    try {
      const r = await human.detect(video);
      faces = r.face.filter((f) => f.score >= FACE_SCORE);
      // Only hands beside the face count, as in the worker (THRESHOLDS.hands.zone).
      hands = r.hand.filter((x) => x.fingerScore >= HAND_PRESENCE && x.keypoints.length === 21);
    } catch {
      hands = [];
    }
    const face = faces.length === 1 ? faces[0]! : null;
    const near = face ? hands.filter((x) => isNear(zoneBox(x.box), zoneBox(face.box), THRESHOLDS.hands.zone)) : [];
    if (shooting) break;
    counted++;
    if (performance.now() - countStart >= 1000) {
      guideEl.dataset.fps = (counted / ((performance.now() - countStart) / 1000)).toFixed(1);
      counted = 0;
      countStart = performance.now();
    }
    const seen = [...new Set(near.flatMap((x) => classifyGestures(x.keypoints, THRESHOLDS.gesture)))];
    if (face && seen.includes(session.gesture)) {
      heldSince ??= performance.now();
      heldFrames++;
      if (heldFrames >= 2) guideEl.textContent = s("capture-holding", "Hold still…");
      if (heldFrames >= HOLD_FRAMES && performance.now() - heldSince >= HOLD_MS) {
        await take();
        break;
      }
    } else {
      heldSince = null;
      heldFrames = 0;
      guideEl.textContent =
        faces.length === 0 ? s("capture-guide-no-face", "Put your face in the picture.")
        : faces.length > 1 ? s("capture-guide-faces", "Only you in the picture, please.")
        : hands.length === 0 ? s("capture-guide-no-hand", "Raise your hand next to your face.")
        : near.length === 0 ? s("capture-guide-not-near", "Move your hand next to your face.")
        : s("capture-guide-wrong", "We see {seen}. Show {wanted} instead.")
            .replace("{seen}", seen.map((g) => session.emoji[g] ?? g).join(" ") || "🖐")
            .replace("{wanted}", wanted);
    }
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** About 3 frames over about 1 s: a live camera moves between them, a still picture does not. */
async function shoot(initData: string, token: string): Promise<void> {
  if (shooting) return;
  shooting = true;
  shutter.disabled = true;
  try {
    say(s("capture-holding", "Hold still…"));
    const frames: string[] = [];
    for (let i = 0; i < BURST_FRAMES; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, BURST_GAP_MS));
      frames.push(await frame());
    }
    say(s("capture-sending", "Sending…"));
    const r = await post<{ message: string }>("/capture/upload", { init_data: initData, token, frames, locale: document.documentElement.lang });
    for (const t of (video.srcObject as MediaStream | null)?.getTracks() ?? []) t.stop();
    say(r.message);
    setTimeout(() => telegram("web_app_close"), 2500);
  } catch (err) {
    say(err instanceof Error ? err.message : String(err), true);
    shooting = false;
    shutter.disabled = false;
  }
}

void main();
