// Builds the command line (and the local stack it starts) to JavaScript, so `dossier-monitor`
// starts in milliseconds instead of compiling TypeScript at every run. `npm ci` runs it (the
// `prepare` script), and so do `npm start` and `npm test`, so the build is never stale; it takes
// well under a second. Packages stay external: they load from node_modules as usual.
import { rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(root, "dist");
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: "cli/main.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
