import { execSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { catalogFileOf, parseStageConfig } from "../../infra/config";
import { bundlingOf } from "../../infra/project-function";
import { countingSettings, parseMonitorEnv, type RawEnv } from "../../lib/contracts/config";
import { catalogProcedures, ROOT } from "../helpers/fixtures";

/**
 * A province's procedure catalog (about 2,000 procedures) does not fit the 4 KB Lambda allows a
 * function's environment: the stage's catalog is written at synth to a file each function's bundle
 * carries beside its code, where the function reads it as its `CATALOG`. Tried here with the
 * bundling options the stack gives every function, and the same esbuild, without Docker or AWS.
 */
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "dm-bundled-catalog-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const procedures = catalogProcedures(2000);
const base = { stage: "prov", senderAddress: "a@ubnd.example.org", sesIdentity: "ubnd.example.org" };

describe("the stage's catalog, bundled", () => {
  it("is copied beside each function's code by the bundling's hook, and read there as CATALOG", async () => {
    const config = parseStageConfig({ ...base, catalog: { procedures } });
    const file = join(ROOT, catalogFileOf(config.catalog as NonNullable<typeof config.catalog>));
    expect(readFileSync(file, "utf8").length).toBeGreaterThan(200_000);
    const out = tempDir();
    // The hook the stack's functions run after esbuild, as CDK runs it (a shell command).
    const hooks = bundlingOf(
      catalogFileOf(config.catalog as NonNullable<typeof config.catalog>),
    ).commandHooks;
    for (const command of hooks?.afterBundling(ROOT, out) ?? []) execSync(command);
    // The module that reads it, bundled as a function's code is.
    await build({
      entryPoints: [join(ROOT, "functions", "commons", "env.ts")],
      outfile: join(out, "index.mjs"),
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
    });
    const { lambdaEnv } = (await import(pathToFileURL(join(out, "index.mjs")).href)) as {
      lambdaEnv: (env: RawEnv) => RawEnv;
    };
    const env = lambdaEnv({ TABLE_NAME: "dossier-monitor-prov" });
    expect(env.CATALOG).toBe(readFileSync(file, "utf8"));
    const parsed = parseMonitorEnv(env);
    expect(parsed.CATALOG.procedures.size).toBe(2000);
    // The deadlines the functions count with come from it.
    expect(countingSettings(parsed).catalog?.get("1.001999")).toMatchObject({ days: 10 });
    // A CATALOG the environment sets itself wins; and a bundle without the file reads none.
    expect(lambdaEnv({ TABLE_NAME: "t", CATALOG: "{}" }).CATALOG).toBe("{}");
    rmSync(join(out, "catalog.json"));
    expect(lambdaEnv({ TABLE_NAME: "t" })).not.toHaveProperty("CATALOG");
  });

  it("adds no hook to a stage without a catalog, and names the file by its content", () => {
    expect(bundlingOf().commandHooks).toBeUndefined();
    const catalog = parseStageConfig({ ...base, catalog: { procedures: procedures.slice(0, 3) } }).catalog;
    const other = parseStageConfig({ ...base, catalog: { procedures: procedures.slice(3, 6) } }).catalog;
    if (!catalog || !other) throw new Error("no catalog parsed");
    expect(catalogFileOf(catalog)).toBe(catalogFileOf(catalog));
    expect(catalogFileOf(catalog)).not.toBe(catalogFileOf(other));
  });
});
