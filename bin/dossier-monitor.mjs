#!/usr/bin/env node
// The `dossier-monitor` command: the JavaScript that `npm ci` (and `npm run build`) compiles from
// cli/ into dist/, so it starts at once (scripts/build.mjs).
// The local tools run on Node 20; Lambda runs the same code on Node 22 (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
let cli;
try {
  cli = await import("../dist/cli.mjs");
} catch (e) {
  if (e?.code !== "ERR_MODULE_NOT_FOUND" || !String(e.message).includes("dist/cli.mjs")) throw e;
  process.stderr.write("dossier-monitor is not built: run `npm run build` (npm ci does it)\n");
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
