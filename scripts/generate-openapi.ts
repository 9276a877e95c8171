/**
 * Writes docs/openapi.json (OpenAPI 3.1 of both HTTP APIs) from lib/http/openapi.ts, itself from the
 * routes and the handlers' zod schemas. `npm run openapi`; a test fails when the committed file is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderOpenApi } from "../lib/http/openapi";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
writeFileSync(join(root, "docs", "openapi.json"), renderOpenApi(version));
console.log("wrote docs/openapi.json");
