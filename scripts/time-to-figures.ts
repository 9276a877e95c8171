/**
 * How long `npm start` takes to put the dashboard's figures on screen, as the README reports it:
 * starts `dossier-monitor serve --fresh` (built, as `npm start` builds it) with the arguments
 * given, opens the printed dashboard link in Debian's chromium as soon as it appears, and waits
 * for the office view's figures. Prints both instants from the start, then stops everything.
 *
 *   npx tsx scripts/time-to-figures.ts [serve options, e.g. --province --data-dir /tmp/p]
 */
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const build = spawn(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
await new Promise((resolve) => build.once("exit", resolve));
const serve = spawn(
  process.execPath,
  ["bin/dossier-monitor.mjs", "serve", "--fresh", ...process.argv.slice(2)],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const link = await new Promise<string>((resolve, reject) => {
  let out = "";
  serve.stdout.on("data", (d) => {
    out += String(d);
    process.stdout.write(d);
    const found = /Dashboard\s+(\S+)/.exec(out);
    if (found?.[1]) resolve(found[1]);
  });
  serve.once("exit", (code) => reject(new Error(`serve exited (${code}) before printing the link`)));
});
const linkAt = seconds();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
  await page.goto(link);
  await page.waitForSelector("#units-h", { timeout: 300_000 });
  await page.waitForFunction("!document.querySelector('[aria-busy=true]')");
  const cards = (await page.textContent(".cards"))?.replace(/\s+/g, " ").slice(0, 160);
  process.stdout.write(`\nlink printed at ${linkAt} s; figures on screen at ${seconds()} s: ${cards}\n`);
} finally {
  await browser.close();
  serve.kill("SIGINT");
  await new Promise((resolve) => serve.once("exit", resolve));
}
