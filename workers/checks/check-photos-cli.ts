/**
 * npm run --silent check-photos < jobs.jsonl
 *   in:  {"id", "selfie": "<path>", "reference": "<path>"|null, "gesture": "<name>"|null} per line
 *   out: {"id", "faces", "face_match_score", "same_person", "hands", "gesture_detected", "gesture_ok", "verdict", "reasons", "ms"} per line
 * npm run --silent check-photos -- --list-gestures   prints the offered gestures
 * Same code and thresholds as the worker; no database, so replay and duplicate
 * identity are not looked up here. Models load once per run.
 */
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { z } from "zod";
import { decide } from "../../core/verification/decision";
import { OFFERED_GESTURES } from "../../core/verification/gestures";
import { THRESHOLDS } from "../../core/verification/thresholds";
import { BACKEND_CHOICES, type BackendChoice } from "./backend";
import { createEngine } from "./models";
import { runChecks, toDecisionInput } from "./run-checks";

const lineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  selfie: z.string().min(1),
  reference: z.string().min(1).nullish(),
  gesture: z.string().min(1).nullish(),
});

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes("--list-gestures")) {
    process.stdout.write(JSON.stringify(OFFERED_GESTURES) + "\n");
    return 0;
  }
  const backend = (env.TF_BACKEND ?? "auto") as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new Error(`TF_BACKEND must be one of ${BACKEND_CHOICES.join(", ")}`);
  const engine = await createEngine({ backend });
  process.stderr.write(`check-photos: backend ${engine.backend.name}\n`);
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of rl) {
    if (!raw.trim()) continue;
    const t0 = performance.now();
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(raw));
    } catch (err) {
      process.stdout.write(JSON.stringify({ id: null, error: `bad input line: ${(err as Error).message.slice(0, 200)}` }) + "\n");
      continue;
    }
    const selfie = await readFile(parsed.selfie).catch(() => null);
    const reference = parsed.reference ? await readFile(parsed.reference).catch(() => Buffer.alloc(0)) : null;
    const gesture = parsed.gesture ?? null;
    const report = await runChecks(engine, { selfie: selfie ?? Buffer.alloc(0), reference, gesture });
    const decision = decide(toDecisionInput(report, { matchExpected: reference !== null, replayHit: false, duplicateIdentity: false, attempt: 1 }));
    const sameP = report.matchScore === null ? null : report.matchScore >= THRESHOLDS.match.passScore ? true : report.matchScore < THRESHOLDS.match.failScore ? false : null;
    process.stdout.write(
      JSON.stringify({
        id: parsed.id,
        faces: report.faces.length,
        face_match_score: report.matchScore,
        same_person: sameP,
        hands: report.hands.length,
        gesture_detected: report.gesturesDetected,
        gesture_ok: report.gestureOk,
        verdict: decision.verdict,
        reasons: decision.reasons,
        ms: Math.round(performance.now() - t0),
      }) + "\n",
    );
  }
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`check-photos: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
