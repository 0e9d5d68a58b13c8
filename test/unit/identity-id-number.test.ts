import { readFileSync } from "node:fs";
import { FluentBundle, FluentResource } from "@fluent/bundle";
import { describe, it, expect } from "vitest";
import { ID_REASONS, cnCheckChar, hkCheckChar, validateIdNumber } from "../../core/identity/id-number";
import type { IdCheck } from "../../core/identity/id-number";
import { NAME_REASONS } from "../../core/identity/name";
import { normalizeIdNumber } from "../../core/identity/normalize";
import { ID_REGIONS } from "../../core/identity/regions";
import type { IdRegion } from "../../core/identity/regions";

const TODAY = new Date("2024-06-15T12:00:00Z");
const check = (region: IdRegion, raw: string): IdCheck => validateIdNumber(region, raw, TODAY);

/** Builds a valid CN number from its first 17 digits. */
const cn = (body17: string): string => body17 + cnCheckChar(body17);

/** Every number obtained by replacing one character of `id` with another from `alphabet`. */
function substitutions(id: string, alphabet: string, positions: Iterable<number>): string[] {
  const out: string[] = [];
  for (const i of positions) {
    for (const c of alphabet) if (c !== id[i]) out.push(id.slice(0, i) + c + id.slice(i + 1));
  }
  return out;
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe("normalizeIdNumber", () => {
  it("turns full-width characters into ASCII and upper-cases", () => {
    expect(normalizeIdNumber("１１０１０５１９４９１２３１００２ｘ")).toBe("11010519491231002X");
  });

  it("strips spaces of every kind and every dash", () => {
    const raw = " 110105\u00A01949\u30001231-002\u2010x\u2212\u2013\uFF0D\u200B\t";
    expect(normalizeIdNumber(raw)).toBe("11010519491231002X");
  });

  it("keeps parentheses and slashes for the region validators", () => {
    expect(normalizeIdNumber("a123456（3）")).toBe("A123456(3)");
    expect(normalizeIdNumber("1/234567/8")).toBe("1/234567/8");
  });
});

describe("validateIdNumber: cn", () => {
  it("accepts the GB 11643-1999 example 11010519491231002X", () => {
    expect(check("cn", "11010519491231002X")).toEqual({
      valid: true,
      normalized: "11010519491231002X",
      reason: "ok",
      birthDate: "1949-12-31",
    });
  });

  it("accepts full-width, lower-case x, spaces and hyphens", () => {
    for (const raw of ["１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002x", "110105-19491231-002X"]) {
      expect(check("cn", raw)).toMatchObject({ valid: true, normalized: "11010519491231002X" });
    }
  });

  it("rejects every single-character substitution of valid numbers", () => {
    const valid = ["11010519491231002X", cn("44030620000229123"), cn("31011519851007441"), cn("65010219991231000")];
    for (const id of valid) {
      expect(check("cn", id).valid).toBe(true);
      for (const wrong of substitutions(id, "0123456789X", range(0, 18))) {
        expect(check("cn", wrong).valid, wrong).toBe(false);
      }
    }
  });

  it("reports a wrong check character without revealing the expected one", () => {
    expect(check("cn", "110105194912310021")).toEqual({
      valid: false,
      normalized: "110105194912310021",
      reason: "bad-check-digit",
      args: {},
    });
  });

  it("reports dates that do not exist", () => {
    const cases: Array<[string, string]> = [
      ["19990230", "1999-02-30"],
      ["19000229", "1900-02-29"],
      ["20230229", "2023-02-29"],
      ["19991301", "1999-13-01"],
      ["19990001", "1999-00-01"],
      ["19990100", "1999-01-00"],
      ["19990431", "1999-04-31"],
    ];
    for (const [digits, date] of cases) {
      expect(check("cn", cn(`110105${digits}001`))).toMatchObject({ reason: "bad-birth-date", args: { date } });
    }
  });

  it("accepts 29 February in a leap year", () => {
    expect(check("cn", cn("11010520000229001"))).toMatchObject({ valid: true, birthDate: "2000-02-29" });
    expect(check("cn", cn("11010520240229001"))).toMatchObject({ valid: true, birthDate: "2024-02-29" });
  });

  it("rejects birth dates after today (UTC+8) and before 1900", () => {
    expect(check("cn", cn("11010520240616001"))).toMatchObject({
      reason: "future-birth-date",
      args: { date: "2024-06-16" },
    });
    expect(check("cn", cn("11010520240615001")).valid).toBe(true);
    // 2024-06-15T20:00Z is already 16 June in Beijing.
    expect(validateIdNumber("cn", cn("11010520240616001"), new Date("2024-06-15T20:00:00Z")).valid).toBe(true);
    expect(check("cn", cn("11010518991231001"))).toMatchObject({ reason: "too-old", args: { date: "1899-12-31" } });
  });

  it("checks the province code", () => {
    expect(check("cn", cn("99010519491231002"))).toMatchObject({ reason: "bad-province", args: { prefix: "99" } });
    expect(check("cn", cn("10010519491231002"))).toMatchObject({ reason: "bad-province", args: { prefix: "10" } });
    expect(check("cn", cn("70010519491231002"))).toMatchObject({ reason: "bad-province" });
    for (const p of ["11", "15", "21", "37", "46", "54", "65", "71", "81", "82", "83"]) {
      expect(check("cn", cn(`${p}010519491231002`)).valid, p).toBe(true);
    }
  });

  it("accepts the 2023 foreigners' permanent residence ID (9 + province)", () => {
    expect(check("cn", cn("91115619900101001")).valid).toBe(true);
    expect(check("cn", cn("98115619900101001"))).toMatchObject({ reason: "bad-province" });
  });

  it("asks for the 18-digit number instead of a legacy 15-digit one", () => {
    expect(check("cn", "110105491231002")).toMatchObject({ valid: false, reason: "legacy-15-digit" });
  });

  it("reports length and format", () => {
    expect(check("cn", "1101051949123100")).toMatchObject({ reason: "bad-length", args: { expected: 18, actual: 16 } });
    expect(check("cn", "11010519491231002X1")).toMatchObject({ reason: "bad-length", args: { actual: 19 } });
    expect(check("cn", "1101051949123100XX")).toMatchObject({ reason: "bad-format", args: { region: "cn" } });
    expect(check("cn", "A1010519491231002X")).toMatchObject({ reason: "bad-format" });
    expect(check("cn", " \u3000 ")).toMatchObject({ reason: "empty", normalized: "" });
  });
});

describe("validateIdNumber: hk", () => {
  it("computes published check characters", () => {
    expect(hkCheckChar("A123456")).toBe("3");
    expect(hkCheckChar("G123456")).toBe("A");
    expect(hkCheckChar("C123456")).toBe("9");
    expect(hkCheckChar("AB987654")).toBe("3");
  });

  it("accepts valid numbers with or without brackets and removes the brackets", () => {
    for (const [raw, normalized] of [
      ["A123456(3)", "A1234563"],
      ["a123456 (3)", "A1234563"],
      ["A1234563", "A1234563"],
      ["G123456(A)", "G123456A"],
      ["g123456(a)", "G123456A"],
      ["AB987654(3)", "AB9876543"],
      ["Ａ１２３４５６（３）", "A1234563"],
    ]) {
      expect(check("hk", raw ?? ""), raw).toEqual({ valid: true, normalized, reason: "ok" });
    }
  });

  it("covers the check values 10 (A) and 11 (0)", () => {
    // Find bodies whose check is "0" and "A" rather than trusting one example.
    const bodies = range(0, 200).map((i) => `Z${String(100000 + i)}`);
    const zero = bodies.find((b) => hkCheckChar(b) === "0");
    const ten = bodies.find((b) => hkCheckChar(b) === "A");
    expect(zero).toBeDefined();
    expect(ten).toBeDefined();
    expect(check("hk", `${zero}(0)`).valid).toBe(true);
    expect(check("hk", `${ten}(A)`).valid).toBe(true);
  });

  it("rejects wrong check characters and every single substitution of valid numbers", () => {
    expect(check("hk", "AB987654(2)")).toMatchObject({ reason: "bad-check-digit", normalized: "AB9876542" });
    expect(check("hk", "A123456(4)")).toMatchObject({ reason: "bad-check-digit" });
    for (const id of ["A1234563", "G123456A", "AB9876543", "C1234569"]) {
      const letters = id.length - 7;
      const wrongs = [
        ...substitutions(id, "0123456789", range(letters, letters + 6)),
        ...substitutions(id, "0123456789A", [id.length - 1]),
      ];
      for (const wrong of wrongs) expect(check("hk", wrong).valid, wrong).toBe(false);
      // Mod 11 misses only letter swaps 11 or 22 apart (A/L/W, B/M/X, ...).
      for (const i of range(0, letters)) {
        for (const wrong of substitutions(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", [i])) {
          const delta = Math.abs((wrong.charCodeAt(i) ?? 0) - (id.charCodeAt(i) ?? 0));
          expect(check("hk", wrong).valid, wrong).toBe(delta % 11 === 0);
        }
      }
    }
  });

  it("rejects bad layouts", () => {
    for (const raw of ["A12345(3)", "ABC123456(3)", "1234567(3)", "A123456(B)", "A123456(3", "A123456((3))", "A12(3)3456"]) {
      expect(check("hk", raw), raw).toMatchObject({ valid: false, reason: "bad-format", args: { region: "hk" } });
    }
  });
});

describe("validateIdNumber: tw", () => {
  it("accepts the published example A123456789", () => {
    expect(check("tw", "A123456789")).toEqual({ valid: true, normalized: "A123456789", reason: "ok" });
    expect(check("tw", "a 1234 56789")).toMatchObject({ valid: true, normalized: "A123456789" });
  });

  it("uses the official letter table (I, O, W..Z out of order)", () => {
    const complete = (body9: string): string => {
      const hit = range(0, 10).map((d) => `${body9}${d}`).filter((id) => check("tw", id).valid);
      expect(hit).toHaveLength(1);
      return hit[0] ?? "";
    };
    // Computed by hand: 1*8 + 2*7 + ... + 8*1 = 120, plus tens*1 + units*9 of the letter value.
    expect(complete("I12345678")).toBe("I123456781"); // I = 34: 3 + 36 + 120 = 159
    expect(complete("O12345678")).toBe("O123456782"); // O = 35: 3 + 45 + 120 = 168
    expect(complete("W12345678")).toBe("W123456789"); // W = 32: 3 + 18 + 120 = 141
  });

  it("accepts the 2021 resident certificate numbers (second digit 8 or 9)", () => {
    const valid = ["A800000014", "A900000016"].filter((id) => check("tw", id).valid);
    expect(valid).toEqual(["A800000014", "A900000016"]);
  });

  it("detects a digit substitution exactly when weight x change is not a multiple of 10", () => {
    // The mod-10 checksum is weaker than the CN/HK mod-11 ones: e.g. a change of 5 under an even
    // weight goes unnoticed. Letter swaps can also collide (A=10 and M=21 both add 1 mod 10).
    const weights = [0, 8, 7, 6, 5, 4, 3, 2, 1, 1];
    for (const id of ["A123456789", "A800000014", "F234567898"]) {
      expect(check("tw", id).valid, id).toBe(true);
      for (const i of range(1, 10)) {
        for (const d of "0123456789") {
          if (d === id[i]) continue;
          const wrong = id.slice(0, i) + d + id.slice(i + 1);
          const delta = Number(d) - Number(id[i]);
          const undetected = ((weights[i] ?? 0) * delta) % 10 === 0 && /^[A-Z][1289]/.test(wrong);
          expect(check("tw", wrong).valid, wrong).toBe(undetected);
        }
      }
    }
  });

  it("reports length, format and checksum", () => {
    expect(check("tw", "A12345678")).toMatchObject({ reason: "bad-length", args: { expected: 10, actual: 9 } });
    expect(check("tw", "A323456789")).toMatchObject({ reason: "bad-format", args: { region: "tw" } });
    expect(check("tw", "1123456789")).toMatchObject({ reason: "bad-format" });
    expect(check("tw", "A123456788")).toMatchObject({ reason: "bad-check-digit", args: {} });
  });
});

describe("validateIdNumber: mo", () => {
  it("accepts the written layouts and normalizes to 8 digits", () => {
    for (const raw of ["1234567(8)", "1/234567/8", "12345678", "5 123456 (7)", "７１２３４５６（０）"]) {
      expect(check("mo", raw), raw).toMatchObject({ valid: true, reason: "ok" });
    }
    expect(check("mo", "1/234567/8").normalized).toBe("12345678");
  });

  it("rejects other first digits, letters, lengths and layouts", () => {
    expect(check("mo", "2234567(8)")).toMatchObject({ reason: "bad-format", args: { region: "mo" } });
    expect(check("mo", "A234567(8)")).toMatchObject({ reason: "bad-format" });
    expect(check("mo", "123456(7)")).toMatchObject({ reason: "bad-length", args: { expected: 8, actual: 7 } });
    expect(check("mo", "12/34567/8")).toMatchObject({ reason: "bad-format" });
    expect(check("mo", "123456(78)")).toMatchObject({ reason: "bad-format" });
  });
});

describe("validateIdNumber: passport", () => {
  it("accepts 5-20 letters and digits with at least one digit", () => {
    expect(check("passport", "e1234 5678")).toEqual({ valid: true, normalized: "E12345678", reason: "ok" });
    expect(check("passport", "K1234").valid).toBe(true);
    expect(check("passport", "A".repeat(19) + "1").valid).toBe(true);
  });

  it("rejects the rest as bad-format", () => {
    for (const raw of ["K123", "A".repeat(20) + "1", "ABCDEFG", "E1234567!", "E123456é"]) {
      expect(check("passport", raw), raw).toMatchObject({ reason: "bad-format", args: { region: "passport" } });
    }
  });
});

describe("identity locale files", () => {
  const locales = ["en", "zh-Hans", "zh-Hant"];
  const source = (locale: string): string =>
    readFileSync(new URL(`../../locales/${locale}/identity.ftl`, import.meta.url), "utf8");

  /** message id -> sorted variable names */
  function messages(locale: string): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const block of source(locale).split(/\n(?=[a-z])/)) {
      const id = /^([a-z][a-z0-9-]*)\s*=/.exec(block)?.[1];
      if (id) out.set(id, [...new Set([...block.matchAll(/\{\s*\$([a-zA-Z0-9_-]+)/g)].map((m) => m[1] ?? ""))].sort());
    }
    return out;
  }

  const args: Record<string, string | number> = {
    expected: 18, actual: 16, region: "hk", prefix: "99", date: "1999-02-30", min: 2, max: 64, char: "7",
  };
  const required = [
    ...ID_REASONS.map((r) => `identity-error-${r}`),
    ...NAME_REASONS.map((r) => `identity-name-error-${r}`),
    ...ID_REGIONS.map((r) => `identity-region-${r}`),
  ];

  it("have a message for every reason code and region, with the same variables in every locale", () => {
    const en = messages("en");
    expect([...en.keys()].sort()).toEqual([...required].sort());
    for (const locale of locales) expect(messages(locale), locale).toEqual(en);
  });

  it("parse and format without errors", () => {
    for (const locale of locales) {
      const bundle = new FluentBundle(locale, { useIsolating: false });
      expect(bundle.addResource(new FluentResource(source(locale))), locale).toEqual([]);
      for (const id of required) {
        const pattern = bundle.getMessage(id)?.value;
        expect(pattern, `${locale} ${id}`).toBeTruthy();
        const errors: Error[] = [];
        const text = pattern ? bundle.formatPattern(pattern, args, errors) : "";
        expect(errors, `${locale} ${id}`).toEqual([]);
        expect(text).not.toMatch(/[{}]/);
      }
    }
  });

  it("give a format hint per region", () => {
    const bundle = new FluentBundle("en", { useIsolating: false });
    bundle.addResource(new FluentResource(source("en")));
    const pattern = bundle.getMessage("identity-error-bad-format")?.value;
    const hk = pattern ? bundle.formatPattern(pattern, { region: "hk" }) : "";
    const passport = pattern ? bundle.formatPattern(pattern, { region: "passport" }) : "";
    expect(hk).toContain("A123456(3)");
    expect(passport).toContain("5 to 20");
  });
});
