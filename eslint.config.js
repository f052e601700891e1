import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { boundariesPlugin } from "./infra/lint/boundaries.js";

export default tseslint.config(
  { ignores: ["node_modules/**", ".cache/**", "dist/**", "bench/results/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
        fetch: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        TextEncoder: "readonly",
        TextDecoder: "readonly",
      },
    },
    plugins: { sluice: boundariesPlugin },
    rules: {
      "sluice/boundaries": "error",
      "sluice/raw-collections": "error",
      "sluice/tenant-keys": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // The operators' console runs in the browser (api/console/, no build step).
    files: ["api/console/**/*.js"],
    languageOptions: {
      sourceType: "module",
      globals: {
        document: "readonly",
        window: "readonly",
        location: "readonly",
        sessionStorage: "readonly",
        FormData: "readonly",
        URLSearchParams: "readonly",
        atob: "readonly",
      },
    },
  },
  {
    // Every job write is a named operation of the job store (shared/jobs/job-store.ts): the bare
    // compare-and-set is for the store's own modules (and its contract tests), not for callers.
    files: ["workers/**/*.ts", "scheduler/**/*.ts", "shared/**/*.ts", "demo/**/*.ts"],
    ignores: ["shared/jobs/**"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: "CallExpression[callee.property.name='casUpdate']",
          message:
            "write a job through a named JobStore operation (checkpoint, rest, park, finish, cancel...), not casUpdate",
        },
      ],
    },
  },
);
