/**
 * Screenshots of the dashboard's views, for the README (docs/screenshots/dashboard-*.png), taken
 * in Debian's chromium through playwright-core. By default it starts its own local stack on the
 * seed quarter (tests/helpers/dashboard-stack.ts: a clock that stands still, so the pictures do
 * not change between runs; the seed's units under a small agency tree). `--api URL --key K
 * [--agency-key K] [--out DIR]` shoots a running stack (the agency-scoped view only with
 * `--agency-key`, a reader key scoped to agencies).
 *
 *   npm run screenshot:dashboard
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Browser, chromium, type Page } from "playwright-core";
import { SCOPED_UNIT, startDashboardStack, TREE_ROOT } from "../tests/helpers/dashboard-stack";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

const { values } = parseArgs({
  options: {
    api: { type: "string" },
    key: { type: "string" },
    "agency-key": { type: "string" },
    out: { type: "string", default: "docs/screenshots" },
  },
});

const out = resolve(values.out as string);
mkdirSync(out, { recursive: true });

let stop = async () => {};
let api = values.api;
let key = values.key;
let agencyKey = values["agency-key"];
if (!api || !key) {
  process.stdout.write("starting a local stack on the seed quarter (about a minute)…\n");
  const started = await startDashboardStack();
  api = started.stack.urls.api;
  key = started.reader;
  agencyKey = started.agencyScoped;
  stop = started.stack.stop;
}

async function shoot(page: Page, name: string, url: string, ready: string, fullPage = true) {
  await page.goto(url);
  await page.waitForSelector(ready);
  // The page has loaded its figures: nothing is busy.
  await page.waitForFunction("!document.querySelector('[aria-busy=true]')");
  await page.screenshot({ path: join(out, `dashboard-${name}.png`), fullPage });
  process.stdout.write(`  ${join(values.out as string, `dashboard-${name}.png`)}\n`);
}

let browser: Browser | undefined;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
  const base = `${api}/dashboard`;
  await shoot(desktop, "office", `${base}#key=${encodeURIComponent(key)}`, "#units-h");
  await shoot(desktop, "unit", `${base}#/unit/${SCOPED_UNIT}`, "[data-list=overdue]");
  const first = await desktop.getAttribute("[data-list=overdue] a.dossier-id", "href");
  if (first) await shoot(desktop, "dossier", `${base}${first}`, ".timeline");
  await shoot(desktop, "quality", `${base}#/quality`, "#u-h");
  await shoot(desktop, "downloads", `${base}#/downloads`, ".downloads");
  // The agency tree: the district's node, with its blocks and units ranked under it.
  await shoot(desktop, "agency", `${base}#/agency/${TREE_ROOT}`, "#children-h");
  if (agencyKey) {
    // A key scoped to the land block opens on its own node (a context of its own: its own session).
    const scoped = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
    await shoot(scoped, "agency-scoped", `${base}#key=${encodeURIComponent(agencyKey)}`, "#children-h");
    await scoped.close();
  }
  const phone = await browser.newPage({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  // The first screen a department head sees on a phone.
  await shoot(phone, "phone", `${base}#key=${encodeURIComponent(key)}`, "#units-h", false);
  await desktop.click("button.lang");
  await desktop.goto(`${base}#/`);
  await shoot(desktop, "office-en", `${base}#/`, "#units-h");
} finally {
  await browser?.close();
  await stop();
}
