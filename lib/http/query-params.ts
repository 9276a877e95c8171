import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf } from "../app/directory";
import { type KpiDeps, type PeriodReport, periodReport } from "../app/period-report";
import { nodeCounterPath, rollUpDate } from "../domain/agency-rollup";
import { capProblems } from "../domain/events/validate";
import { type Period, periodByName, periodOf } from "../domain/periods";
import { err, ok, type Result } from "../domain/result";
import type * as z from "../domain/zod";
import type { Credential } from "./auth";
import { type HttpResult, problem } from "./responses";

/** A route's query parameters by its zod schema (./queries.ts): every bad one answered 400, named. */
export function parseQuery<T extends z.ZodMiniType>(
  schema: T,
  event: APIGatewayProxyEventV2,
): Result<z.infer<T>, HttpResult> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (parsed.success) return ok(parsed.data);
  return err(
    problem(
      400,
      "invalid query parameters",
      capProblems(
        parsed.error.issues.map((i) => ({
          path: i.path.join(".") || (i.code === "unrecognized_keys" ? i.keys.join(",") : "(query)"),
          message: i.message,
        })),
      ),
    ),
  );
}

/** The period a query names, or the current one; 404 naming `period` when the scheme has none. */
export function resolvePeriod(deps: KpiDeps, name: string | undefined) {
  const period = name ? periodByName(deps.scheme, name) : periodOf(deps.scheme, deps.now());
  if (period) return ok(period);
  return err(
    problem(404, name ? `no period named ${name} in this deployment's scheme` : "no current period", [
      { path: "period", message: "unknown period" },
    ]),
  );
}

/**
 * A route that reads every unit's data: the credential, when it is office-wide; a key scoped to
 * units (or agencies) is refused, 403.
 */
export function officeWide(credential: Credential, what: string): Result<Credential, HttpResult> {
  if (!credential.units) return ok(credential);
  const agencies = credential.agencies;
  return err(
    problem(403, `${what} is read with an office-wide reader key`, [
      {
        path: "(key)",
        message: agencies
          ? `this key is scoped to agencies (${agencies.join(", ")})${what === "form II.06a" ? ": name one with agency= for its form" : ""}`
          : "this key is scoped to units",
      },
    ]),
  );
}

/**
 * The agency a reader names, checked: within the key's scope (an office-wide key reads
 * any, a key scoped to agencies those and the agencies under them, a key scoped to units none: 403,
 * whether the agency exists or not); one the directory's tree knows (404 naming `agency`); and in
 * the tree on the period's roll-up date (404, naming the agency its dossiers count under then).
 */
export function scopedAgency(
  deps: Pick<KpiDeps, "units">,
  credential: Credential,
  agency: string,
  period: Period,
): Result<string, HttpResult> {
  const tree = agencyTreeOf(deps.units);
  const at = rollUpDate(period);
  // The scope first: a scoped key learns nothing of agencies outside it, not even which exist.
  const scope = credential.agencies;
  if (scope ? !tree.isAgencyUnder(agency, scope, at) : credential.units !== undefined)
    return err(
      problem(403, "this key does not read that agency", [
        {
          path: "agency",
          message: scope
            ? `this key reads ${scope.join(", ")} and the agencies under them`
            : "this key reads units",
        },
      ]),
    );
  if (tree.get(agency)?.kind !== "agency")
    return err(
      problem(404, "no such agency", [{ path: "agency", message: `no agency ${agency} in the directory` }]),
    );
  if (!nodeCounterPath(tree, agency, period)) {
    // Where its dossiers count instead is named only when the key reads it: a successor or parent
    // outside a scoped key's agencies stays unnamed.
    const instead = tree.reportingNode(agency, at);
    const named = !scope || tree.isAgencyUnder(instead, scope, at);
    return err(
      problem(404, `agency ${agency} does not report for period ${period.name}`, [
        {
          path: "agency",
          message: `not in the directory's tree on ${at}${named ? `: its dossiers count under ${instead}` : ""}`,
        },
      ]),
    );
  }
  return ok(agency);
}

/** `unit` and `agency` name two scopes: a query names one of them at most (400 naming `agency`). */
export function oneScope(q: { unit?: string; agency?: string }): HttpResult | undefined {
  return q.unit !== undefined && q.agency !== undefined
    ? problem(400, "name a unit or an agency, not both", [
        { path: "agency", message: "not with unit: a unit's figures are read with unit alone" },
      ])
    : undefined;
}

/**
 * The unit a scoped reader key asks about: the one named, when it is one of the key's; the key's
 * only unit when none is named; otherwise the 4xx naming `unit`. An office-wide key may ask for
 * any unit or none (the whole office).
 */
export function scopedUnit(
  credential: Credential,
  unit: string | undefined,
): Result<string | undefined, HttpResult> {
  const scope = credential.units;
  if (!scope) return ok(unit);
  if (unit === undefined) {
    if (scope.length === 1) return ok(scope[0]);
    return err(
      problem(400, "this key reads several units: name one", [
        { path: "unit", message: `one of ${scope.join(", ")}` },
      ]),
    );
  }
  if (scope.includes(unit)) return ok(unit);
  return err(
    problem(403, "this key does not read that unit", [
      { path: "unit", message: `this key reads ${scope.join(", ")}` },
    ]),
  );
}

/**
 * A unit the directory does not know and the period holds no dossier of: a mistyped id, answered
 * 404 naming `unit` rather than a report of zeros. A unit outside the directory whose dossiers were
 * taken (`UNKNOWN_UNITS=accept`) is reported like any other.
 */
export async function unknownUnit(
  deps: KpiDeps,
  period: Period,
  unit: string | undefined,
  report?: PeriodReport,
): Promise<HttpResult | undefined> {
  if (unit === undefined || deps.units.has(unit)) return undefined;
  const dossiers = (report ?? (await periodReport(deps, period, unit))).received.total;
  if (dossiers > 0) return undefined;
  return problem(404, "no such unit", [
    { path: "unit", message: `no unit ${unit} in the directory, and no dossiers of it in ${period.name}` },
  ]);
}
