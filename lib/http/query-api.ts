import { gunzipSync } from "node:zlib";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf, displayNames, mentionedUnitNames } from "../app/directory";
import { agencyOfficialOutputs, officialOutputs } from "../app/official";
import {
  agencyPeriodReport,
  countOrphans,
  type KpiDeps,
  type PeriodReport,
  periodReport,
} from "../app/period-report";
import type { DossierLog, KeyStore, QuarantineReader, SlaLists } from "../app/ports";
import { normaliseCode } from "../domain/events/schema";
import type { OfficialForm } from "../domain/official/form";
import type { NationalIndex } from "../domain/official/index766";
import { unitNamed } from "../domain/ownership";
import { canonicalEvents } from "../domain/projection";
import { NO_UNIT } from "../domain/records";
import { err, isErr, ok, type Result } from "../domain/result";
import { formatInstant, localDate } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import type * as z from "../domain/zod";
import { exportFileName, reportCsvFile, reportXlsx } from "../render/exports";
import { formCsvFile, formFileName, formXlsx } from "../render/form";
import { agencyFigures } from "./agencies";
import { admit, type Credential, scopeToAgencies } from "./auth";
import { dashboardFile, dataQuality, indexTrend, whoReads } from "./dashboard";
import { OPENAPI_GZIP_BASE64 } from "./openapi-served";
import { ExportQuery, FormQuery, IndexQuery, KpisQuery, ListQuery, QuarantineQuery } from "./queries";
import {
  officeWide,
  oneScope,
  parseQuery,
  resolvePeriod,
  scopedAgency,
  scopedUnit,
  unknownUnit,
} from "./query-params";
import { acceptsGzip, badCursor, compressed, file, type HttpResult, json, problem } from "./responses";

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

/** A stored body as JSON when it is (every body kept since lib/domain/events/redact.ts), else as text. */
function jsonOrText(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : formatInstant(ms));

/** The `{id}` of `/dossiers/{id}`, decoded and normalised as ids are at ingest, or the 400 naming it. */
function dossierIdOf(rawPath: string): Result<string, HttpResult> {
  const segment = rawPath.replace(/\/+$/, "").slice("/dossiers/".length);
  let id: string;
  try {
    id = normaliseCode(decodeURIComponent(segment));
  } catch {
    return err(
      problem(400, "invalid dossier id", [{ path: "id", message: "not a valid percent-encoded id" }]),
    );
  }
  if (id.length === 0 || id.length > 64)
    return err(problem(400, "invalid dossier id", [{ path: "id", message: "expected 1..64 characters" }]));
  return ok(id);
}

