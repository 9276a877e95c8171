import type { CounterDelta, CountingSettings } from "../domain/counting";
import type { DossierEvent } from "../domain/events/schema";
import { identityOf, sameBody } from "../domain/identity";
import { refusal, unitNamed } from "../domain/ownership";
import { planDossier } from "../domain/plan";
import { canonicalEvents } from "../domain/projection";
import {
  type DossierRecord,
  MAX_EVENTS_BEFORE_RECEIPT,
  MAX_EVENTS_PER_DOSSIER,
  recordOf,
  storableEvent,
} from "../domain/records";
import { UnitDirectory } from "../domain/units";
import type { DossierLog, QuarantineWriter } from "./ports";
import { refusedRecord } from "./quarantine-records";

/**
 * Applying one dossier event exactly once (README "Architecture"): read the dossier item, which
 * holds its event log, re-project with the new event in its place, and commit the log with the
 * event, the new projection and the counter deltas together, conditional on the version read (one
 * put when no counter moves). An event already in the log is a duplicate; out-of-order events
 * simply re-project from the whole log.
 */

export interface ApplyDeps {
  /** The dossier's log, read and committed. */
  dossiers: DossierLog;
  /** Where what cannot be applied is kept, with its reason. */
  quarantine: QuarantineWriter;
  settings: CountingSettings;
  now: () => number;
  /**
   * The unit directory: thresholds for the next-check instant, the units a `received` or
   * `transferred` may name and the integrations' grants. The consumer always has one; without it
   * (tests of counting alone) units are not checked and only owners write their dossiers.
   */
  units?: UnitDirectory;
  /**
   * The directory read again, for an event naming a unit `units` lacks, before it is quarantined
   * as not in the directory (the consumer's cache, lib/app/directory.ts, bounds these reads).
   */
  unitsOnMiss?: () => Promise<UnitDirectory>;
  /** A unit the directory does not have: quarantine (default) or apply (lib/contracts/config.ts UNKNOWN_UNITS). */
  unknownUnits?: "accept" | "reject";
  /** Attempts on version conflicts before the error goes back to the queue (default 8). */
  maxAttempts?: number;
}

export type ApplyOutcome =
  | { status: "applied"; attempts: number }
  | { status: "duplicate"; attempts: number }
  | { status: "quarantined"; reason: string };

/** Full jitter, so concurrent writers of one dossier spread out before reading again. */
export const backoff = (attempt: number) =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
export const NO_UNITS = UnitDirectory.empty();

/** What applying one event to a dossier as read makes: no write, a quarantine, or a commit. */
export type ApplyDecision =
  | { kind: "duplicate" }
  | { kind: "quarantine"; reason: string; applied?: DossierEvent }
  | { kind: "commit"; record: DossierRecord; deltas: CounterDelta[]; log: readonly DossierEvent[] };

/** A dossier as read: its record (or what ownership needs of it), its log, and a stored same identity. */
export interface DossierRead<D = DossierRecord> {
  dossier?: D;
  log: readonly DossierEvent[];
  full?: boolean;
  /** The stored event with the event's identity, if any. */
  prior?: DossierEvent;
}

/**
 * The places of the 500 a dossier's events take: every event, but another source's events kept
 * before the owner's receipt (at most 499, the owner then unknown) take none. An integration that
 * posts for a dossier id it can guess, before its owner's receipt, must not fill the log and have
 * every later event of the owner refused (README "Trust boundaries"). The events exempt are fixed
 * once the receipt is in the log (it only grows), so the log stays within 999 events.
 */
function placesTaken(
  dossier: Pick<DossierRecord, "owner" | "received"> | undefined,
  log: readonly DossierEvent[],
): number {
  if (!dossier?.received || dossier.owner === undefined) return log.length;
  const receipt = log.findIndex((e) => e.type === "dossier.received" && e.source === dossier.owner);
  if (receipt < 0) return log.length;
  const exempt = log.slice(0, receipt).filter((e) => e.source !== dossier.owner).length;
  return log.length - exempt;
}

/**
 * The checks of {@link applyEvent} before anything is projected: a duplicate, or a reason to
 * quarantine (conflict, full log, ownership and units); `undefined` when the event applies.
 */
