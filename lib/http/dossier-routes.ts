import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { mentionedUnitNames } from "../app/directory";
import type { DossierLog, DossierUnits, QuarantineReader, SlaLists } from "../app/ports";
import { normaliseCode } from "../domain/events/schema";
import { unitNamed } from "../domain/ownership";
import { canonicalEvents } from "../domain/projection";
import { NO_UNIT } from "../domain/records";
import { err, isErr, ok, type Result } from "../domain/result";
import { formatInstant } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import type { Credential } from "./auth";
import { ListQuery, QuarantineQuery } from "./queries";
import { officeWide, parseQuery, scopedUnit } from "./query-params";
import { badCursor, type HttpResult, json, problem } from "./responses";

/**
 * The query API's dossier and quarantine routes (./query-api.ts routes them): `GET /dossiers`,
 * `GET /dossiers/{id}` with its timeline and alerts, and `GET /quarantine`.
 */

/** What these routes read. */
export interface DossierReadDeps {
  dossiers: SlaLists & DossierUnits & Pick<DossierLog, "getWithLog">;
  quarantine: QuarantineReader;
  units: UnitDirectory;
}

/** What each route is given. */
interface DossierRequest {
  deps: DossierReadDeps;
  credential: Credential;
  event: APIGatewayProxyEventV2;
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

export async function dossierList({ deps, credential, event }: DossierRequest): Promise<HttpResult> {
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

export async function quarantineList({ deps, credential, event }: DossierRequest): Promise<HttpResult> {
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

/**
 * The dossier with its log and alerts, if the key may see it. Outside a scoped key's units, a
 * dossier is answered as one that does not exist: a dossier is its responsible unit's (where it
 * counts and is listed), not the one that transferred it on. A scoped key's unit is checked first,
 * from the dossier item's unit alone, so that a dossier outside its units takes the same one small
 * read as one never stored (the whole partition, its log and alerts, only for one it may see).
 */
async function visibleDossier(deps: DossierReadDeps, credential: Credential, id: string) {
  const inScope = (unitId: string | null | undefined) =>
    !credential.units || (typeof unitId === "string" && credential.units.includes(unitId));
  if (credential.units && !inScope(await deps.dossiers.unitOf(id))) return undefined;
  const read = await deps.dossiers.getWithLog(id, { withAlerts: true });
  return read.dossier !== undefined && inScope(read.dossier.unitId)
    ? { ...read, dossier: read.dossier }
    : undefined;
}

export async function dossierDetail({ deps, credential, event }: DossierRequest): Promise<HttpResult> {
  const idResult = dossierIdOf(event.rawPath);
  if (isErr(idResult)) return idResult.error;
  const read = await visibleDossier(deps, credential, idResult.value);
  if (!read) return problem(404, "no such dossier", [{ path: "id", message: "unknown dossier" }]);
  const { dossier, log, alerts } = read;
  // Every kind an event was flagged with (a late second request is late and a second request).
  const anomalies = new Map<string, string[]>();
  for (const a of dossier.anomalies)
    if (a.eventId) anomalies.set(a.eventId, [...(anomalies.get(a.eventId) ?? []), a.kind]);
  const timeline = canonicalEvents(log).map(({ event }) => ({
    eventId: event.eventId,
    type: event.type,
    occurredAt: event.occurredAt,
    data: event.data,
    anomaly: anomalies.get(event.eventId)?.at(-1),
    anomalies: anomalies.get(event.eventId),
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
