// @ts-check
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/results/**", "coverage/**", ".stryker-tmp/**", "reports/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: "readonly", process: "readonly" }
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-control-regex": "off",
      "no-undef": "off"
    }
  },
  {
    // Layering: L0/L1 modules must stay pure (no node:* and no Effect runtime).
    files: ["src/internal/http1/**", "src/internal/headers/**", "src/internal/cookie/**", "src/internal/url/**", "src/internal/options/**", "src/internal/multipart/**", "src/internal/proxy/**", "src/internal/http3/**", "src/internal/error/**", "src/Url.ts", "src/Headers.ts", "src/HttpDate.ts", "src/Cookie.ts", "src/QueryString.ts", "src/Http1.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "effect", message: "L0/L1 modules import only effect/Data, Either, Option, Function, Equal, Hash, Inspectable, Predicate." }],
        patterns: [
          { group: ["node:*"], message: "L0/L1 modules are pure: no node:* imports (see docs/architecture.md)." },
          {
            group: ["effect/Effect", "effect/Stream", "effect/Clock", "effect/Layer", "effect/Scope", "effect/Fiber", "effect/Runtime", "effect/Schedule"],
            message: "L0/L1 modules do not use the Effect runtime."
          }
        ]
      }]
    }
  }
)
