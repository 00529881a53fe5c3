// Lint rules for every workspace: typescript-eslint's recommended set everywhere, and Canva's
// shareable `apps` config for the panel.
import js from "@eslint/js";
import canva from "@canva/app-eslint-plugin";
import globals from "globals";
import tseslint from "typescript-eslint";

const PANEL = "canva-app/**/*.{ts,tsx}";

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/dist/**",
      "server/dist-*/**",
      "**/.data/**",
      "test-artifacts/**",
      "server/models/**",
      "**/.scratch/**",
      "server/eval/.cache/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  ...canva.configs.apps.map((config) => ({ ...config, files: [PANEL] })),
  // Canva's config enables eslint-plugin-jest, which must be told a version when Jest is absent.
  {
    files: [PANEL],
    languageOptions: { globals: { ...globals.browser } },
    settings: { jest: { version: 29 } },
  },
);
