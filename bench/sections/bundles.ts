import { join } from "node:path";
import { ROOT, results, row } from "../common";

/** Each function bundled as the CDK stack bundles it, its size, and the time to import it cold. */
export async function benchBundles() {
  const { build } = await import("esbuild");
  const { execFileSync } = await import("node:child_process");
  const { mkdirSync, readdirSync, statSync } = await import("node:fs");
  const outDir = join(ROOT, "cdk.out", "bench-bundles");
  mkdirSync(outDir, { recursive: true });
  const out: Record<string, unknown> = {};
  // The Lambda entries (functions/lambda/), as NodejsFunction bundles them: the root and its clients.
  for (const file of readdirSync(join(ROOT, "functions", "lambda"))
    .filter((f) => f.endsWith(".ts"))
    .sort()) {
    const name = file.replace(/\.ts$/, "");
    const outfile = join(outDir, `${name}.mjs`);
    await build({
      entryPoints: [join(ROOT, "functions", "lambda", file)],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      minify: true,
      external: ["@aws-sdk/*"],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
      outfile,
      logLevel: "silent",
    });
    const bytes = statSync(outfile).size;
    const env = {
      ...process.env,
      TABLE_NAME: "bench",
      EVENT_BUS_NAME: "bench",
      SENDER_ADDRESS: "a@example.org",
      AWS_REGION: "ap-southeast-1",
    };
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const script = `const t=performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now()-t)`;
      times.push(
        Number(
          execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, cwd: ROOT })
            .toString()
            .trim(),
        ),
      );
    }
    times.sort((a, b) => a - b);
    const median = times[2] as number;
    out[name] = { bytes, coldImportMs: Number(median.toFixed(1)) };
    row(
      `Bundle: ${name}`,
      `${(bytes / 1024).toFixed(0)} KB minified; cold import ${median.toFixed(0)} ms${bytes > 400 * 1024 ? " (over the 400 KB budget)" : ""}`,
      "esbuild with the stack's options (ESM, node22, minified, AWS SDK external); import time of the bundle in a fresh Node process, median of 5, SDK from node_modules",
    );
  }
  results.bundles = out;
}
