export const ID_REGIONS = ["cn", "hk", "mo", "tw", "passport"] as const;

export type IdRegion = (typeof ID_REGIONS)[number];

export function isIdRegion(value: string): value is IdRegion {
  return (ID_REGIONS as readonly string[]).includes(value);
}
