import { gunzipSync } from "node:zlib";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf, displayNames } from "../app/directory";
import { agencyOfficialOutputs, officialOutputs } from "../app/official";
import {
  agencyPeriodReport,
  countOrphans,
  type KpiDeps,
  type PeriodReport,
  periodReport,
} from "../app/period-report";
import type { DossierLog, DossierUnits, KeyStore, QuarantineReader, SlaLists } from "../app/ports";
import { reportingAgencyNames } from "../domain/agency-rollup";
import type { OfficialForm } from "../domain/official/form";
import type { NationalIndex } from "../domain/official/index766";
import { err, isErr, ok, type Result } from "../domain/result";
import { localDate } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import type * as z from "../domain/zod";
import { exportFileName, reportCsvFile, reportXlsx } from "../render/exports";
import { formCsvFile, formFileName, formXlsx } from "../render/form";
import { agencyFigures } from "./agencies";
import { admit, type Credential, scopeToAgencies } from "./auth";
import { dashboardFile, dataQuality, indexTrend, whoReads } from "./dashboard";
import { dossierDetail, dossierList, quarantineList } from "./dossier-routes";
import { OPENAPI_GZIP_BASE64 } from "./openapi-served";
import { ExportQuery, FormQuery, IndexQuery, KpisQuery } from "./queries";
import {
  officeWide,
  oneScope,
  parseQuery,
  resolvePeriod,
  scopedAgency,
  scopedUnit,
  unknownUnit,
} from "./query-params";
import { acceptsGzip, compressed, file, type HttpResult, json, problem } from "./responses";

/**
 * The read-only API (leadership dashboards, the CLI): `GET /kpis`, `GET /kpis/export`,
 * `GET /dossiers/{id}`, `GET /dossiers?unit=&sla=`, `GET /quarantine`, and the public
 * `GET /openapi.json`. Every bad parameter is answered 400 naming it.
 */

/**
 * `GET /openapi.json`: the committed document (`npm run openapi` writes it from lib/http/openapi.ts,
 * with its compressed copy in ./openapi-served.ts; a test fails when either is stale), bundled
 * rather than generated at cold start: no schema conversion on a cold start, and the bytes served
 * are the ones the validator checked. Compressed, the bundle carries 5 KB instead of 28 KB: sent as
 * it is to a client that takes gzip, unpacked once for one that does not. Cacheable: it changes
 * only with a deployment.
 */
const OPENAPI_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "public, max-age=300",
  "x-content-type-options": "nosniff",
  vary: "accept-encoding",
};
let openApiPlain: string | undefined;
function openApi(event: APIGatewayProxyEventV2): HttpResult {
  if (acceptsGzip(event.headers?.["accept-encoding"]))
    return {
      statusCode: 200,
      headers: { ...OPENAPI_HEADERS, "content-encoding": "gzip" },
      body: OPENAPI_GZIP_BASE64,
      isBase64Encoded: true,
    };
  openApiPlain ??= gunzipSync(Buffer.from(OPENAPI_GZIP_BASE64, "base64")).toString("utf8");
  return { statusCode: 200, headers: OPENAPI_HEADERS, body: openApiPlain };
}

/** What the reader routes read: the KPI figures, the dossiers' lists and pages, the quarantine. */
export type ReaderDeps = KpiDeps & {
  dossiers: SlaLists & DossierUnits & Pick<DossierLog, "getWithLog">;
  quarantine: QuarantineReader;
};

/**
 * The query API's dependencies: the reader routes', and the keys and rate windows the gate checks.
 * The unit directory may be given as a loader (the Lambda's, cached a minute): it is then read
 * only for a request the gate let through to a keyed route, so a refused request costs no read and
 * the public description does not depend on it.
 */
export type QueryApiDeps = Omit<ReaderDeps, "units"> &
  KeyStore & {
    units: UnitDirectory | (() => Promise<UnitDirectory>);
  };

export async function handleQuery(deps: QueryApiDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  return compressed(await route(deps, event), event.headers?.["accept-encoding"]);
}

const rootOf = (deps: KpiDeps) => agencyTreeOf(deps.units).rootId;

