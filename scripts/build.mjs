// Builds the command line (and the local stack it starts) to JavaScript, so `dossier-monitor`
// starts in milliseconds instead of compiling TypeScript at every run. `npm ci` runs it (the
// `prepare` script), and so do `npm start` and `npm test`, so the build is never stale; it takes
// well under a second. Packages stay external: they load from node_modules as usual.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const BUNDLED = new Set(["zod", "commander"]);
const EXTERNAL = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
  .filter((name) => !BUNDLED.has(name))
  .flatMap((name) => [name, `${name}/*`]);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = resolve(root, "dist");
// Built beside dist/, then moved in file by file, the entry last, and the chunks of earlier builds
// kept a day: a command running meanwhile (`npm test` and `npm start` build) loads its chunks lazily,
// by the names its own build gave them, and must still find them.
const outdir = resolve(root, `dist.next-${process.pid}`);
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

mkdirSync(dist, { recursive: true });
const built = readdirSync(outdir);
const entry = (name) => name.startsWith("cli.");
for (const name of [...built.filter((n) => !entry(n)), ...built.filter(entry)])
  renameSync(resolve(outdir, name), resolve(dist, name));
rmSync(outdir, { recursive: true, force: true });
// Only this build's own kind of file: dist/dashboard/ is another build's (build-dashboard.mjs). A
// build running at once may have removed or replaced a name meanwhile: what is gone is skipped.
const DAY_MS = 86_400_000;
for (const entry of readdirSync(dist, { withFileTypes: true })) {
  const name = entry.name;
  if (!entry.isFile() || !/\.mjs(\.map)?$/.test(name) || built.includes(name)) continue;
  const stat = statSync(resolve(dist, name), { throwIfNoEntry: false });
  if (stat && Date.now() - stat.mtimeMs > DAY_MS) rmSync(resolve(dist, name), { force: true });
}
