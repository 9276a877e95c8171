import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The project root. */
export const ROOT = join(import.meta.dirname, "..", "..");

/** The sample event of each type in events/samples/, by file name. */
export function loadSamples(): Map<string, unknown> {
  const dir = join(ROOT, "events", "samples");
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(join(dir, f), "utf8"))]),
  );
}

/** A text file of the project, by path from the root. */
export function readProjectFile(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}
