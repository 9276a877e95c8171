import { gunzipSync } from "node:zlib";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf } from "../app/directory";
import { weeklyIndexes } from "../app/kpi-trend";
import { officialOutputs } from "../app/official";
import { countOrphans, type KpiDeps, periodReport } from "../app/period-report";
import { rollUpDate } from "../domain/agency-rollup";
import { DOMAIN_NAMES, SEED_CATALOG } from "../domain/catalog";
import { type Period, periodBounds, periodOf, previousPeriod } from "../domain/periods";
import { isErr } from "../domain/result";
import { formatInstant, localDate } from "../domain/time";
import { nodeOf, topNodes, visibleNodes } from "./agencies";
import type { Credential } from "./auth";
import { DASHBOARD_ASSETS } from "./dashboard-assets";
import { QualityQuery, TrendQuery } from "./queries";
import { officeWide, parseQuery, resolvePeriod } from "./query-params";
import { acceptsGzip, badCursor, type HttpResult, json, problem } from "./responses";

/**
 * The dashboard, served by the query API on the API's own origin so that its requests
 * need no CORS: `GET /dashboard` (the page) and `GET /dashboard/{file}` (its script and style
 * sheet), public and static: the page holds no data, and reads the API with the reader key the
 * user gives it (in the URL fragment, which no browser sends to a server). The files are the
 * committed bundle of dashboard/ (`npm run build:dashboard` writes ./dashboard-assets.ts; a test
 * fails when it is stale), compressed, as the OpenAPI document is.
 *
 * Two read routes exist for its views and for any other reader: `GET /kpis/trend` (the 766 index
 * at each weekly snapshot, the email's trend lines) and `GET /quality` (the quarantined events
 * waiting, and the dossiers whose SLA is unknown). Both are office-wide, as the quarantine is.
 */

