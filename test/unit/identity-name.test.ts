import { describe, it, expect } from "vitest";
import { NAME_MAX_GRAPHEMES, validateFullName } from "../../core/identity/name";

describe("validateFullName", () => {
  it("accepts names in any script with the separators real names use", () => {
    for (const name of [
      "张三",
      "欧阳娜娜",
      "阿依古丽·买买提",
      "歐巴馬‧海珊",
      "ジョン・スミス",
      "김민준",
      "Nguyễn Văn An",
      "Mary-Jane O'Neil",
      "Seán O’Brien",
      "J. R. R. Tolkien",
      "Алексей Петров",
      "محمد علي",
      "देवनागरी नाम",
    ]) {
      expect(validateFullName(name), name).toEqual({ valid: true, normalized: name });
    }
  });

  it("trims, collapses whitespace runs of any kind and applies NFC", () => {
    expect(validateFullName("  John \t\u3000 Smith\u00A0 ")).toEqual({ valid: true, normalized: "John Smith" });
    const decomposed = "Nguye\u0302\u0303n";
    const result = validateFullName(decomposed);
    expect(result).toEqual({ valid: true, normalized: "Nguyễn" });
    expect(result.valid && result.normalized.length).toBe(6);
  });

  it("reports an empty name", () => {
    for (const raw of ["", "   ", "\u3000\n"]) expect(validateFullName(raw)).toEqual({ valid: false, reason: "empty", args: {} });
  });

  it("counts graphemes, not code units, for the length limits", () => {
    expect(validateFullName("李")).toEqual({ valid: false, reason: "too-short", args: { min: 2 } });
    expect(validateFullName("𠀀𠀁").valid).toBe(true); // two astral Han characters, four UTF-16 units
    expect(validateFullName("e\u0301")).toMatchObject({ reason: "too-short" }); // one grapheme, two code points
    const longest = "a".repeat(NAME_MAX_GRAPHEMES);
    expect(validateFullName(longest).valid).toBe(true);
    expect(validateFullName(`${longest}a`)).toEqual({ valid: false, reason: "too-long", args: { max: 64 } });
    expect(validateFullName("ab".repeat(10_000))).toMatchObject({ reason: "too-long" });
  });

  it("rejects digits, emoji, symbols and punctuation that names do not use", () => {
    for (const [raw, char] of [
      ["John 2", "2"],
      ["张三１", "１"], // NFC keeps full-width digits; still a digit
      ["张三😀", "😀"],
      ["Bob@Smith", "@"],
      ["Li_Wei", "_"],
      ["王（小明）", "（"],
      ["Anna™", "™"],
    ] as const) {
      expect(validateFullName(raw), raw).toEqual({ valid: false, reason: "bad-characters", args: { char } });
    }
  });

  it("rejects invisible, control and private-use characters, naming them by code point", () => {
    for (const [raw, char] of [
      ["张\u200B三", "U+200B"],
      ["John\u200FSmith", "U+200F"],
      ["Li\u202EWei", "U+202E"],
      ["张\u0000三", "U+0000"],
      ["Li\u0007Wei", "U+0007"],
      ["张\uE000三", "U+E000"],
      ["A\u00ADnna", "U+00AD"],
    ] as const) {
      expect(validateFullName(raw), JSON.stringify(raw)).toEqual({ valid: false, reason: "bad-characters", args: { char } });
    }
  });

  it("requires the name to start with a letter", () => {
    expect(validateFullName("·买买提")).toEqual({ valid: false, reason: "bad-characters", args: { char: "·" } });
    expect(validateFullName("-John")).toMatchObject({ reason: "bad-characters" });
    expect(validateFullName("\u0301abc")).toMatchObject({ reason: "bad-characters" });
  });
});
