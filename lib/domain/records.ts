import type { AlertKind } from "./alerts";
import type { Counted } from "./counting";
import type { AnomalyKind, DossierState } from "./dossier-state";
import type { DossierEvent, PauseKind } from "./events/schema";
import type { SlaState } from "./sla";

/**
 * The records the store keeps, as plain values: what a dossier is summarised to, what an alert
 * and a quarantined event hold. Pure: the adapter (lib/adapters/dynamodb/) maps them to items and
 * keys, the rules and the use cases read them from here.
 */

/** The SLA states the API lists (`GET /dossiers?sla=`). */
export const LISTED_SLA = new Set<SlaState>(["near_due", "overdue", "paused"]);

/**
 * The most events one dossier takes (its places; some take none, below). A real dossier has a few
 * dozen at most (the seed's largest has 9; a portal sync with long supplement lists a few hundred): every event re-projects
 * the whole log, so this also bounds what one event costs to apply, and keeps one integration from
 * growing a dossier without end. Beyond it events are quarantined with the reason. Another
 * source's events kept before the owner's receipt (at most {@link MAX_EVENTS_BEFORE_RECEIPT}) take
 * none of these places (lib/app/apply.ts `placesTaken`), so a log holds at most 999 events.
 */
export const MAX_EVENTS_PER_DOSSIER = 500;
/**
 * The most events a dossier's log may hold before its `dossier.received`: one place is kept for
 * the receipt, so events that arrive before it (out of order, or from another source) can never
 * keep it out. A dossier of at most {@link MAX_EVENTS_PER_DOSSIER} events, its receipt among them,
 * applies whole in any order.
 */
export const MAX_EVENTS_BEFORE_RECEIPT = MAX_EVENTS_PER_DOSSIER - 1;
/** Anomalies kept with their event ids on the dossier record; the rest are only counted. */
export const KEPT_ANOMALIES = 5;

/** The stored summary of a dossier: no applicant data, only what KPIs, alerts and the API need. */
export interface DossierRecord {
  dossierId: string;
  version: number;
  received: boolean;
  unitId?: string;
  originUnitId?: string;
  domain?: string;
  procedureCode?: string;
  channel?: string;
  level?: string;
  receivedAt?: number;
  kpiDueAt?: number;
  appointmentAt?: number;
  paused: boolean;
  /** The clock stopped by a pause begun in time (absent: running, or paused after the due instant). */
  clockStopped?: boolean;
  /** Working time (ms) of ended pauses by kind (docs/rules.md R5), for reports to count apart. */
  pausedByKind?: Partial<Record<PauseKind, number>>;
  supplementRequests: number;
  extensions: number;
  apologyIssued: boolean;
  resolvedAt?: number;
  returnedAt?: number;
  withdrawnAt?: number;
  closedAt?: number;
  firstEventAt?: number;
  lastEventAt?: number;
  eventCount: number;
  /** How many event records the dossier's log holds (what {@link MAX_EVENTS_PER_DOSSIER} bounds). */
  logSize?: number;
  /** The source of the `received` that created it: only it (and sources granted it) may change it. */
  owner?: string;
  /** Anomalies by kind, counted over the whole log. */
  anomalyCounts?: Partial<Record<AnomalyKind, number>>;
  /** The last {@link KEPT_ANOMALIES} anomalies with their event ids (bounded, so the item is). */
  anomalies: { kind: AnomalyKind; eventId?: string }[];
  counted: Counted;
  nextCheckAt?: number;
  /**
   * Alert marks of the sweep: the threshold key each stage was last raised for, by its mark
   * (lib/domain/alert-marks.ts `markKey`: a breach's kind, a clock stage's kind at its unit).
   */
  marks?: Record<string, number>;
  /** SLA state when last written (kept current by the sweep's next checks). */
  sla?: SlaState;
}

/** The stored record of a planned dossier (lib/domain/plan.ts), at `version`. */
export function recordOf(
  plan: {
    state: DossierState;
    counted: Counted;
    nextCheckAt?: number;
    marks?: Record<string, number>;
    sla?: SlaState;
  },
  version: number,
  logSize?: number,
): DossierRecord {
  const { state, counted, nextCheckAt, marks, sla } = plan;
  const anomalyCounts: Partial<Record<AnomalyKind, number>> = {};
  for (const a of state.anomalies) anomalyCounts[a.kind] = (anomalyCounts[a.kind] ?? 0) + 1;
  return {
    dossierId: state.dossierId,
    version,
    owner: state.owner,
    logSize,
    received: state.received,
    unitId: state.unitId,
    originUnitId: state.originUnitId,
    domain: state.domain,
    procedureCode: state.procedureCode,
    channel: state.channel,
    level: state.level,
    receivedAt: state.receivedAt,
    kpiDueAt: state.kpiDueAt,
    appointmentAt: state.appointmentAt,
    paused: state.paused,
    // Kept only when so: a pause begun in time stops the clock (docs/rules.md R3), which the
    // strict rule's overdue list tells apart from being past the due instant (lib/app/period-report.ts).
    ...(state.clockStopped && { clockStopped: true }),
    pausedByKind: state.pausedByKind,
    supplementRequests: state.supplementRequests,
    extensions: state.extensions.length,
    apologyIssued: state.extensions.some((e) => e.apologyIssued),
    resolvedAt: state.resolvedAt,
    returnedAt: state.returnedAt,
    withdrawnAt: state.withdrawnAt,
    closedAt: state.closedAt,
    firstEventAt: state.firstEventAt,
    lastEventAt: state.lastEventAt,
    eventCount: state.timeline.length,
    anomalyCounts,
    anomalies: state.anomalies.slice(-KEPT_ANOMALIES).map((a) => ({ kind: a.kind, eventId: a.eventId })),
    counted,
    nextCheckAt,
    marks,
    sla,
  };
}

