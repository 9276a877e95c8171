import type { Browser } from "playwright-core";
import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { results, row } from "../common";

/** The dashboard's budget for its first view, in bytes transferred: README "The dashboard". */
export const DASHBOARD_BUDGET_BYTES = 150 * 1024;

interface FirstView {
  total: number;
  files: number;
  requests: number;
  ms: number;
}

/**
 * The bytes one first view transfers in a fresh context (its own cache): the page, its script and
 * style sheet as served, and the API's answers it reads; and the time from opening the link to
 * `ready` on screen.
 */
async function firstView(browser: Browser, url: string, ready: string): Promise<FirstView> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    const sizes: Promise<{ url: string; bytes: number }>[] = [];
    page.on("requestfinished", (req) =>
      sizes.push(
        req.sizes().then((s) => ({
          url: new URL(req.url()).pathname,
          bytes: s.responseBodySize + s.responseHeadersSize,
        })),
      ),
    );
    const started = performance.now();
    await page.goto(url);
    await page.waitForSelector(ready);
    await page.waitForFunction("!document.querySelector('[aria-busy=true]')");
    const ms = performance.now() - started;
    const got = await Promise.all(sizes);
    const total = got.reduce((a, x) => a + x.bytes, 0);
    const files = got.filter((x) => x.url.startsWith("/dashboard")).reduce((a, x) => a + x.bytes, 0);
    return { total, files, requests: got.length, ms: Math.round(ms) };
  } finally {
    await page.close();
  }
}

const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
const weight = (v: FirstView) =>
  `${kb(v.total)} in ${v.requests} requests (page, script and style ${kb(v.files)}; the API's answers ${kb(v.total - v.files)}); budget ${kb(DASHBOARD_BUDGET_BYTES)}${v.total > DASHBOARD_BUDGET_BYTES ? " — OVER" : ""}`;

/**
 * The dashboard's page weight: the bytes a browser transfers for the first view, measured in
 * Debian's chromium on the dashboard's test stack (the seed quarter, its units under a small
 * agency tree): the office, as an office-wide key opens it, and an agency's node, as a key scoped
 * to that agency opens it; and the time from opening the link to the figures on screen.
 */
export async function benchDashboard(dynamo: RunningDynamo) {
  const { chromium } = await import("playwright-core");
  const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import("../../scripts/chromium");
  const { startDashboardStack } = await import("../../tests/helpers/dashboard-stack");
  const { DASHBOARD_ASSETS } = await import("../../lib/http/dashboard-assets");
  const d = await startDashboardStack({ dynamoEndpoint: dynamo.endpoint });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  let seedStopped = false;
  try {
    const link = (key: string) => `${d.stack.urls.api}/dashboard#key=${encodeURIComponent(key)}`;
    const office = await firstView(browser, link(d.reader), "#units-h");
    const agency = await firstView(browser, link(d.agencyScoped), "#children-h");
    const gzip = Object.values(DASHBOARD_ASSETS).reduce(
      (a, x) => a + Buffer.from(x.gzip, "base64").length,
      0,
    );
    const raw = Object.values(DASHBOARD_ASSETS).reduce((a, x) => a + x.bytes, 0);
    results.dashboard = {
      firstViewBytes: office.total,
      staticBytes: office.files,
      apiBytes: office.total - office.files,
      requests: office.requests,
      firstViewMs: office.ms,
      agencyFirstViewBytes: agency.total,
      agencyApiBytes: agency.total - agency.files,
      agencyRequests: agency.requests,
      agencyFirstViewMs: agency.ms,
      filesGzipBytes: gzip,
      filesRawBytes: raw,
      budgetBytes: DASHBOARD_BUDGET_BYTES,
    };
    const how =
      "chromium (playwright-core) on the seed quarter's local stack, a fresh context each, response bodies and headers as transferred (files gzip; the API's answers of 1 KB or more gzipped by the query API, since API Gateway compresses nothing)";
    row("Dashboard: first view (the office), transferred", weight(office), how);
    row("Dashboard: first view of an agency-scoped key (its node), transferred", weight(agency), how);
    row(
      "Dashboard: files",
      `${kb(raw)} minified, ${kb(gzip)} gzip; figures on screen ${office.ms} ms (office), ${agency.ms} ms (agency) after opening the link`,
      "lib/http/dashboard-assets.ts (scripts/build-dashboard.mjs: esbuild, minified); time from page.goto to the view loaded, same machine as the API",
    );
    // One stack at a time on the machine: the seed's goes before the province's starts.
    await d.stack.stop();
    seedStopped = true;
    const province = await provinceFirstView(browser, dynamo);
    results.dashboard = {
      ...(results.dashboard as object),
      provinceFirstViewBytes: province.total,
      provinceApiBytes: province.total - province.files,
      provinceFirstViewMs: province.ms,
    };
    row(
      "Dashboard: first view of the synthetic province, transferred",
      weight(province),
      `the province's demo key (province-wide) on npm start -- --province's stack (events/units/province-sample.json: ${province.units.toLocaleString("en")} units; 2025-Q3, 8,000 dossiers; the seed's catalog), otherwise as above`,
    );
  } finally {
    await browser.close();
    if (!seedStopped) await d.stack.stop();
  }
}

/**
 * The first view of a province-wide key on the stack `npm start -- --province` starts (the
 * synthetic province's tree and a quarter of its events): what grows with the tree, `/me` and
 * `/agencies`, at a province's size.
 */
async function provinceFirstView(browser: Browser, dynamo: RunningDynamo) {
  const { demoStackOptions } = await import("../../cli/serve");
  const { PROVINCE_DEFAULTS } = await import("../../cli/serve-options");
  const { startLocalStack } = await import("../../dev/local/stack");
  const options = {
    province: true,
    dataDir: "",
    clock: PROVINCE_DEFAULTS.clock,
    speed: 0,
    apiPort: 0,
    eventbridgePort: 0,
    units: PROVINCE_DEFAULTS.units,
  };
  const demo = demoStackOptions(options, Date.parse(PROVINCE_DEFAULTS.clock));
  const stack = await startLocalStack({
    ...demo,
    senderAddress: `dashboard-province-${Date.now()}@ubnd.example.org`,
    dynamoEndpoint: dynamo.endpoint,
    tableName: `dashboard-province-${Date.now()}`,
  });
  try {
    const key = (stack.keys as { reader: string }).reader;
    const view = await firstView(
      browser,
      `${stack.urls.api}/dashboard#key=${encodeURIComponent(key)}`,
      "#units-h",
    );
    return { ...view, units: demo.directory.units.length };
  } finally {
    await stack.stop();
  }
}