/** What the reader routes read: the KPI figures, the dossiers' lists and pages, the quarantine. */
export type ReaderDeps = KpiDeps & {
  dossiers: SlaLists & Pick<DossierLog, "getWithLog">;
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
    if (whole) report.dataQuality = { ...report.dataQuality, orphanDossiers: await countOrphans(deps) };
    return json(200, report);
  }
  const { format, lang } = q as z.infer<typeof ExportQuery>;
  const names = displayNames(deps.units, lang);
  return format === "csv"
    ? file(reportCsvFile(report, lang, names), "text/csv; charset=utf-8", exportFileName(report, "csv"))
    : file(
        await reportXlsx(report, lang, names),
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

async function dossierList({ deps, credential, event }: QueryRequest): Promise<HttpResult> {
  const qResult = parseQuery(ListQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  // The unit is required here: a scoped key's answer is the unit it names, or the refusal.
  const scoped = scopedUnit(credential, q.unit);
  if (isErr(scoped)) return scoped.error;
  const listed = await deps.dossiers.listBySla(q.unit, q.sla, { limit: q.limit, cursor: q.cursor });
  if (isErr(listed)) return badCursor(listed.error);
  const page = listed.value;
  // A mistyped unit is named, not answered with an empty list (a unit outside the directory with
  // dossiers of its own lists them).
  if (q.unit !== undefined && !deps.units.has(q.unit) && !q.cursor && page.items.length === 0)
    return problem(404, "no such unit", [
      { path: "unit", message: `no unit ${q.unit} in the directory, and no dossiers of it in this list` },
    ]);
  return json(200, {
    items: page.items.map((d) => ({
      dossierId: d.dossierId,
      unitId: d.unitId,
      procedureCode: d.procedureCode,
      domain: d.domain,
      sla: d.sla,
      receivedAt: iso(d.receivedAt),
      kpiDueAt: iso(d.kpiDueAt),
      appointmentAt: iso(d.appointmentAt),
      apologyIssued: d.apologyIssued,
    })),
    cursor: page.cursor ?? null,
  });
}

async function quarantineList({ deps, credential, event }: QueryRequest): Promise<HttpResult> {
  // Quarantined events are every integration's, for every unit: office-wide keys only.
  const office = officeWide(credential, "the quarantine");
  if (isErr(office)) return office.error;
  const qResult = parseQuery(QuarantineQuery, event);
  if (isErr(qResult)) return qResult.error;
  const q = qResult.value;
  const listed = await deps.quarantine.listPage(q);
  if (isErr(listed)) return badCursor(listed.error);
  const page = listed.value;
  const applied = await deps.quarantine.appliedSince(page.items);
  return json(200, {
    items: page.items.map((r) => ({
      ...r,
      at: iso(r.at),
      body: jsonOrText(r.body),
      // Sent again and applied since: nothing left to do for it.
      appliedSince: applied.has(r.id),
    })),
    cursor: page.cursor ?? null,
  });
}

async function dossierDetail({ deps, credential, event }: QueryRequest): Promise<HttpResult> {
  const idResult = dossierIdOf(event.rawPath);
  if (isErr(idResult)) return idResult.error;
  const id = idResult.value;
  const { dossier, log, alerts } = await deps.dossiers.getWithLog(id, { withAlerts: true });
  // Outside a scoped key's units, a dossier is answered as one that does not exist: a dossier is
  // its responsible unit's (where it counts and is listed), not the one that transferred it on.
  const visible =
    dossier !== undefined &&
    (!credential.units || (dossier.unitId !== undefined && credential.units.includes(dossier.unitId)));
  if (!visible) return problem(404, "no such dossier", [{ path: "id", message: "unknown dossier" }]);
  const anomalies = new Map(dossier.anomalies.filter((a) => a.eventId).map((a) => [a.eventId, a.kind]));
  const timeline = canonicalEvents(log).map(({ event }) => ({
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
    anomaly: anomalies.get(event.eventId),
  }));
  return json(200, {
    dossierId: dossier.dossierId,
    state: {
      received: dossier.received,
      unitId: dossier.unitId,
      originUnitId: dossier.originUnitId,
      channel: dossier.channel,
      procedureCode: dossier.procedureCode,
      domain: dossier.domain,
      sla: dossier.sla,
      receivedAt: iso(dossier.receivedAt),
      kpiDueAt: iso(dossier.kpiDueAt),
      appointmentAt: iso(dossier.appointmentAt),
      paused: dossier.paused,
      extensions: dossier.extensions,
      apologyIssued: dossier.apologyIssued,
      resolvedAt: iso(dossier.resolvedAt),
      returnedAt: iso(dossier.returnedAt),
      withdrawnAt: iso(dossier.withdrawnAt),
      // Counted per kind; only the last few are kept with their events (bounded items).
      anomalies: dossier.anomalyCounts ?? {},
    },
    timeline,
    // The names of the units it mentions (its own, the one that received it, those its events
    // name), so a reader shows names, never ids, of units outside its own scope too.
    unitNames: mentionedUnitNames(deps.units, [dossier.unitId, dossier.originUnitId, ...log.map(unitNamed)]),
    // The alerts raised for it, and when a digest sent each (kept after it is sent).
    alerts: [...(alerts ?? [])]
      .sort((a, b) => a.raisedAt - b.raisedAt || a.kind.localeCompare(b.kind))
      .map((a) => ({
        kind: a.kind,
        // The unit it was raised for (none: a dossier without a unit, whose alerts leadership reads).
        unitId: a.unitId === NO_UNIT ? undefined : a.unitId,
        raisedAt: iso(a.raisedAt),
        sentAt: iso(a.sentAt),
        deskSentAt: iso(a.deskSentAt),
        droppedAt: iso(a.droppedAt),
      })),
  });
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
