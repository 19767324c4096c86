import { defineConfig } from "vitest/config";

// jsdom for the DOM; Node's own fetch, Response and streams stay (jsdom has none),
// and every test passes its own fake fetch.
export default defineConfig({
  esbuild: { jsx: "automatic" },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
