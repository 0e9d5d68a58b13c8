// Checks an X-Shiren-Signature header against a raw request body, for the marketplace's developers.
// Usage: npm run --silent webhook:verify -- --secret <s> --signature '<header value>' [--tolerance 300] [--now <unix>] < body.json
// The secret may come from MARKETPLACE_WEBHOOK_SECRET instead of --secret (kept out of the process list).
// Prints {"valid":true} (exit 0) or {"valid":false,"reason":"..."} (exit 1); usage errors exit 2.
import { parseArgs } from "node:util";
import { DEFAULT_TOLERANCE_SECONDS, verifyWebhook } from "./signature";

const USAGE = "usage: webhook:verify --secret <secret> --signature '<t=...,v1=...>' [--tolerance <seconds>] [--now <unix seconds>] < body";

class UsageError extends Error {}

function options(argv: string[], env: Record<string, string | undefined>) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { secret: { type: "string" }, signature: { type: "string" }, tolerance: { type: "string" }, now: { type: "string" }, help: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError("");
  const secret = values.secret ?? env.MARKETPLACE_WEBHOOK_SECRET;
  if (!secret) throw new UsageError("--secret is required (or MARKETPLACE_WEBHOOK_SECRET)");
  if (values.signature === undefined) throw new UsageError("--signature is required (the X-Shiren-Signature header value)");
  const whole = (name: string, v: string | undefined, fallback: number) => {
    if (v === undefined) return fallback;
    if (!/^\d{1,12}$/.test(v)) throw new UsageError(`--${name} must be whole seconds, got "${v}"`);
    return Number(v);
  };
  return {
    secret,
    signature: values.signature,
    toleranceSeconds: whole("tolerance", values.tolerance, DEFAULT_TOLERANCE_SECONDS),
    now: values.now === undefined ? new Date() : new Date(whole("now", values.now, 0) * 1000),
  };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function main(): Promise<number> {
  let o;
  try {
    o = options(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message ? `webhook:verify: ${err.message}\n` : ""}${USAGE}\n`);
    return 2;
  }
  // The body exactly as received: a trailing newline added by `echo` is part of it, and fails the check.
  const body = await readStdin();
  const result = verifyWebhook(o.secret, o.signature, body, { now: o.now, toleranceSeconds: o.toleranceSeconds });
  process.stdout.write(JSON.stringify(result) + "\n");
  return result.valid ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`webhook:verify: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