/**
 * The report a `/kpis` or `/kpis/export` query names: an agency's, a unit's, or the
 * office's, each checked against the key's scope; or the 4xx saying why not.
 */
async function scopedReport(
  deps: KpiDeps,
  credential: Credential,
  q: { period?: string; unit?: string; agency?: string },
): Promise<Result<PeriodReport, HttpResult>> {
  const both = oneScope(q);
  if (both) return err(both);
  const periodResult = resolvePeriod(deps, q.period);
  if (isErr(periodResult)) return periodResult;
  const period = periodResult.value;
  if (q.agency !== undefined) {
    const agency = scopedAgency(deps, credential, q.agency, period);
    if (isErr(agency)) return agency;
    const report = await agencyPeriodReport(deps, period, agency.value);
    // scopedAgency checked the agency is in the tree for the period: its report exists.
    if (!report) throw new Error(`no report for agency ${agency.value} in ${period.name}`);
    return ok(report);
  }
  const unitResult = scopedUnit(credential, q.unit);
  if (isErr(unitResult)) return unitResult;
  const report = await periodReport(deps, period, unitResult.value);
  const missing = await unknownUnit(deps, period, unitResult.value, report);
  return missing ? err(missing) : ok(report);
}

/**
 * A scoped key's report without `basis.itemsRead`: a unit's figures come from the whole period's
 * counter items (about one per unit of the office), a count outside the key's scope.
 */
function withoutItemsRead(report: PeriodReport): PeriodReport {
  const { itemsRead: _, ...basis } = report.basis;
  return { ...report, basis } as PeriodReport;
}

