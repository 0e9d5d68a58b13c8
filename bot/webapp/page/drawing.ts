/**
 * A simple drawing of the asked gesture: a palm seen from the front, each finger drawn up or
 * folded, the thumb out or across the palm. Built from the same finger states the gesture rules
 * check (core/verification/gesture-classify.ts), so the picture cannot disagree with the check.
 */
type Finger = "thumb" | "index" | "middle" | "ring" | "pinky";

const UP: Record<string, readonly Finger[]> = {
  victory: ["index", "middle"],
  pointing_up: ["index"],
  four: ["index", "middle", "ring", "pinky"],
  rock: ["index", "pinky"],
  fist: [],
  three: ["index", "middle", "ring"],
  open_palm: ["thumb", "index", "middle", "ring", "pinky"],
  thumbs_up: ["thumb"],
};

const SVG = "http://www.w3.org/2000/svg";

function shape(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** The drawing, or null for a gesture it does not know (the words and the emoji still say it). */
export function gestureDrawing(gesture: string, label: string): SVGElement | null {
  const up = UP[gesture];
  if (!up) return null;
  const svg = shape("svg", { viewBox: "0 0 120 150", width: 96, height: 120, role: "img", "aria-label": label, class: "drawing" });
  const skin = { fill: "#f2c9a0", stroke: "#8a5a3b", "stroke-width": 2.5 };
  svg.append(shape("rect", { x: 28, y: 66, width: 68, height: 62, rx: 16, ...skin }));
  const fingers: [Finger, number, number][] = [["index", 30, 56], ["middle", 47, 62], ["ring", 64, 58], ["pinky", 81, 48]];
  for (const [name, x, length] of fingers) {
    const h = up.includes(name) ? length : 18;
    svg.append(shape("rect", { x, y: 72 - h, width: 14, height: h + 10, rx: 7, ...skin }));
  }
  // The thumb: out to the side when it is up, else across the palm.
  svg.append(
    up.includes("thumb")
      ? shape("rect", { x: 6, y: 60, width: 14, height: 46, rx: 7, transform: "rotate(-25 13 83)", ...skin })
      : shape("rect", { x: 26, y: 88, width: 46, height: 14, rx: 7, ...skin }),
  );
  return svg;
}
