import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { results, row } from "../common";

/** The dashboard's budget for its first view (the office), in bytes transferred: README "The dashboard". */
export const DASHBOARD_BUDGET_BYTES = 150 * 1024;

/**
 * The dashboard's page weight: the bytes a browser transfers for the first view (the office of the
 * seed quarter: the page, its script and style sheet as served, and the API's answers it reads),
 * measured in Debian's chromium on the dashboard's test stack; and the time from opening the link
 * to the figures on screen.
 */
export async function benchDashboard(dynamo: RunningDynamo) {
  const { chromium } = await import("playwright-core");
  const { CHROMIUM_ARGS, CHROMIUM_PATH } = await import("../../scripts/chromium");
  const { startDashboardStack } = await import("../../tests/helpers/dashboard-stack");
  const { DASHBOARD_ASSETS } = await import("../../lib/http/dashboard-assets");
  const d = await startDashboardStack({ dynamoEndpoint: dynamo.endpoint });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
    await page.goto(`${d.stack.urls.api}/dashboard#key=${encodeURIComponent(d.reader)}`);
    await page.waitForSelector("#units-h");
    const ms = performance.now() - started;
    const got = await Promise.all(sizes);
    const total = got.reduce((a, x) => a + x.bytes, 0);
    const files = got.filter((x) => x.url.startsWith("/dashboard")).reduce((a, x) => a + x.bytes, 0);
    const gzip = Object.values(DASHBOARD_ASSETS).reduce(
      (a, x) => a + Buffer.from(x.gzip, "base64").length,
      0,
    );
    const raw = Object.values(DASHBOARD_ASSETS).reduce((a, x) => a + x.bytes, 0);
    results.dashboard = {
      firstViewBytes: total,
      staticBytes: files,
      apiBytes: total - files,
      requests: got.length,
      filesGzipBytes: gzip,
      filesRawBytes: raw,
      firstViewMs: Math.round(ms),
      budgetBytes: DASHBOARD_BUDGET_BYTES,
    };
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    row(
      "Dashboard: first view, transferred",
      `${kb(total)} in ${got.length} requests (page, script and style ${kb(files)}; the API's answers ${kb(total - files)}); budget ${kb(DASHBOARD_BUDGET_BYTES)}${total > DASHBOARD_BUDGET_BYTES ? " — OVER" : ""}`,
      "chromium (playwright-core) on the seed quarter's local stack, office view, response bodies and headers as transferred (files gzip, API JSON uncompressed, as API Gateway sends it)",
    );
    row(
      "Dashboard: files",
      `${kb(raw)} minified, ${kb(gzip)} gzip; figures on screen ${Math.round(ms)} ms after opening the link`,
      "lib/http/dashboard-assets.ts (scripts/build-dashboard.mjs: esbuild, minified); time from page.goto to the units table, same machine as the API",
    );
  } finally {
    await browser.close();
    await d.stack.stop();
  }
}
