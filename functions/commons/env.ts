/**
 * A Lambda function's environment as its composition root parses it (functions/lambda/), with
 * what its bundle carries. No AWS client here: the tests bundle this file alone.
 */
import { existsSync, readFileSync } from "node:fs";
import type { RawEnv } from "../../lib/contracts/config";

/**
 * The stage's procedure catalog, copied beside the bundle's code at synth
 * (infra/project-function.ts `bundlingOf`): a province's catalog is far larger than the 4 KB Lambda
 * allows a function's environment. Absent where nothing bundled the code (the local stack, tests).
 */
export const BUNDLED_CATALOG = "catalog.json";

/**
 * The function's environment as its composition root parses it: Lambda's, and the catalog its
 * bundle carries as `CATALOG` (parsed and checked as that variable is), unless the environment
 * sets one itself.
 */
export function lambdaEnv(
  env: RawEnv = process.env,
  bundled: URL = new URL(`./${BUNDLED_CATALOG}`, import.meta.url),
): RawEnv {
  if (env.CATALOG !== undefined || !existsSync(bundled)) return env;
  return { ...env, CATALOG: readFileSync(bundled, "utf8") };
}
