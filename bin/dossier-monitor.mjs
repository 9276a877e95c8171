#!/usr/bin/env node
// The `dossier-monitor` command: runs the TypeScript sources through tsx, so it works right
// after `npm ci` with no build step.
import { register } from "tsx/esm/api";

// The local tools run on Node 20; Lambda runs the same code on Node 22 (see README).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
