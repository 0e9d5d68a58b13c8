import { randomInt } from "node:crypto";

/**
 * The gesture catalogue the bot draws challenges from. Only gestures that the
 * workers' checks can verify belong here: `offered` is the measured set (see
 * workers/checks and `npm run eval:fixtures`); the rest stay listed so that old
 * cases keep a readable name.
 */
export const GESTURES = {
  victory: { emoji: "✌️", offered: true },
  pointing_up: { emoji: "☝️", offered: true },
  open_palm: { emoji: "🖐️", offered: true },
  fist: { emoji: "✊", offered: false },
  thumbs_up: { emoji: "👍", offered: false },
} as const;

export type Gesture = keyof typeof GESTURES;

export const OFFERED_GESTURES: readonly Gesture[] = (Object.keys(GESTURES) as Gesture[]).filter((g) => GESTURES[g].offered);

export function isGesture(x: unknown): x is Gesture {
  return typeof x === "string" && Object.hasOwn(GESTURES, x);
}

/** A random offered gesture, different from `previous` when possible (a retake gets a new one). */
export function pickGesture(previous?: string | null, rand: (n: number) => number = randomInt): Gesture {
  const pool = OFFERED_GESTURES.length > 1 ? OFFERED_GESTURES.filter((g) => g !== previous) : OFFERED_GESTURES;
  return pool[rand(pool.length)]!;
}
