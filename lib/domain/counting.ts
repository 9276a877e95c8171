import type { DossierEvent } from "./events/schema";
import { nextPeriod, type PeriodScheme, periodBounds, periodOf, periodsBetween } from "./periods";
import { type DossierState, type ProjectionSettings, projectDossier } from "./projection";
import { COUNTER_KEYS, type Contribution, type Counts, contribution } from "./report";

/**
 * Rolling KPI counters as exact sums of per-dossier contributions (README "Architecture",
 * "Exactly once"). Each dossier item records what it has added to each period's
 * counters (`counted`); applying an event or a time-driven check recomputes the contributions and
 * adds only the difference, so duplicates and re-projections change nothing twice.
 */

export interface CountingSettings extends ProjectionSettings {
  scheme: PeriodScheme;
}

/** What a dossier has added to each period's counters, by period name. */
export type Counted = Record<string, Contribution & { from: string; to: string }>;

/** The contributions of a dossier, from its events, to every period from its receipt until `now`. */
export function countedAt(
  dossierId: string,
  events: readonly DossierEvent[],
  now: number,
  settings: CountingSettings,
): { state: DossierState; counted: Counted } {
  const state = projectDossier(dossierId, events, settings, now);
  const counted: Counted = {};
  if (!state.received || state.receivedAt === undefined) return { state, counted };
  for (const period of periodsBetween(settings.scheme, state.receivedAt, now)) {
    const T = Math.min(now, periodBounds(period).end);
    const atT = T >= now ? state : projectDossier(dossierId, events, settings, T);
    const c = contribution(atT, period, T);
    if (c) counted[period.name] = { ...c, from: period.from, to: period.to };
  }
  return { state, counted };
}

/**
 * One counter item of a period, as data (the table's key is built from it in
 * lib/adapters/dynamodb/keys.ts): a unit's; a domain's within a level (form II.06a's rows, docs/official.md);
 * or a domain's of unknown level (contributions counted before levels were).
 */
export type CounterItem = { unit: string } | { level: string; domain: string } | { domain: string };

/** An identity of a counter item within a period, for summing deltas by item (not a table key). */
export const counterItemId = (item: CounterItem): string =>
  "unit" in item ? `unit\u0000${item.unit}` : `${"level" in item ? item.level : ""}\u0000${item.domain}`;

/** A change to one counter item of a period. */
export interface CounterDelta {
  period: string;
  from: string;
  to: string;
  item: CounterItem;
  counts: Partial<Counts>;
}

/** `next − previous`, per counter item, zero changes left out. */
export function counterDeltas(previous: Counted, next: Counted): CounterDelta[] {
  const items = new Map<string, CounterDelta>();
  const add = (period: string, c: Counted[string], sign: number) => {
    // Domains are counted per level (the reader sums a domain over its levels), so a change still
    // writes two counter items per period. A contribution stored before levels were counted has
    // none: it stays under its domain-only item, which the reader takes as level unknown.
    const targets: CounterItem[] = [
      { unit: c.unit },
      c.level === undefined ? { domain: c.domain } : { level: c.level, domain: c.domain },
    ];
    for (const item of targets) {
      const id = `${period}\u0000${counterItemId(item)}`;
      const delta = items.get(id) ?? { period, from: c.from, to: c.to, item, counts: {} };
      for (const k of COUNTER_KEYS) {
        const v = c.counts[k];
        if (v) delta.counts[k] = (delta.counts[k] ?? 0) + sign * v;
      }
      items.set(id, delta);
    }
  };
  for (const [period, c] of Object.entries(previous)) add(period, c, -1);
  for (const [period, c] of Object.entries(next)) add(period, c, 1);
  const out: CounterDelta[] = [];
  for (const delta of items.values()) {
    for (const k of COUNTER_KEYS) if (delta.counts[k] === 0) delete delta.counts[k];
    if (Object.keys(delta.counts).length) out.push(delta);
  }
  return out;
}

/**
 * The next instant at which the dossier's counted contributions change with time alone, so the
 * sweep recounts it then: its KPI due instant passing (pending within → overdue) and the next
 * period starting (an open dossier is carried over). Closed dossiers have none.
 */
export function nextCountCheck(state: DossierState, now: number, scheme: PeriodScheme): number | undefined {
  if (!state.received || state.closedAt !== undefined) return undefined;
  const candidates: number[] = [];
  if (!state.clockStopped && state.kpiDueAt !== undefined && state.kpiDueAt >= now)
    candidates.push(state.kpiDueAt + 1);
  const current = periodOf(scheme, now);
  const next = current ? nextPeriod(scheme, current) : periodsBetween(scheme, now, now + 400 * 86_400_000)[0];
  if (next) candidates.push(periodBounds(next).start);
  return candidates.length ? Math.min(...candidates) : undefined;
}