export function checkApply(
  deps: Pick<ApplyDeps, "units" | "unknownUnits">,
  read: DossierRead<Pick<DossierRecord, "owner" | "received" | "unitId">>,
  event: DossierEvent,
): Exclude<ApplyDecision, { kind: "commit" }> | undefined {
  const { dossier, log, full, prior } = read;
  if (prior) {
    if (sameBody(prior, storableEvent(event))) return { kind: "duplicate" };
    return {
      kind: "quarantine",
      reason: `conflict: event ${event.eventId} of ${event.source ?? "(no source)"} was already applied with a different body`,
      applied: prior,
    };
  }
  if (full || (log.length >= MAX_EVENTS_PER_DOSSIER && placesTaken(dossier, log) >= MAX_EVENTS_PER_DOSSIER))
    return {
      kind: "quarantine",
      reason: `dossier ${event.dossierId} already holds ${MAX_EVENTS_PER_DOSSIER} events, the most one dossier may have`,
    };
  // The log's receipt, looked for only when the record does not say (every event of a dossier
  // passes here: the log is not walked on the hot path).
  const receipt = () => canonicalEvents(log).find((e) => e.event.type === "dossier.received")?.event;
  // A receipt in the log takes the place kept for it, whether or not the record counts it yet
  // (one dated a few minutes ahead of the clock; the import folding a new dossier has no record).
  if (
    event.type !== "dossier.received" &&
    log.length >= MAX_EVENTS_BEFORE_RECEIPT &&
    !dossier?.received &&
    receipt() === undefined
  )
    return {
      kind: "quarantine",
      reason: `dossier ${event.dossierId} has not been received and already holds ${MAX_EVENTS_BEFORE_RECEIPT} events: its last place is kept for its dossier.received`,
    };
  const owner = dossier?.owner ?? receipt()?.source;
  const refused = refusal(event, dossier && { owner, received: dossier.received, unitId: dossier.unitId }, {
    units: deps.units ?? NO_UNITS,
    unknownUnits: deps.units ? (deps.unknownUnits ?? "reject") : "accept",
  });
  return refused ? { kind: "quarantine", reason: refused } : undefined;
}

/**
 * The dossier's new record and counter deltas once `event` is in its log (`events`, which holds
 * it and is the log committed), at `clock` or the event's own time if later.
 */
export function planApply(
  deps: Pick<ApplyDeps, "settings" | "units">,
  dossier: Pick<DossierRecord, "counted" | "marks" | "version"> | undefined,
  events: readonly DossierEvent[],
  event: DossierEvent,
  clock: number,
): Extract<ApplyDecision, { kind: "commit" }> {
  // An event up to 5 minutes ahead of this clock is valid (docs/events.md): the plan counts to the
  // latest event of the log, this one included, if later (lib/domain/plan.ts).
  // A deadline in a year without calendar data is a `no_calendar` anomaly of the dossier, not a
  // quarantine: the event is valid (docs/rules.md R6), and the sweep recounts once the data exists.
  const plan = planDossier(event.dossierId, events, dossier, clock, deps.settings, deps.units ?? NO_UNITS, {
    raiseAlerts: false,
  });
  return {
    kind: "commit",
    record: recordOf(plan, (dossier?.version ?? 0) + 1, events.length),
    deltas: plan.deltas,
    log: events,
  };
}

/**
 * The decision of {@link applyEvent}, without I/O: the dossier as read, re-projected with `event`
 * in its place at `clock`. The bulk import (./import.ts) folds a new dossier's events through the
 * same two steps, so both leave the same records and counters.
 */
export function decideApply(
  deps: Pick<ApplyDeps, "settings" | "units" | "unknownUnits">,
  read: DossierRead,
  event: DossierEvent,
  clock: number,
): ApplyDecision {
  return (
    checkApply(deps, read, event) ??
    planApply(deps, read.dossier, [...read.log, storableEvent(event)], event, clock)
  );
}

/** `deps` with the directory read again if the event names a unit it lacks and units are checked. */
export async function withUnitsFor(deps: ApplyDeps, event: DossierEvent): Promise<ApplyDeps> {
  const named = unitNamed(event);
  const checked = deps.units && (deps.unknownUnits ?? "reject") === "reject";
  if (!checked || !deps.unitsOnMiss || named === undefined || deps.units?.has(named)) return deps;
  return { ...deps, units: await deps.unitsOnMiss() };
}

/** Re-projects a dossier from its log (plus `event`) at `now`, and commits it. */
export async function applyEvent(given: ApplyDeps, event: DossierEvent): Promise<ApplyOutcome> {
  const deps = await withUnitsFor(given, event);
  const { dossiers } = deps;
  const maxAttempts = deps.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const { dossier, log, full } = await dossiers.getWithLog(event.dossierId, {
      stopAtLogSize: MAX_EVENTS_PER_DOSSIER,
    });
    const id = identityOf(event);
    const prior = full ? await dossiers.getEvent(event) : log.find((e) => identityOf(e) === id);
    const decision = decideApply(deps, { dossier, log, full, prior }, event, deps.now());
    if (decision.kind === "duplicate") return { status: "duplicate", attempts: attempt };
    if (decision.kind === "quarantine") return quarantine(deps, event, decision.reason, decision.applied);
    const committed = await dossiers.commit({
      log: decision.log,
      previousVersion: dossier?.version ?? 0,
      record: decision.record,
      deltas: decision.deltas,
    });
    if (committed.ok) return { status: "applied", attempts: attempt };
    const refused = committed.error;
    if (refused.kind === "transaction_too_large" || refused.kind === "item_too_large")
      return quarantine(deps, event, refused.message);
    // A version conflict (another delivery of this event included) reads again: the next read
    // tells a duplicate from a conflict. Past the attempts, the consumer's retry (and then its
    // dead-letter queue) takes it.
    if (refused.kind !== "version_conflict" || attempt >= maxAttempts) throw new Error(refused.message);
    await backoff(attempt);
  }
}

async function quarantine(
  deps: ApplyDeps,
  event: DossierEvent,
  reason: string,
  applied?: DossierEvent,
): Promise<ApplyOutcome> {
  const { record, arrived } = refusedRecord(deps.now(), event, reason, applied);
  await deps.quarantine.put(record, arrived);
  return { status: "quarantined", reason };
}
