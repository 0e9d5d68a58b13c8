import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import { describe, expect, it } from "vitest";
import { LOCALES, LOCALES_DIR } from "../../core/i18n";
import { GESTURES } from "../../core/verification/gestures";
import { ID_REGIONS } from "../../core/identity/regions";

/** Every text exists in every locale, with the same variables, and parses cleanly. */

function load(locale: string): Map<string, Set<string>> {
  const dir = join(LOCALES_DIR, locale);
  const keys = new Map<string, Set<string>>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".ftl"))) {
    const src = readFileSync(join(dir, f), "utf8");
    const errors = new FluentBundle(locale).addResource(new FluentResource(src));
    expect(errors, `${locale}/${f}`).toEqual([]);
    let current = "";
    for (const line of src.split("\n")) {
      const m = /^([a-zA-Z][\w-]*)\s*=/.exec(line);
      if (m) {
        current = m[1]!;
        expect(keys.has(current), `${locale}: duplicate key ${current}`).toBe(false);
        keys.set(current, new Set());
      }
      if (current && (m || /^\s/.test(line))) for (const v of line.matchAll(/\{\s*\$([\w-]+)/g)) keys.get(current)!.add(v[1]!);
    }
  }
  return keys;
}

const all = Object.fromEntries(LOCALES.map((l) => [l, load(l)]));

describe("locales", () => {
  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the keys of en, with the same variables", (l) => {
    const en = all.en!;
    const other = all[l]!;
    expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [k, vars] of en) expect([...other.get(k)!].sort(), `${l}: ${k}`).toEqual([...vars].sort());
  });

  it("has a text for every gesture, ID region and command the bot can show", () => {
    const en = all.en!;
    for (const g of Object.keys(GESTURES)) expect(en.has(`gesture-${g}`), `gesture-${g}`).toBe(true);
    for (const r of ID_REGIONS) {
      expect(en.has(`identity-region-${r}`)).toBe(true);
      expect(en.has(`verify-ask-id-${r}`)).toBe(true);
    }
    for (const s of ["unverified", "verified", "recheck_due", "restricted"]) expect(en.has(`status-seller-${s}`)).toBe(true);
    for (const s of ["collecting", "awaiting_selfie", "queued", "checking", "passed", "failed", "review", "cancelled", "expired"])
      expect(en.has(`status-case-${s}`)).toBe(true);
  });

  it("every key the code names literally exists in en", () => {
    const src = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? src(join(dir, e.name)) : e.name.endsWith(".ts") ? [readFileSync(join(dir, e.name), "utf8")] : [],
      );
    const root = join(LOCALES_DIR, "..");
    const code = [...src(join(root, "bot")), ...src(join(root, "core"))].join("\n");
    const used = new Set([...code.matchAll(/(?:\bt|UserError)\(\s*"([a-z][\w-]+)"/g)].map((m) => m[1]!));
    for (const k of used) expect(all.en!.has(k), k).toBe(true);
    expect(used.size).toBeGreaterThan(30);
  });
});
