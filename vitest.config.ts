import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DynamoDB Local is one JVM for the whole run (tests/helpers/global-setup.ts); files run in
    // parallel on their own tables.
    pool: "forks",
    // At least two files at once: on a 2-core machine Vitest's default (cores − 1) is one, while
    // most files wait on DynamoDB Local, SES local or the browser. Measured on this machine, one
    // run each (2026-12-06): 361 s with one, 299 s with two. More cores keep the default.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: ["tests/helpers/global-setup.ts"],
    // One seed for every property test (tests/helpers/fast-check-seed.ts; `FC_SEED` for others).
    setupFiles: ["tests/helpers/fast-check-seed.ts"],
    env: {
      POWERTOOLS_LOG_LEVEL: "SILENT",
      POWERTOOLS_METRICS_DISABLED: "true",
      AWS_REGION: "ap-southeast-1",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  },
});
