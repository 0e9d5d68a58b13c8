import { describe, expect, it } from "vitest";
import { parseCsv } from "../../bot/cli/csv";
import { rowsFromCsv } from "../../bot/cli/sellers-import";

describe("sellers:import CSV", () => {
  it("parses quoted fields, doubled quotes, CRLF and a BOM", () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""",z\n')).toEqual([
      ["a", "b"],
      ['x, "y"', "z"],
    ]);
  });

  it("turns marketplace records into import rows with risk flags", () => {
    const { rows, errors } = rowsFromCsv("shop_id,shop_name,reserved_phone,risk_flags\nS1,Tea House,+8613800138000,chargebacks;new-account\nS2,,,\n");
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { shopId: "S1", shopName: "Tea House", reservedPhone: "+8613800138000", riskFlags: ["chargebacks", "new-account"] },
      { shopId: "S2", shopName: "", reservedPhone: "", riskFlags: [] },
    ]);
  });

  it("names every bad line and imports nothing", () => {
    const { errors } = rowsFromCsv("shop_id,shop_name\nS1,a\nS1,b\nbad id!,c\n");
    expect(errors).toEqual([expect.stringContaining("line 3: shop_id S1 appears twice"), expect.stringContaining('line 4: shop_id "bad id!"')]);
    expect(rowsFromCsv("name\nx\n").errors[0]).toMatch(/missing column shop_id/);
  });
});
