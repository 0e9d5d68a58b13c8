// Type-aware lint: an un-awaited promise in a bot is a lost message.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "core/db/generated/**", "data/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // plain Node scripts (the sandbox example, the prisma preload)
    files: ["**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", fetch: "readonly", URL: "readonly", globalThis: "readonly", setTimeout: "readonly" } },
  },
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // The import direction: bot -> core <- workers; core is the domain both build on; nothing in the
  // product imports sandbox/ (what runs only without a token), except bot/main.ts, which starts it.
  ...importDirection(),
);

function importDirection() {
  const away = (folders, why) => ({ regex: `^(\\.\\./)+(${folders.join("|")})(/|$)`, message: why });
  const rule = (...patterns) => ({ "no-restricted-imports": ["error", { patterns }] });
  const noSandbox = away(["sandbox"], "the product does not import sandbox/: only bot/main.ts (which starts sandbox mode) and the tests may");
  return [
    { files: ["core/**/*.ts"], rules: rule(away(["bot", "workers", "sandbox"], "core/ is the domain: it imports neither bot/, workers/ nor sandbox/")) },
    { files: ["workers/**/*.ts"], rules: rule(away(["bot"], "workers/ builds on core/, not on bot/"), noSandbox) },
    { files: ["bot/**/*.ts"], ignores: ["bot/main.ts"], rules: rule(away(["workers"], "bot/ builds on core/, not on workers/ internals"), noSandbox) },
    { files: ["bot/main.ts"], rules: rule(away(["workers"], "bot/ builds on core/, not on workers/ internals")) },
    { files: ["prisma/**/*.ts"], rules: rule(away(["bot", "workers", "sandbox"], "prisma/ holds the schema: it imports no application folder")) },
  ];
}