/** The page's policy: nothing inline, nothing from elsewhere, no framing, no forms. */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const DASHBOARD_HEADERS = {
  "content-security-policy": DASHBOARD_CSP,
  "strict-transport-security": "max-age=31536000; includeSubDomains",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** `GET /dashboard` and `GET /dashboard/{file}`: the bundled files, gzip to a client that takes it. */
export function dashboardFile(event: APIGatewayProxyEventV2): HttpResult {
  const path = event.rawPath.replace(/\/+$/, "");
  const name = path === "/dashboard" ? "index.html" : path.slice("/dashboard/".length);
  const asset = Object.hasOwn(DASHBOARD_ASSETS, name)
    ? DASHBOARD_ASSETS[name as keyof typeof DASHBOARD_ASSETS]
    : undefined;
  if (!asset) return { ...problem(404, "no such file"), headers: DASHBOARD_HEADERS };
  const ext = name.slice(name.lastIndexOf(".") + 1);
  const accepts = acceptsGzip(event.headers?.["accept-encoding"]);
  const gz = Buffer.from(asset.gzip, "base64");
  return {
    statusCode: 200,
    headers: {
      ...DASHBOARD_HEADERS,
      "content-type": TYPES[ext] ?? "application/octet-stream",
      // The page's name never changes; the script's and style's carry their hash (dashboard-assets.ts).
      "cache-control": name === "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
      vary: "accept-encoding",
      ...(accepts ? { "content-encoding": "gzip" } : {}),
    },
    body: (accepts ? gz : gunzipSync(gz)).toString("base64"),
    isBase64Encoded: true,
  };
}

/** How many periods `GET /me` offers, newest first. */
const PERIODS_OFFERED = 8;

/** The current period, or the last one begun: the one `/me` offers first. */
function offeredPeriod(deps: KpiDeps, now: number): Period | undefined {
  const period = periodOf(deps.scheme, now);
  if (period || deps.scheme.kind !== "explicit") return period;
  return [...deps.scheme.windows]
    .filter((w) => periodBounds(w).start <= now)
    .sort((a, b) => (a.from < b.from ? 1 : -1))[0];
}

/**
 * The agencies a key reads from and the tree under them, on the offered
 * period's roll-up date (today without one): ids, kinds, names and parents, no figures (those are
 * `GET /agencies`'s, per period). `null` for a key scoped to units.
 */
function treeOfKey(deps: KpiDeps, credential: Credential, period: Period | undefined) {
  const tree = agencyTreeOf(deps.units);
  const at = period ? rollUpDate(period) : localDate(deps.now());
  const tops = topNodes(tree, credential, at);
  if (!tops) return { agencies: [], tree: null };
  return {
    agencies: tops.map((id) => nodeOf(tree, id, null)),
    tree: { flat: tree.flat, at, roots: tops, nodes: visibleNodes(tree, tops, at) },
  };
}

/**
 * `GET /me`: what this reader key reads (the office, its units, or its agencies), each unit by its
 * names, the agency tree it sees, and the periods to pick from: the current one (or the last
 * begun) and those before it; and the names of domains and procedures. No contact of the directory
 * (names and addresses of people) is in it.
 */
export function whoReads(deps: KpiDeps, credential: Credential): HttpResult {
  const now = deps.now();
  const period = offeredPeriod(deps, now);
  const periods: { name: string; from: string; to: string }[] = [];
  for (let p = period; p && periods.length < PERIODS_OFFERED; p = previousPeriod(deps.scheme, p))
    periods.push({ name: p.name, from: p.from, to: p.to });
  const scope = credential.units;
  return json(200, {
    scope: credential.agencies ? "agencies" : scope ? "units" : "office",
    ...treeOfKey(deps, credential, period),
    units: deps.units.units
      .filter((u) => !scope || scope.includes(u.id))
      // With the dates it is in force, when the directory sets them: a province's directory keeps
      // its retired units (a merged commune's dossiers still count under them), which a picker of
      // the units of a period leaves out.
      .map((u) => ({
        id: u.id,
        name: { vi: u.nameVi, en: u.nameEn },
        ...(u.validFrom ? { validFrom: u.validFrom } : {}),
        ...(u.validTo ? { validTo: u.validTo } : {}),
      })),
    current: periodOf(deps.scheme, now)?.name ?? null,
    periods,
    // Names for the codes in the dossier lists, as the digests name them.
    domains: { ...DOMAIN_NAMES, ...deps.official?.domains },
    procedures: Object.fromEntries(
      [...(deps.catalog ?? SEED_CATALOG).procedures.values()].map((p) => [p.code, { vi: p.vi, en: p.en }]),
    ),
  });
}

/**
 * `GET /kpis/trend?period=`: the index at each weekly snapshot the KPI email kept (oldest first),
 * then now; with the previous period's name, when the scheme has one, for a period picker.
 */
export async function indexTrend(
  deps: KpiDeps,
  credential: Credential,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const office = officeWide(credential, "the index's trend");
  if (isErr(office)) return office.error;
  const qResult = parseQuery(TrendQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  const periodResult = resolvePeriod(deps, q.period);
  if (isErr(periodResult)) return periodResult.error;
  const period = periodResult.value;
  const weeks = await weeklyIndexes(deps, period);
  const now = (await officialOutputs(deps, period)).index;
  return json(200, {
    period: period.name,
    previous: previousPeriod(deps.scheme, period)?.name ?? null,
    points: [...weeks, { label: "now", index: now }].map((p) => ({
      label: p.label,
      asOf: p.index.asOf,
      indicators: p.index.indicators.map((i) => ({ id: i.id, rate: i.rate, fullPointsAt: i.fullPointsAt })),
    })),
  });
}

/**
 * `GET /quality?period=`: on its first page, how many quarantined events wait and how many
 * dossiers' SLA is unknown (events arrived for them, their receipt did not: orphans), and the
 * period's anomalies by kind from its counters (lib/domain/anomaly-counts.ts); on every page, a page
 * of those dossiers.
 */
export async function dataQuality(
  deps: KpiDeps,
  credential: Credential,
  event: APIGatewayProxyEventV2,
): Promise<HttpResult> {
  const office = officeWide(credential, "data quality");
  if (isErr(office)) return office.error;
  const qResult = parseQuery(QualityQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  const periodResult = resolvePeriod(deps, q.period);
  if (isErr(periodResult)) return periodResult.error;
  const period = periodResult.value;
  // The counts read whole partitions: on the first page only (a later one answers them null).
  const first = q.cursor === undefined;
  const [listed, quarantineWaiting, orphanDossiers, report] = await Promise.all([
    deps.dossiers.listBySla(null, "orphan", { limit: q.limit, cursor: q.cursor }),
    first ? deps.quarantine.waiting() : null,
    first ? countOrphans(deps) : null,
    first ? periodReport(deps, period) : null,
  ]);
  if (isErr(listed)) return badCursor(listed.error);
  const page = listed.value;
  const iso = (ms: number | undefined) => (ms === undefined ? null : formatInstant(ms));
  return json(200, {
    period: period.name,
    // The period's anomalies by kind, as GET /kpis and `report --events` count them.
    anomalies: report ? report.dataQuality.anomalies : null,
    // Every dossier whose SLA is unknown (events arrived, their receipt did not), whatever the period,
    // and the quarantined events still waiting, as the KPI email counts them (applied since: not):
    // each read up to a bound (lib/app/ports.ts QUALITY_COUNT_BOUND), `…AtLeast` when more were
    // left unread.
    orphanDossiers: orphanDossiers?.count ?? null,
    orphanDossiersAtLeast: orphanDossiers?.atLeast ?? null,
    quarantineWaiting: quarantineWaiting?.count ?? null,
    quarantineWaitingAtLeast: quarantineWaiting?.atLeast ?? null,
    unknownSla: page.items.map((d) => ({
      dossierId: d.dossierId,
      unitId: d.unitId ?? null,
      firstEventAt: iso(d.firstEventAt),
      lastEventAt: iso(d.lastEventAt),
      eventCount: d.eventCount,
      anomalies: d.anomalyCounts ?? {},
    })),
    cursor: page.cursor ?? null,
  });
}
