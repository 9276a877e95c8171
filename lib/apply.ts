import { CalendarYearMissingError } from "./calendar/calendar";
import { type CountingSettings, countedAt, counterDeltas, nextCountCheck } from "./counting";
import type { DossierEvent } from "./events/schema";
import { describeProblems, validateEvent } from "./events/validate";
import {
  type DossierStore,
  DuplicateEventError,
  recordOf,
  TransactionTooLargeError,
  VersionConflictError,
} from "./store/repository";
import { instant } from "./time";

/**
 * Applying one dossier event exactly once (DESIGN.md): read the dossier and its event log,
 * re-project with the new event in its place, and commit the event, the new projection and the
 * counter deltas in one transaction. Out-of-order events simply land in the sorted log.
 */

export interface ApplyDeps {
  store: DossierStore;
  settings: CountingSettings;
  now: () => number;
  /** Attempts on version conflicts before the error goes back to the queue (default 8). */
  maxAttempts?: number;
}

export type ApplyOutcome =
  | { status: "applied"; attempts: number }
  | { status: "duplicate"; attempts: number }
  | { status: "quarantined"; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Re-projects a dossier from its log (plus `event`) at `now`, and commits it. */
export async function applyEvent(deps: ApplyDeps, event: DossierEvent): Promise<ApplyOutcome> {
  const { store, settings } = deps;
  const maxAttempts = deps.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const { dossier, log } = await store.getDossierWithLog(event.dossierId);
    if (log.some((e) => e.eventId === event.eventId)) return { status: "duplicate", attempts: attempt };
    // An event up to 5 minutes ahead of this clock is valid (events.md): count it as of its own time.
    const now = Math.max(deps.now(), instant(event.occurredAt));
    const events = [...log, event];
    let plan: ReturnType<typeof countedAt>;
    try {
      plan = countedAt(event.dossierId, events, now, settings);
    } catch (e) {
      if (e instanceof CalendarYearMissingError) return quarantine(deps, event, e.message);
      throw e;
    }
    const deltas = counterDeltas(dossier?.counted ?? {}, plan.counted);
    const record = recordOf(
      plan.state,
      (dossier?.version ?? 0) + 1,
      plan.counted,
      nextCountCheck(plan.state, now, settings.scheme),
      dossier?.marks,
    );
    try {
      await store.commit({
        event,
        appliedAt: deps.now(),
        previousVersion: dossier?.version ?? 0,
        record,
        deltas,
      });
      return { status: "applied", attempts: attempt };
    } catch (e) {
      if (e instanceof DuplicateEventError) return { status: "duplicate", attempts: attempt };
      if (e instanceof TransactionTooLargeError) return quarantine(deps, event, e.message);
      if (!(e instanceof VersionConflictError) || attempt >= maxAttempts) throw e;
      // Full jitter, so concurrent writers of one dossier spread out.
      await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
}

async function quarantine(deps: ApplyDeps, event: DossierEvent, reason: string): Promise<ApplyOutcome> {
  await deps.store.quarantine({
    at: deps.now(),
    reason,
    eventId: event.eventId,
    dossierId: event.dossierId,
    type: event.type,
    source: event.source,
    body: JSON.stringify(event),
  });
  return { status: "quarantined", reason };
}

/**
 * Validates what arrived and applies it, or quarantines it with its reason: an invalid event never
 * crashes the consumer, never changes a KPI and is never lost (events.md).
 */
export async function acceptAndApply(
  deps: ApplyDeps,
  input: unknown,
  raw: string,
  source?: string,
): Promise<ApplyOutcome> {
  const result = validateEvent(input, { now: deps.now() });
  if (!result.ok) {
    const obj = (typeof input === "object" && input !== null ? input : {}) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 128) : undefined);
    const reason = `invalid event: ${describeProblems(result.error)}`;
    await deps.store.quarantine({
      at: deps.now(),
      reason,
      problems: result.error,
      eventId: str(obj.eventId),
      dossierId: str(obj.dossierId),
      type: str(obj.type),
      source,
      body: raw,
    });
    return { status: "quarantined", reason };
  }
  return applyEvent(deps, result.value);
}

export type RecountOutcome = "updated" | "unchanged" | "missing";

/**
 * The time-driven half of the counters: recounts a dossier at `now` with no new event (its due
 * instant passed, or a new period started and it is carried over), in the same kind of
 * transaction as {@link applyEvent}.
 */
export async function recountDossier(deps: ApplyDeps, dossierId: string): Promise<RecountOutcome> {
  const { store, settings } = deps;
  const maxAttempts = deps.maxAttempts ?? 8;
  for (let attempt = 1; ; attempt++) {
    const { dossier, log } = await store.getDossierWithLog(dossierId);
    if (!dossier) return "missing";
    const now = deps.now();
    const plan = countedAt(dossierId, log, now, settings);
    const deltas = counterDeltas(dossier.counted, plan.counted);
    const next = nextCountCheck(plan.state, now, settings.scheme);
    if (deltas.length === 0 && next === dossier.nextCheckAt) return "unchanged";
    const record = recordOf(plan.state, dossier.version + 1, plan.counted, next, dossier.marks);
    try {
      await store.commit({ appliedAt: now, previousVersion: dossier.version, record, deltas });
      return "updated";
    } catch (e) {
      if (!(e instanceof VersionConflictError) || attempt >= maxAttempts) throw e;
      await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
    }
  }
}
