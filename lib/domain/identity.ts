import type { DossierEvent } from "./events/schema";
import { parseInstant } from "./time";

/**
 * Event identity: an `eventId` is unique per event *at its source* (docs/events.md), so an
 * event is (dossier, source, eventId). Two sources may use the same id without touching each
 * other's events; the same source sending a second, different body under an id it used is a
 * conflict, never a duplicate. The consumer and the in-process fold (`report --events`) both use
 * these functions, so they agree.
 */

/** One event's identity within its dossier. An absent source (a file without sources) is one source. */
export const identityOf = (e: Pick<DossierEvent, "eventId" | "source">) =>
  `${e.source ?? ""}\u0000${e.eventId}`;

const sorted = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(sorted);
  if (typeof v !== "object" || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
  );
};

/** The contract's instant fields of `data` (lib/domain/events/schema.ts). */
const INSTANT_FIELDS = ["dueAt", "newDueAt"] as const;

/** An instant as the projection reads it (ms), so that two spellings of one instant are one. */
export const instantOf = (v: unknown) => (typeof v === "string" ? (parseInstant(v) ?? v) : v);

/**
 * The fields that make two bodies one event: the contract's fields minus free-text `reason`
 * (it is never stored, so a stored event cannot be compared on it), keys in a fixed order, and
 * instants as instants: `10:30:00+07:00`, `03:30:00Z` and `10:30:00.000+07:00` are one time, and
 * a retry that spells it otherwise is the same event, not a conflict.
 */
export function contractKey(e: DossierEvent): string {
  const { reason: _reason, ...data } = e.data as Record<string, unknown>;
  for (const field of INSTANT_FIELDS) if (field in data) data[field] = instantOf(data[field]);
  return JSON.stringify(
    sorted({
      eventId: e.eventId,
      source: e.source,
      type: e.type,
      occurredAt: instantOf(e.occurredAt),
      dossierId: e.dossierId,
      data,
    }),
  );
}

/** Whether `b` is the same event as `a` (a duplicate), given they share an identity. */
export const sameBody = (a: DossierEvent, b: DossierEvent) => keyOf(a) === keyOf(b);

// An event repeated n times is compared n - 1 times with the one kept: its key is computed once.
const KEYS = new WeakMap<DossierEvent, string>();
function keyOf(e: DossierEvent): string {
  let key = KEYS.get(e);
  if (key === undefined) {
    key = contractKey(e);
    KEYS.set(e, key);
  }
  return key;
}
