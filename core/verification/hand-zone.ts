/**
 * Where a hand counts as "beside the face": its centre within `zone` face heights of the face's
 * centre (sideways, above, below). Pure: the worker's check and the Mini App's live guide both use it.
 */
export interface ZoneBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface HandZone {
  /** face heights left or right of the face centre */
  side: number;
  /** face heights above the face centre */
  above: number;
  /** face heights below the face centre */
  below: number;
}

export function isNear(hand: ZoneBox, face: ZoneBox, zone: HandZone): boolean {
  const dx = (hand.x + hand.w / 2 - (face.x + face.w / 2)) / face.h;
  const dy = (hand.y + hand.h / 2 - (face.y + face.h / 2)) / face.h;
  return Math.abs(dx) <= zone.side && dy >= -zone.above && dy <= zone.below;
}