/** A stored event: the contract's fields minus free-text reasons (they may name people). */
export function storableEvent(event: DossierEvent): DossierEvent {
  if (event.type === "dossier.supplement_requested" || event.type === "dossier.withdrawn") {
    const { reason: _omitted, ...data } = event.data;
    return { ...event, data } as DossierEvent;
  }
  return event;
}

/**
 * The identity of a stored event, (dossier, source, eventId), as one string: what the store's
 * `storedEvents` answers by. Give the source the event was stored under (the caller's, over HTTP).
 */
export const storedKey = (e: { dossierId: string; eventId: string; source?: string }) =>
  `${e.dossierId}\u0000${e.source ?? ""}\u0000${e.eventId}`;

/** What a digest shows of a dossier, copied when the alert is raised (no applicant data). */
export interface AlertSnapshot {
  dossierId: string;
  procedureCode?: string;
  domain?: string;
  receivedAt?: number;
  kpiDueAt?: number;
  appointmentAt?: number;
  apologyIssued: boolean;
  extensions: number;
  lastEventAt?: number;
}

/** An alert waiting to go out in its unit's next digest (or its one-stop desk's). */
export interface PendingAlert {
  unitId: string;
  kind: AlertKind;
  key: number;
  /**
   * A copy of the unit's alert for the one-stop desk, or for leadership where the stage is for both
   * the unit and leadership (docs/rules.md R4); absent: the unit's (or leadership's, for a stage
   * that is leadership's alone).
   */
  recipient?: "one_stop_desk" | "leadership";
  raisedAt: number;
  dossier: AlertSnapshot;
  /**
   * The stage's mark where it is not the kind: a clock stage's, at the unit it is raised for
   * (lib/domain/alert-marks.ts `markKey`), which names its history entry.
   */
  mark?: string;
}

/**
 * An alert raised for a dossier, as its timeline shows it: kept in the dossier's partition when
 * raised (one per kind and threshold key, so bounded like the thresholds themselves), stamped when
 * a digest carried it, and kept after the pending alert is deleted.
 */
export interface AlertHistoryEntry {
  kind: AlertKind;
  key: number;
  raisedAt: number;
  /** The unit it was raised for (entries raised before this was kept have none). */
  unitId?: string;
  /** When the unit's (or leadership's) digest carried it. */
  sentAt?: number;
  /** When the one-stop desk's digest carried its copy (docs/rules.md R4). */
  deskSentAt?: number;
  /** When the sweep dropped a copy still waiting, unsent, because the dossier had closed. */
  droppedAt?: number;
}

/** The unit an alert about a dossier without one goes to (its digest is read by leadership). */
export const NO_UNIT = "(none)";

/** What a digest keeps of a dossier record. */
export function alertSnapshot(r: DossierRecord): AlertSnapshot {
  return {
    dossierId: r.dossierId,
    procedureCode: r.procedureCode,
    domain: r.domain,
    receivedAt: r.receivedAt,
    kpiDueAt: r.kpiDueAt,
    appointmentAt: r.appointmentAt,
    apologyIssued: r.apologyIssued,
    extensions: r.extensions,
    lastEventAt: r.lastEventAt,
  };
}

/** An event kept aside because it cannot be applied, with the reason. */
export interface QuarantineRecord {
  id: string;
  at: number;
  reason: string;
  problems?: { path: string; message: string }[];
  eventId?: string;
  dossierId?: string;
  type?: string;
  source?: string;
  /**
   * What arrived, as far as the contract knows it (lib/domain/events/redact.ts: other fields are named,
   * never kept), cut to 16 KB, so it can be corrected and sent again.
   */
  body: string;
  /**
   * For a conflict (a second, different body under an event identity already applied): the
   * applied body's contract fields, next to the refused one's in `body`.
   */
  applied?: string;
}

/**
 * A count of at most a bound's records (lib/app/ports.ts `QUALITY_COUNT_BOUND`): `atLeast` when
 * some were left unread, so that `count` is the least there are (of the quarantine's, those read
 * that still wait).
 */
export interface BoundedCount {
  count: number;
  atLeast: boolean;
}

/** A count of none, read whole. */
export const NONE_COUNTED: BoundedCount = { count: 0, atLeast: false };
