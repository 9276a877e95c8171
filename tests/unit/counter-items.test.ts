import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import {
  COUNTER_CODES,
  counterAttributes,
  LEVEL_CODES,
  splitAttribute,
  splitOfAttribute,
} from "../../lib/adapters/dynamodb/counter-attributes";
import { counterUpdate, countsOfItems } from "../../lib/adapters/dynamodb/counters";
import {
  AFTER_TREE_COUNTERS,
  counterSk,
  nodeCounterPrefix,
  TREE_COUNTER_PREFIX,
  treeCounterOfSk,
} from "../../lib/adapters/dynamodb/keys";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import {
  type Counted,
  type CounterDelta,
  type CountingSettings,
  countedAt,
  counterDeltas,
  mergeDeltas,
} from "../../lib/domain/counting";
import { groupByDossier } from "../../lib/domain/projection";
import { COUNTER_KEYS, type Counts, levelDomainKey, NO_LEVEL, zeroCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";

const Q = { from: "2022-07-01", to: "2022-09-30" };
/** The bench's settings for the seed quarter (bench/common.ts). */
const seedSettings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};
const entry = (
  unit: string,
  counts: Partial<Counts>,
  extra: { level?: string; domain?: string; path?: string[] } = {},
): Counted[string] => ({
  unit,
  domain: extra.domain ?? "ho-tich",
  ...("level" in extra ? { level: extra.level } : { level: "district" }),
  counts,
  ...Q,
  ...(extra.path ? { path: extra.path } : {}),
});

/** What the items hold after adding `deltas` in order, as DynamoDB's `ADD` leaves them. */
function applied(deltas: readonly CounterDelta[]): Record<string, unknown>[] {
  const items = new Map<string, Record<string, unknown>>();
  for (const d of deltas) {
    const update = counterUpdate("t", d);
    const item = items.get(update.Key.sk) ?? { ...update.Key };
    for (const [name, v] of counterAttributes(d)) item[name] = ((item[name] as number) ?? 0) + v;
    items.set(update.Key.sk, item);
  }
  return [...items.values()];
}

