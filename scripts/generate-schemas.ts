/**
 * Writes the JSON Schemas in events/schemas/ from the zod schemas of lib/domain/events/schema.ts
 * (the single source of truth). `npm run schemas`; a test fails when the committed files are stale.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { renderSchemas } from "../lib/domain/events/json-schema";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "events", "schemas");
mkdirSync(dir, { recursive: true });
for (const [file, text] of Object.entries(renderSchemas())) writeFileSync(join(dir, file), text);
console.log(`wrote ${Object.keys(renderSchemas()).length} schemas to events/schemas/`);
