import type { DossierState, ProjectionSettings } from "./dossier-state";
import type { DossierEvent } from "./events/schema";
import {
  nextPeriod,
  type Period,
  type PeriodScheme,
  periodBounds,
  periodOf,
  periodsBetween,
} from "./periods";
import { projectDossier } from "./projection";
import { COUNTER_KEYS, type Contribution, type Counts, contribution, levelDomainKey } from "./report";

/**
 * Rolling KPI counters as exact sums of per-dossier contributions (README "Architecture",
 * "Exactly once"). Each dossier item records what it has added to each period's
 * counters (`counted`); applying an event or a time-driven check recomputes the contributions and
 * adds only the difference, so duplicates and re-projections change nothing twice.
 */

export interface CountingSettings extends ProjectionSettings {
  scheme: PeriodScheme;
}

/** What a dossier added to one period's counters, and to which counter items. */
export type CountedEntry = Contribution & {
  from: string;
  to: string;
  /**
   * The roll-up path, root first, of the one counter item of the period and unit it added to
   * (agency-rollup.ts `counterPath`): empty without an agency tree. Absent in an entry counted
   * before that item held the level/domain split, when a contribution added to two items, the
   * unit's totals and its (level, domain) item (docs/kpis.md "How the counters stay exact").
   */
  path?: string[];
};

/** What a dossier has added to each period's counters, by period name. */
export type Counted = Record<string, CountedEntry>;

/** The roll-up path of a unit's counter item for a period (root first; empty: no agency tree). */
export type CounterPathOf = (unitId: string, period: Period) => string[];

/**
 * The contributions of a dossier, from its events, to every period from its receipt until `now`,
 * each with the path of the counter item it adds to (`pathOf`; none given: no agency tree).
 */
export function countedAt(
  dossierId: string,
  events: readonly DossierEvent[],
  now: number,
  settings: CountingSettings,
  pathOf: CounterPathOf = () => [],
): { state: DossierState; counted: Counted } {
  const state = projectDossier(dossierId, events, settings, now);
  const counted: Counted = {};
  if (!state.received || state.receivedAt === undefined) return { state, counted };
  for (const period of periodsBetween(settings.scheme, state.receivedAt, now)) {
    const T = Math.min(now, periodBounds(period).end);
    const atT = T >= now ? state : projectDossier(dossierId, events, settings, T);
    const c = contribution(atT, period, T);
    if (c) counted[period.name] = { ...c, from: period.from, to: period.to, path: pathOf(c.unit, period) };
  }
  return { state, counted };
}

/**
 * One counter item of a period, as data (the table's key is built from it in
 * lib/adapters/dynamodb/keys.ts): a unit's, under its roll-up path, which holds the unit's counts
 * split by level and domain (form II.06a's rows, docs/official.md). Two kinds are only written to
 * take back what entries counted before held (see {@link CountedEntry.path}): a domain's within a
 * level, and a domain's of unknown level (counted before levels were).
 */
export type CounterItem =
  | { unit: string; path: readonly string[] }
  | { level: string; domain: string }
  | { domain: string };

/** An identity of a counter item within a period, for summing deltas by item (not a table key). */
export const counterItemId = (item: CounterItem): string =>
  "unit" in item
    ? JSON.stringify(["unit", item.path, item.unit])
    : JSON.stringify(["level" in item ? item.level : null, item.domain]);

/** A change to one counter item of a period. */
export interface CounterDelta {
  period: string;
  from: string;
  to: string;
  item: CounterItem;
  /**
   * Changes to counts kept whole in the item: an item of the older kinds, or the unit's totals an
   * entry counted before the split took back ({@link CountedEntry.path}).
   */
  counts: Partial<Counts>;
  /** Changes to the unit item's counts by (level, domain), by `levelDomainKey` (report.ts). */
  split?: Record<string, Partial<Counts>>;
}

const scaled = (counts: Partial<Counts>, sign: number): Partial<Counts> => {
  const out: Partial<Counts> = {};
  for (const k of COUNTER_KEYS) {
    const v = counts[k];
    if (v) out[k] = sign * v;
  }
  return out;
};

/** What one counted entry adds to its period's counter items (or takes back, `sign` −1). */
function entryDeltas(period: string, c: CountedEntry, sign: number): CounterDelta[] {
  const base = { period, from: c.from, to: c.to };
  if (c.path === undefined)
    // Counted before the split: the unit's totals and the (level, domain) item, or the domain-only
    // item when counted before levels were.
    return [
      { ...base, item: { unit: c.unit, path: [] }, counts: scaled(c.counts, sign) },
      {
        ...base,
        item: c.level === undefined ? { domain: c.domain } : { level: c.level, domain: c.domain },
        counts: scaled(c.counts, sign),
      },
    ];
  return [
    {
      ...base,
      item: { unit: c.unit, path: c.path },
      counts: {},
      split: { [levelDomainKey(c.level, c.domain)]: scaled(c.counts, sign) },
    },
  ];
}

function addInto(target: Partial<Counts>, add: Partial<Counts>): void {
  for (const k of COUNTER_KEYS) {
    const v = add[k];
    if (v) target[k] = (target[k] ?? 0) + v;
  }
}

function withoutZeros(counts: Partial<Counts>): Partial<Counts> {
  for (const k of COUNTER_KEYS) if (counts[k] === 0) delete counts[k];
  return counts;
}

/**
 * The deltas summed per counter item (a transaction names an item once), zero changes left out:
 * the consumer's (one dossier's changes) and the import's (many dossiers' contributions) alike.
 */
export function mergeDeltas(deltas: readonly CounterDelta[]): CounterDelta[] {
  const items = new Map<string, CounterDelta>();
  for (const d of deltas) {
    const id = `${d.period}\u0000${counterItemId(d.item)}`;
    const into = items.get(id) ?? { period: d.period, from: d.from, to: d.to, item: d.item, counts: {} };
    addInto(into.counts, d.counts);
    for (const [key, counts] of Object.entries(d.split ?? {})) {
      const split = into.split ?? {};
      const target = split[key] ?? {};
      addInto(target, counts);
      split[key] = target;
      into.split = split;
    }
    items.set(id, into);
  }
  const out: CounterDelta[] = [];
  for (const d of items.values()) {
    withoutZeros(d.counts);
    for (const [key, counts] of Object.entries(d.split ?? {}))
      if (Object.keys(withoutZeros(counts)).length === 0) delete d.split?.[key];
    if (d.split && Object.keys(d.split).length === 0) delete d.split;
    if (Object.keys(d.counts).length || d.split) out.push(d);
  }
  return out;
}

/**
 * `next − previous`, per counter item, zero changes left out. An entry takes back exactly what it
 * added: from the items its own `path` (or its lack) names, so entries counted before the split
 * and after it combine without counting a dossier twice (docs/kpis.md "How the counters stay exact").
 */
export function counterDeltas(previous: Counted, next: Counted): CounterDelta[] {
  const all: CounterDelta[] = [];
  for (const [period, c] of Object.entries(previous)) all.push(...entryDeltas(period, c, -1));
  for (const [period, c] of Object.entries(next)) all.push(...entryDeltas(period, c, 1));
  return mergeDeltas(all);
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
