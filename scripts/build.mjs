// Builds the command line (and the local stack it starts) to JavaScript, so `dossier-monitor`
// starts in milliseconds instead of compiling TypeScript at every run. `npm ci` runs it (the
// `prepare` script), and so do `npm start` and `npm test`, so the build is never stale; it takes
// well under a second. Packages stay external: they load from node_modules as usual.
import { readFileSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const BUNDLED = new Set(["zod", "commander"]);
const EXTERNAL = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);
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
  // zod and commander are bundled: every run loads them, and resolving their many files from
  // node_modules costs more than the run's own work. Other packages (the AWS SDK, the emulators,
  // the XLSX writer) load from node_modules, and only when a command needs them.
  external: EXTERNAL,
  sourcemap: "linked",
  // commander is CommonJS: its require() of Node's own modules needs a real require in ESM.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
