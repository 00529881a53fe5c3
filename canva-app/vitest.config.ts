// Component tests (jsdom) and the browser end-to-end test (node, *.e2e.test.ts). The app's
// sources get the same message-id transform as the bundle, so react-intl behaves as in Canva.
import { defineConfig } from "vitest/config";
import { addMessageIds, APP_SOURCE, hasMessages } from "./scripts/message-ids.mjs";

export default defineConfig({
  plugins: [
    {
      name: "message-ids",
      enforce: "pre",
      transform(code, id) {
        return APP_SOURCE.test(id) && hasMessages(code)
          ? { code: addMessageIds(code, id), map: null }
          : undefined;
      },
    },
  ],
  define: {
    BACKEND_URL: JSON.stringify("http://backend.test"),
    REPORT_URL: JSON.stringify("https://report.test/report"),
  },
  esbuild: { jsx: "automatic" },
  test: {
    include: ["test/**/*.test.{ts,tsx}"],
    environment: "jsdom",
    setupFiles: ["./test/setup.ts"],
    // Pre-bundling App UI Kit halves the suite's time (PLATFORM.md).
    deps: { optimizer: { client: { enabled: true, include: ["@canva/app-ui-kit"] } } },
    testTimeout: 20_000,
  },
});