describe("one counter item per period and unit", () => {
  it("a change writes one item, the unit's, with its level/domain split inside", () => {
    const next: Counted = { "2022-Q3": entry("u1", { receivedNew: 1, pendingTotal: 1 }, { path: [] }) };
    const deltas = counterDeltas({}, next);
    expect(deltas).toEqual([
      {
        period: "2022-Q3",
        ...Q,
        item: { unit: "u1", path: [] },
        counts: {},
        split: { "district#ho-tich": { receivedNew: 1, pendingTotal: 1 } },
      },
    ]);
    expect(counterSk(deltas[0]?.item as CounterDelta["item"])).toBe("U#u1");
    expect(counterAttributes(deltas[0] as CounterDelta)).toEqual([
      ["RNdho-tich", 1],
      ["PTdho-tich", 1],
    ]);
  });

  it("a unit moved in the tree moves its counts from its old path's item to its new one, as a change of unit does", () => {
    const before: Counted = { "2022-Q3": entry("u1", { pendingTotal: 1 }, { path: ["p", "h"] }) };
    const after: Counted = { "2022-Q3": entry("u1", { pendingTotal: 1 }, { path: ["p", "x"] }) };
    const deltas = counterDeltas(before, after);
    expect(deltas.map((d) => [counterSk(d.item), d.split])).toEqual([
      ["A#p/h/u1", { "district#ho-tich": { pendingTotal: -1 } }],
      ["A#p/x/u1", { "district#ho-tich": { pendingTotal: 1 } }],
    ]);
    // The same path again changes nothing.
    expect(counterDeltas(after, after)).toEqual([]);
  });

  it("an entry counted before the split takes back exactly what it added (the unit's totals and its (level, domain) item)", () => {
    const legacy: Counted = {
      "2022-Q3": entry("u1", { receivedNew: 1, pendingTotal: 1, pendingWithin: 1 }),
      "2022-Q2": entry("u1", { receivedNew: 1 }, { level: undefined, domain: "dat-dai" }),
    };
    const next: Counted = {
      "2022-Q3": entry("u1", { receivedNew: 1, pendingTotal: 1, pendingOverdue: 1 }, { path: [] }),
      "2022-Q2": entry("u1", { receivedNew: 1 }, { level: undefined, domain: "dat-dai", path: [] }),
    };
    const deltas = counterDeltas(legacy, next);
    expect(deltas.map((d) => counterSk(d.item)).sort()).toEqual([
      "L#district#ho-tich",
      "M#dat-dai",
      "U#u1",
      "U#u1",
    ]);
    const q3 = deltas.filter((d) => d.period === "2022-Q3");
    expect(q3.find((d) => "level" in d.item)?.counts).toEqual({
      receivedNew: -1,
      pendingTotal: -1,
      pendingWithin: -1,
    });
    expect(q3.find((d) => "unit" in d.item)).toMatchObject({
      counts: { receivedNew: -1, pendingTotal: -1, pendingWithin: -1 },
      split: { "district#ho-tich": { receivedNew: 1, pendingTotal: 1, pendingOverdue: 1 } },
    });
    // Counted before levels: its domain-only item, and the split's level is "none given".
    const q2 = deltas.filter((d) => d.period === "2022-Q2");
    expect(q2.find((d) => "domain" in d.item && !("level" in d.item))?.counts).toEqual({ receivedNew: -1 });
    expect(q2.find((d) => "unit" in d.item)?.split).toEqual({
      [levelDomainKey(undefined, "dat-dai")]: { receivedNew: 1 },
    });
  });

  it("old and new items read together count every dossier once, whatever mix of them was counted before the change", () => {
    const contribution = fc.record({
      unit: fc.constantFrom("u1", "u/2", "u%3"),
      level: fc.constantFrom("province", "district", "commune", undefined),
      domain: fc.constantFrom("ho-tich", "dat-dai", "a|b#c"),
      counts: fc.record({
        receivedNew: fc.constant(1),
        pendingTotal: fc.integer({ min: 0, max: 1 }),
        pausedSupplementMs: fc.integer({ min: 0, max: 5_000_000 }),
      }),
      legacy: fc.boolean(),
      path: fc.constantFrom([], ["p"], ["p", "h/1"], ["p", "x%"]),
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(contribution, contribution, fc.boolean()), { maxLength: 12 }),
        (dossiers) => {
          const deltas: CounterDelta[] = [];
          const expected = { byUnit: new Map<string, Counts>(), byLevelDomain: new Map<string, Counts>() };
          const add = (map: Map<string, Counts>, key: string, c: Partial<Counts>) => {
            const into = map.get(key) ?? zeroCounts();
            for (const [k, v] of Object.entries(c)) into[k as keyof Counts] += v;
            map.set(key, into);
          };
          for (const [first, second, recounted] of dossiers) {
            // Counted once the old way or the new; then perhaps recounted the new way (an event or the sweep).
            const counted = (c: typeof first, legacy: boolean): Counted => ({
              Q: {
                unit: c.unit,
                domain: c.domain,
                ...(c.level === undefined ? {} : { level: c.level }),
                counts: c.counts,
                ...Q,
                ...(legacy ? {} : { path: [...c.path] }),
              },
            });
            const before = counted(first, first.legacy);
            deltas.push(...counterDeltas({}, before));
            const last = recounted ? second : first;
            if (recounted) deltas.push(...counterDeltas(before, counted(second, false)));
            add(expected.byUnit, last.unit, last.counts);
            add(expected.byLevelDomain, levelDomainKey(last.level, last.domain), last.counts);
          }
          const read = countsOfItems(applied(deltas.map((d) => ({ ...d, period: "Q" }))));
          const nonZero = (m: Map<string, Counts>) =>
            new Map([...m].filter(([, c]) => COUNTER_KEYS.some((k) => c[k] !== 0)));
          expect(read.byUnit).toEqual(nonZero(expected.byUnit));
          expect(read.byLevelDomain).toEqual(nonZero(expected.byLevelDomain));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("counter keys and attributes", () => {
  it("a node's prefix matches the counters under it and no other, whatever its ids hold", () => {
    const sk = counterSk({ unit: "x/y%z", path: ["p", "a/b", "c%2F"] });
    expect(sk).toBe("A#p/a%2Fb/c%252F/x%2Fy%25z");
    expect(treeCounterOfSk(sk)).toEqual({ unit: "x/y%z", path: ["p", "a/b", "c%2F"] });
    for (const [path, under] of [
      [["p"], true],
      [["p", "a/b"], true],
      [["p", "a/b", "c%2F"], true],
      [["p", "a"], false],
      [["p", "a/b", "c"], false],
    ] as const)
      expect(sk.startsWith(nodeCounterPrefix(path)), path.join(" > ")).toBe(under);
    // Without a tree the key stays the unit's own.
    expect(counterSk({ unit: "x/y", path: [] })).toBe("U#x/y");
    // Tree counters sort before every other kind, so those counted without the tree begin at B.
    for (const other of ["U#a", "L#district#x", "M#x"]) expect(other >= AFTER_TREE_COUNTERS).toBe(true);
    expect(`${TREE_COUNTER_PREFIX}\uffff` < AFTER_TREE_COUNTERS).toBe(true);
  });

  it("every counter has its own two-letter code, every level its own letter, and a split attribute reads back", () => {
    const codes = Object.values(COUNTER_CODES);
    expect(Object.keys(COUNTER_CODES).sort()).toEqual([...COUNTER_KEYS].sort());
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z]{2}$/);
    expect(Object.keys(LEVEL_CODES).sort()).toEqual(["commune", "district", NO_LEVEL, "province"].sort());
    for (const level of Object.keys(LEVEL_CODES))
      for (const key of COUNTER_KEYS) {
        const name = splitAttribute(`${level}#dat-dai#2`, key);
        expect(splitOfAttribute(name)).toEqual({ levelDomain: `${level}#dat-dai#2`, key });
      }
    // A counter's own name, and the item's other attributes, are not split attributes.
    for (const name of [...COUNTER_KEYS, "from", "to", "pk", "sk"])
      expect(splitOfAttribute(name)).toBeUndefined();
    expect(() => splitAttribute("ward#x", "receivedNew")).toThrow(/no code for level ward/);
  });

  it("merges deltas per item, summing the split, and leaves out what adds up to zero", () => {
    const d = (
      unit: string,
      split: Record<string, Partial<Counts>>,
      counts: Partial<Counts> = {},
    ): CounterDelta => ({
      period: "Q",
      ...Q,
      item: { unit, path: ["p"] },
      counts,
      split,
    });
    expect(
      mergeDeltas([
        d("u", { "commune#a": { receivedNew: 1 } }),
        d("u", { "commune#a": { receivedNew: -1 }, "commune#b": { receivedNew: 1 } }),
        d("v", { "commune#a": { pendingTotal: 1 } }),
        d("v", { "commune#a": { pendingTotal: -1 } }),
      ]),
    ).toEqual([d("u", { "commune#b": { receivedNew: 1 } })]);
  });

  it("measured on the seed quarter: each unit's item, its split included, stays under one kilobyte (one write unit)", () => {
    const items = applied(
      [...groupByDossier(seed2022Q3())].flatMap(([id, list]) =>
        counterDeltas({}, countedAt(id, list, instant("2026-11-30T09:00:00+07:00"), seedSettings).counted),
      ),
    );
    // DynamoDB's size: attribute names plus values (a number: about one byte per two digits, plus one).
    const size = (item: Record<string, unknown>) =>
      Object.entries({ ...item, from: Q.from, to: Q.to }).reduce(
        (n, [k, v]) =>
          n +
          Buffer.byteLength(k) +
          (typeof v === "number"
            ? Math.ceil(String(Math.abs(v)).length / 2) + 1
            : Buffer.byteLength(String(v))),
        0,
      );
    const sizes = items.map(size);
    expect(items.length).toBe(7);
    expect(Math.max(...sizes)).toBeLessThan(1024);
    expect(Math.max(...sizes)).toBeGreaterThan(400);
  });
});
