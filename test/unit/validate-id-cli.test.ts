import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it, expect } from "vitest";
import { cnCheckChar } from "../../core/identity/id-number";

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };

function runCli(input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ["core/identity/validate-id-cli.ts"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const lines = (stdout: string): unknown[] => stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown);

describe("validate-id CLI", () => {
  it("writes one JSON line per input line, in order", async () => {
    const input = [
      "cn\t11010519491231002X",
      "cn\t１１０１０５１９４９１２３１００２ｘ\r",
      "",
      "   ",
      "hk\tA123456(3)",
      "hk\tAB987654(2)",
      "tw\tA123456789",
      "mo\t1/234567/8",
      "passport\tE1234 5678",
      "cn\t110105491231002",
      "CN\t11010519990230002X",
      "xx\t123-45",
      "no tab here",
      "cn\t",
    ].join("\n");
    const { code, stdout, stderr } = await runCli(input);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.split("\n").at(-2)).toBe('{"valid":false,"normalized":"","reason":"empty"}');
    expect(lines(stdout)).toEqual([
      { valid: true, normalized: "11010519491231002X", reason: "ok" },
      { valid: true, normalized: "11010519491231002X", reason: "ok" },
      { valid: true, normalized: "A1234563", reason: "ok" },
      { valid: false, normalized: "AB9876542", reason: "bad-check-digit" },
      { valid: true, normalized: "A123456789", reason: "ok" },
      { valid: true, normalized: "12345678", reason: "ok" },
      { valid: true, normalized: "E12345678", reason: "ok" },
      { valid: false, normalized: "110105491231002", reason: "legacy-15-digit" },
      { valid: false, normalized: "11010519990230002X", reason: "bad-birth-date" },
      { valid: false, normalized: "12345", reason: "unknown-region" },
      { valid: false, normalized: "", reason: "bad-input" },
      { valid: false, normalized: "", reason: "empty" },
    ]);
  });

  it("streams 100k lines in a few seconds", async () => {
    const n = 100_000;
    const rows: string[] = [];
    for (let i = 0; i < n; i++) {
      const body = `110105${1950 + (i % 50)}0101${String(i % 1000).padStart(3, "0")}`;
      // Every tenth number gets a wrong check character.
      const check = cnCheckChar(body);
      rows.push(`cn\t${body}${i % 10 === 0 ? (check === "1" ? "2" : "1") : check}`);
    }
    const started = Date.now();
    const { code, stdout } = await runCli(rows.join("\n") + "\n");
    const elapsed = Date.now() - started;
    expect(code).toBe(0);
    const out = stdout.trimEnd().split("\n");
    expect(out).toHaveLength(n);
    expect(out.filter((l) => l.includes('"valid":true'))).toHaveLength(n - n / 10);
    expect(elapsed).toBeLessThan(10_000);
  });
});
