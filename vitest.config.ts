import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DynamoDB Local is one JVM for the whole run (tests/helpers/global-setup.ts); files run in
    // parallel on their own tables.
    pool: "forks",
  },
});
