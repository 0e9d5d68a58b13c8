import { randomInt } from "node:crypto";

/**
 * The gesture catalogue the bot draws challenges from. Only gestures that the
 * workers' checks can verify belong here: `offered` is the measured set (see
 * workers/checks and `npm run eval:fixtures`); the rest stay listed so that old
 * cases keep a readable name.
 */
export const GESTURES = {
  // Offered: TPR 100% and FPR 0% on the dev set (`npm run eval:fixtures`): victory 5/5 (0/98),
  // pointing_up 8/8 (0/95), four 11/11 (0/92), rock 7/7 (0/96). All upright, unambiguous finger sets.
  victory: { emoji: "✌️", offered: true },
  pointing_up: { emoji: "☝️", offered: true },
  four: { emoji: "4️⃣", offered: true },
  rock: { emoji: "🤘", offered: true },
  // Not offered: open_palm TPR 5/7 (two in multi-face photos), FPR 2.1% (relaxed hands read as open);
  // fist 5/6; thumbs_up 0/2 (both held at chest level, below the zone beside the face); call 5/8 (sideways
  // hands); ok 0/1 and FPR 2% (three-finger hands).
  open_palm: { emoji: "🖐️", offered: false },
  fist: { emoji: "✊", offered: false },
  thumbs_up: { emoji: "👍", offered: false },
  call: { emoji: "🤙", offered: false },
  ok: { emoji: "👌", offered: false },
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
