#!/usr/bin/env node
// The `dossier-monitor` command: runs the TypeScript sources through tsx, so it works right
// after `npm ci` with no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
