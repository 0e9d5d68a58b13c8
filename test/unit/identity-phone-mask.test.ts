import { describe, it, expect } from "vitest";
import { maskIdNumber, maskName, maskPhone } from "../../core/identity/mask";
import { defaultCountryFor, normalizePhone, samePhone } from "../../core/identity/phone";

describe("normalizePhone", () => {
  it("returns E.164 for international input", () => {
    expect(normalizePhone("+86 138 0013 8000")).toBe("+8613800138000");
    expect(normalizePhone("+852 9123 4567")).toBe("+85291234567");
    expect(normalizePhone("+853 6612 3456")).toBe("+85366123456");
    expect(normalizePhone("+886 912 345 678")).toBe("+886912345678");
    expect(normalizePhone("＋８６ １３８ ００１３ ８０００")).toBe("+8613800138000");
  });

  it("reads Telegram contact numbers, which come without '+'", () => {
    expect(normalizePhone("8613800138000")).toBe("+8613800138000");
    expect(normalizePhone("8613800138000", "HK")).toBe("+8613800138000");
    expect(normalizePhone("85291234567", "CN")).toBe("+85291234567");
    expect(normalizePhone("886912345678", "TW")).toBe("+886912345678");
    expect(normalizePhone("85366123456", "MO")).toBe("+85366123456");
    expect(normalizePhone("13125551234")).toBe("+13125551234");
  });

  it("reads national numbers with the default country", () => {
    expect(normalizePhone("138-0013-8000", "CN")).toBe("+8613800138000");
    expect(normalizePhone("13800138000", "CN")).toBe("+8613800138000");
    // Also a valid +1 number without '+': with a CN default the Mainland mobile reading wins.
    expect(normalizePhone("13125551234", "CN")).toBe("+8613125551234");
    expect(normalizePhone("9123 4567", "HK")).toBe("+85291234567");
    expect(normalizePhone("6612 3456", "MO")).toBe("+85366123456");
    expect(normalizePhone("0912-345-678", "TW")).toBe("+886912345678");
    expect(normalizePhone("(010) 6552 9988", "CN")).toBe("+861065529988");
  });

  it("returns null for what is not a valid number", () => {
    for (const raw of ["", "   ", "12345", "+13800138000", "+8612345", "abc", "13800138000"]) {
      expect(normalizePhone(raw), raw).toBeNull();
    }
    expect(normalizePhone("1234 5678", "HK")).toBeNull();
  });
});

describe("samePhone", () => {
  it("compares after normalization", () => {
    expect(samePhone("8613800138000", "+86 138-0013-8000")).toBe(true);
    expect(samePhone("8613800138000", "13800138000", "CN")).toBe(true);
    expect(samePhone("85291234567", "9123 4567", "HK")).toBe(true);
    expect(samePhone("8613800138000", "8613800138001")).toBe(false);
    expect(samePhone("85291234567", "9123 4567")).toBe(false); // no default country: second is invalid
    expect(samePhone("garbage", "garbage")).toBe(false);
  });
});

describe("defaultCountryFor", () => {
  it("maps regions to phone countries", () => {
    expect(defaultCountryFor("cn")).toBe("CN");
    expect(defaultCountryFor("hk")).toBe("HK");
    expect(defaultCountryFor("mo")).toBe("MO");
    expect(defaultCountryFor("tw")).toBe("TW");
    expect(defaultCountryFor("passport")).toBeUndefined();
  });
});

const shownShare = (masked: string): number => [...masked].filter((c) => c !== "*").length / [...masked].length;

describe("maskIdNumber", () => {
  it("keeps 4 + 4 of an 18-character id", () => {
    expect(maskIdNumber("11010519491231002X")).toBe("1101**********002X");
  });

  it("keeps less of shorter ids and never more than 40%", () => {
    expect(maskIdNumber("A123456789")).toBe("A1******89");
    expect(maskIdNumber("AB9876543")).toBe("A******43");
    expect(maskIdNumber("A1234563")).toBe("A*****63");
    expect(maskIdNumber("12345678")).toBe("1*****78");
    expect(maskIdNumber("K1234")).toBe("K***4");
    expect(maskIdNumber("AB")).toBe("**");
    for (let n = 1; n < 18; n++) {
      const masked = maskIdNumber("9".repeat(n));
      expect(masked).toHaveLength(n);
      expect(shownShare(masked), String(n)).toBeLessThanOrEqual(0.4);
    }
  });
});

describe("maskPhone", () => {
  it("keeps the country code, 3 + 4 of long national numbers and 2 + 2 of short ones", () => {
    expect(maskPhone("+8613800138000")).toBe("+86 138****8000");
    expect(maskPhone("+85291234567")).toBe("+852 91****67");
    expect(maskPhone("+85366123456")).toBe("+853 66****56");
    expect(maskPhone("+886912345678")).toBe("+886 91*****78");
    expect(maskPhone("+13125551234")).toBe("+1 312***1234");
  });

  it("still masks what it cannot parse", () => {
    expect(maskPhone("+999123456")).not.toContain("123456");
  });
});

describe("maskName", () => {
  it("masks CJK names after the first character", () => {
    expect(maskName("张三丰")).toBe("张**");
    expect(maskName("欧阳娜娜")).toBe("欧***");
    expect(maskName("阿依古丽·买买提")).toBe("阿*******");
    expect(maskName("𠀀𠀁")).toBe("𠀀*");
    expect(maskName("张")).toBe("*");
  });

  it("keeps the initial of each word of other names, hiding the word lengths", () => {
    expect(maskName("John Smith")).toBe("J*** S***");
    expect(maskName("  Émile   Zola ")).toBe("É*** Z***");
    expect(maskName("Al")).toBe("A***");
    expect(maskName("")).toBe("");
  });
});
