import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REASON_CODES } from "../../core/verification/decision";
import { GESTURES } from "../../core/verification/gestures";

const root = path.resolve(import.meta.dirname, "..", "..");
const keys = (locale: string) =>
  new Map(
    readFileSync(path.join(root, "locales", locale, "verdict.ftl"), "utf8")
      .split("\n")
      .filter((l) => /^[a-z][a-z0-9_-]* =/.test(l))
      .map((l) => [l.slice(0, l.indexOf(" =")), [...l.matchAll(/\{\s*\$([a-zA-Z_]+)/g)].map((m) => m[1]).sort().join(",")]),
  );

describe("verdict locales", () => {
  const en = keys("en");
  it("has a sentence for every reason code and every gesture", () => {
    for (const r of REASON_CODES) expect(en.has(`verdict-reason-${r}`), r).toBe(true);
    for (const g of Object.keys(GESTURES)) expect(en.has(`gesture-${g}`), g).toBe(true);
  });
  it.each(["zh-Hans", "zh-Hant"])("%s has the same keys and variables as en", (loc) => {
    expect(keys(loc)).toEqual(en);
  });
});
