// Preloaded into `prisma migrate deploy` (core/db/setup.ts). Prisma 6.19's wasm schema
// engine leaves a 10 s timer running after it has finished, so every deploy took
// 11 s instead of 1. An unref'ed timer still fires while the engine is busy (its
// open database socket keeps the process alive); it just no longer delays the exit.
const original = globalThis.setTimeout;
globalThis.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const t = original.call(this, fn, ms, ...args);
  if (typeof ms === "number" && ms >= 5000 && t && typeof t.unref === "function") t.unref();
  return t;
};
