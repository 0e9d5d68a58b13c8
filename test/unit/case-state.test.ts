import { describe, expect, it } from "vitest";
import { CaseStatus } from "../../core/db/generated/enums";
import { IllegalTransition, assertTransition, canTransition, isTerminal, sourcesOf } from "../../core/verification/case-state";

describe("case state machine", () => {
  it("walks the normal path of a passing seller", () => {
    const path = ["collecting", "awaiting_selfie", "queued", "checking", "passed"] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it("allows a retake after a failure and a fresh challenge for a late selfie", () => {
    expect(canTransition("failed", "awaiting_selfie")).toBe(true);
    expect(canTransition("awaiting_selfie", "awaiting_selfie")).toBe(true);
    expect(canTransition("review", "awaiting_selfie")).toBe(true);
  });

  it("never leaves a terminal state, and never passes without a check", () => {
    for (const s of ["passed", "rejected", "cancelled", "expired"] as const) {
      expect(isTerminal(s)).toBe(true);
      for (const to of Object.values(CaseStatus)) expect(canTransition(s, to)).toBe(false);
    }
    expect(sourcesOf("passed").sort()).toEqual(["checking", "review"]);
    expect(() => assertTransition("collecting", "passed")).toThrow(IllegalTransition);
    expect(() => assertTransition("queued", "passed")).toThrow(/queued -> passed/);
  });

  it("staff end a review by approving or rejecting it; an erasure cancels a waiting check", () => {
    expect(sourcesOf("rejected")).toEqual(["review"]);
    expect(canTransition("queued", "cancelled")).toBe(true);
    expect(canTransition("checking", "cancelled")).toBe(true);
  });

  it("knows every status of the database enum", () => {
    for (const s of Object.values(CaseStatus)) expect(() => sourcesOf(s)).not.toThrow();
    expect(Object.values(CaseStatus).filter((s) => !isTerminal(s)).length).toBe(6);
  });
});