async function kpisOrExport({ deps, credential, event, path }: QueryRequest): Promise<HttpResult> {
  const qResult = parseQuery(path === "/kpis" ? KpisQuery : ExportQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  const reportResult = await scopedReport(deps, credential, q);
  if (isErr(reportResult)) return reportResult.error;
  const report = reportResult.value;
  if (path === "/kpis") {
    // Orphans have no unit, so no counter: the whole office's report counts them (as the KPI email
    // does: the dossiers whose receipt has not arrived, now) for an office-wide key.
    const whole =
      !credential.units && report.unit === null && (report.agency ?? rootOf(deps)) === rootOf(deps);
    if (whole) {
      // Counted up to a bound (lib/app/ports.ts QUALITY_COUNT_BOUND): `orphanDossiersAtLeast` says
      // when more were left unread.
      const orphans = await countOrphans(deps);
      report.dataQuality = {
        ...report.dataQuality,
        orphanDossiers: orphans.count,
        ...(orphans.atLeast && { orphanDossiersAtLeast: true }),
      };
    }
    return json(200, credential.units ? withoutItemsRead(report) : report);
  }
  const { format, lang } = q as z.infer<typeof ExportQuery>;
  const names = displayNames(deps.units, lang);
  const agencies = reportingAgencyNames(agencyTreeOf(deps.units), report, lang);
  return format === "csv"
    ? file(
        reportCsvFile(report, lang, names, agencies),
        "text/csv; charset=utf-8",
        exportFileName(report, "csv"),
      )
    : file(
        await reportXlsx(report, lang, names, agencies),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        exportFileName(report, "xlsx"),
      );
}

/**
 * Form II.06a and the index of what a query names: an agency's (from its counters), or the
 * office's; the index also a unit's. The form of an agency whose period holds dossiers counted
 * before the unit counters held the level/domain split is refused (409): its rows cannot place
 * them (docs/kpis.md "One node's counters").
 */
async function scopedOutputs(
  deps: KpiDeps,
  credential: Credential,
  q: { period?: string; unit?: string; agency?: string; lang?: "vi" | "en" },
  what: "form" | "index",
): Promise<Result<{ form: OfficialForm; index: NationalIndex; agency?: string }, HttpResult>> {
  const both = oneScope(q);
  if (both) return err(both);
  const periodResult = resolvePeriod(deps, q.period);
  if (isErr(periodResult)) return periodResult;
  const period = periodResult.value;
  if (q.agency === undefined) {
    const unit = what === "index" ? scopedUnit(credential, q.unit) : ok(undefined);
    if (isErr(unit)) return unit;
    const missing = await unknownUnit(deps, period, unit.value);
    if (missing) return err(missing);
    return ok(await officialOutputs(deps, period, unit.value, q.lang));
  }
  const agency = scopedAgency(deps, credential, q.agency, period);
  if (isErr(agency)) return agency;
  const outputs = await agencyOfficialOutputs(deps, period, agency.value, q.lang);
  if (!outputs) throw new Error(`no outputs for agency ${agency.value} in ${period.name}`);
  if (what === "form" && outputs.unsplit)
    return err(
      problem(409, `form II.06a of agency ${agency.value} cannot be made for period ${period.name}`, [
        {
          path: "agency",
          message:
            "some of its dossiers were counted before the unit counters held levels and domains: the office's form has them",
        },
      ]),
    );
  return ok({ ...outputs, agency: agency.value });
}

async function kpisForm({ deps, credential, event }: QueryRequest): Promise<HttpResult> {
  // Without an agency the form is the office's: its rows are levels and domains, not units.
  if (event.queryStringParameters?.agency === undefined) {
    const office = officeWide(credential, "form II.06a");
    if (isErr(office)) return office.error;
  }
  const qResult = parseQuery(FormQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  const outputs = await scopedOutputs(deps, credential, q, "form");
  if (isErr(outputs)) return outputs.error;
  const { form, agency } = outputs.value;
  if (q.format === "json") return json(200, agency ? { ...form, agency } : form);
  return q.format === "csv"
    ? file(formCsvFile(form, q.lang), "text/csv; charset=utf-8", formFileName(form, "csv", agency))
    : file(
        await formXlsx(form, q.lang),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        formFileName(form, "xlsx", agency),
      );
}

async function kpisIndex({ deps, credential, event }: QueryRequest): Promise<HttpResult> {
  const qResult = parseQuery(IndexQuery, event);
  if (isErr(qResult)) return qResult.error;
  const { byUnit, ...q } = qResult.value;
  const outputs = await scopedOutputs(deps, credential, q, "index");
  if (isErr(outputs)) return outputs.error;
  const { index } = outputs.value;
  return json(200, byUnit === "false" ? { ...index, byUnit: [] } : index);
}

/** What a reader route's handler is given: the request, its admitted key, and the route's path. */
interface QueryRequest {
  deps: ReaderDeps;
  credential: Credential;
  event: APIGatewayProxyEventV2;
  path: string;
}
type QueryRoute = (request: QueryRequest) => Promise<HttpResult>;

/** The handler of each reader route of this API, by its path in lib/contracts/routes.ts. */
const QUERY_ROUTES: Record<string, QueryRoute | undefined> = {
  "/kpis": kpisOrExport,
  "/kpis/export": kpisOrExport,
  "/kpis/form": kpisForm,
  "/kpis/index": kpisIndex,
  "/dossiers": dossierList,
  "/quarantine": quarantineList,
  "/dossiers/{id}": dossierDetail,
  // The dashboard's read routes (./dashboard.ts).
  "/me": async ({ deps, credential }) => whoReads(deps, credential),
  "/kpis/trend": ({ deps, credential, event }) => indexTrend(deps, credential, event),
  "/quality": ({ deps, credential, event }) => dataQuality(deps, credential, event),
  "/agencies": ({ deps, credential, event }) => agencyFigures(deps, credential, event),
};

async function route(given: QueryApiDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const admittedResult = await admit(given, event, "query-api", given.now());
  if (isErr(admittedResult)) return admittedResult.error;
  const admitted = admittedResult.value;
  const path = admitted.route.path;
  if (path === "/openapi.json") return openApi(event);
  if (path === "/dashboard" || path === "/dashboard/{file}") return dashboardFile(event);
  const { credential } = admitted;
  // Every other route of this API takes a reader key (lib/contracts/routes.ts).
  if (!credential) return problem(404, "no such route");
  const units = typeof given.units === "function" ? await given.units() : given.units;
  const deps: ReaderDeps = { ...given, units };
  const handler = QUERY_ROUTES[path];
  // A key scoped to agencies reads as one scoped to the units under them today (./auth.ts).
  const scoped = scopeToAgencies(credential, units, localDate(deps.now()));
  return handler ? handler({ deps, credential: scoped, event, path }) : problem(404, "no such route");
}
