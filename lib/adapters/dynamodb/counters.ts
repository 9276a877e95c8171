import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { CounterRead, NodeCounterRead } from "../../app/ports";
import type { CounterDelta } from "../../domain/counting";
import type { Period } from "../../domain/periods";
import {
  addCounts,
  COUNTER_KEYS,
  type Counts,
  levelDomainKey,
  type PeriodCounts,
  zeroCounts,
} from "../../domain/report";
import { counterAttributes, splitOfAttribute } from "./counter-attributes";
import { TableAccess } from "./cursors";
import {
  AFTER_TREE_COUNTERS,
  counterSk,
  countersPk,
  DOMAIN_COUNTER_PREFIX,
  type Item,
  LEVEL_DOMAIN_COUNTER_PREFIX,
  nodeCounterPrefix,
  TREE_COUNTER_PREFIX,
  treeCounterOfSk,
  UNIT_COUNTER_PREFIX,
} from "./keys";

/**
 * KPI counters: one item per period and unit, holding the unit's counts split by level and domain
 * (./counter-attributes.ts), keyed `U#unit` without an agency tree and `A#root/…/unit` under its
 * roll-up path with one (./keys.ts); changed by deltas inside the apply transaction
 * (./dossiers.ts), read whole for a period's report or by a node's path for that node's. Items
 * counted before the split (`U#unit` totals, `L#level#domain`, `M#domain`) are still read and
 * taken back (docs/kpis.md "How the counters stay exact").
 */

/**
 * The most attributes one update adds to: DynamoDB takes an expression of at most 4 KB, and each
 * `#n :n, ` takes up to 9 characters. The consumer's deltas name a few dozen; the import's sums
 * of many dossiers stop a transaction's group before this (./bulk.ts).
 */
export const MAX_COUNTER_ATTRIBUTES = 300;

/** How many attributes a delta's update adds to (what {@link MAX_COUNTER_ATTRIBUTES} bounds). */
export const counterAttributeCount = (d: CounterDelta) => counterAttributes(d).length;

/** The update one counter delta makes (a transaction item of the apply's commit, or the import's). */
export function counterUpdate(tableName: string, d: CounterDelta) {
  const names: Record<string, string> = { "#F": "from", "#T": "to" };
  const values: Record<string, unknown> = { ":F": d.from, ":T": d.to };
  const adds: string[] = [];
  for (const [name, v] of counterAttributes(d)) {
    const p = adds.length.toString(36);
    names[`#${p}`] = name;
    values[`:${p}`] = v;
    adds.push(`#${p} :${p}`);
  }
  if (adds.length > MAX_COUNTER_ATTRIBUTES)
    throw new Error(`counter update: ${adds.length} attributes, more than ${MAX_COUNTER_ATTRIBUTES}`);
  return {
    TableName: tableName,
    Key: { pk: countersPk(d.period), sk: counterSk(d.item) },
    UpdateExpression: `SET #F = :F, #T = :T ADD ${adds.join(", ")}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

const isZero = (c: Counts) => COUNTER_KEYS.every((k) => c[k] === 0);

/** What the items of one read hold, before zeros are left out. */
interface Gathered {
  /** Per unit: its split by `level#domain`, and its totals counted before the split. */
  units: Map<string, { split: Map<string, Counts>; unsplit: Counts }>;
  /** The older `L#` and `M#` items, by `level#domain`. */
  older: Map<string, Counts>;
}

function gather(items: readonly Item[]): Gathered {
  const g: Gathered = { units: new Map(), older: new Map() };
  const unitOf = (id: string) => {
    const u = g.units.get(id) ?? { split: new Map<string, Counts>(), unsplit: zeroCounts() };
    g.units.set(id, u);
    return u;
  };
  for (const item of items) {
    const sk = item.sk as string;
    if (sk.startsWith(LEVEL_DOMAIN_COUNTER_PREFIX) || sk.startsWith(DOMAIN_COUNTER_PREFIX)) {
      const counts = zeroCounts();
      for (const k of COUNTER_KEYS) counts[k] = Number(item[k] ?? 0);
      // `M#domain` was counted before levels were: level unknown.
      const key = sk.startsWith(LEVEL_DOMAIN_COUNTER_PREFIX)
        ? sk.slice(2)
        : levelDomainKey(undefined, sk.slice(2));
      g.older.set(key, addCounts(g.older.get(key) ?? zeroCounts(), counts));
      continue;
    }
    const tree = sk.startsWith(TREE_COUNTER_PREFIX);
    if (!tree && !sk.startsWith(UNIT_COUNTER_PREFIX)) continue;
    const unit = unitOf(tree ? treeCounterOfSk(sk).unit : sk.slice(UNIT_COUNTER_PREFIX.length));
    for (const [name, value] of Object.entries(item)) {
      const split = splitOfAttribute(name);
      if (split) {
        const c = unit.split.get(split.levelDomain) ?? zeroCounts();
        c[split.key] += Number(value);
        unit.split.set(split.levelDomain, c);
      } else if (Object.hasOwn(unit.unsplit, name)) unit.unsplit[name as keyof Counts] += Number(value);
    }
  }
  return g;
}

/** Adds a `level#domain` split into `target`'s by-domain and by-(level, domain) maps. */
function addSplit(target: PeriodCounts, levelDomain: string, c: Counts): void {
  const domain = levelDomain.slice(levelDomain.indexOf("#") + 1);
  target.byLevelDomain.set(levelDomain, addCounts(target.byLevelDomain.get(levelDomain) ?? zeroCounts(), c));
  target.byDomain.set(domain, addCounts(target.byDomain.get(domain) ?? zeroCounts(), c));
}

/**
 * The counts items hold: per unit, and summed. A unit, or a (level, domain), whose every count went
 * back to zero is not part of the report.
 */
export function countsOfItems(items: readonly Item[]): CounterRead {
  const { units, older } = gather(items);
  const out: CounterRead = {
    byUnit: new Map(),
    byDomain: new Map(),
    byLevelDomain: new Map(),
    perUnit: new Map(),
    unsplit: new Map(),
    itemsRead: items.length,
  };
  for (const [unit, { split, unsplit }] of units) {
    const own: PeriodCounts = { byUnit: new Map(), byDomain: new Map(), byLevelDomain: new Map() };
    const total = addCounts(zeroCounts(), unsplit);
    for (const [levelDomain, c] of split) {
      if (isZero(c)) continue;
      addSplit(own, levelDomain, c);
      addSplit(out, levelDomain, c);
      addCounts(total, c);
    }
    if (isZero(total)) continue;
    own.byUnit.set(unit, total);
    out.byUnit.set(unit, total);
    out.perUnit.set(unit, own);
    if (!isZero(unsplit)) out.unsplit.set(unit, unsplit);
  }
  for (const [levelDomain, c] of older) if (!isZero(c)) addSplit(out, levelDomain, c);
  return out;
}

export class Counters extends TableAccess {
  /**
   * A period's counters: one item per unit (and the older per-domain items), never one per
   * dossier. Strongly consistent unless `consistent: false`: the query API reads them eventually
   * consistent, at half the read units, and may then miss an event applied in the last second or
   * so (the next read shows it); the KPI emails and the period close, which freezes and files the
   * figures, read them strongly consistent.
   */
  async read(period: Pick<Period, "name">, { consistent = true }: { consistent?: boolean } = {}) {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": countersPk(period.name) },
      ConsistentRead: consistent,
    });
    return countsOfItems(items);
  }

  /**
   * One node's counters: one query for the items under its path (its own counters, nothing else),
   * and a look for one item counted without the tree beside it. Only when there is one (a period
   * counted before the tree, or before the split) are those read too, whole, for the caller to place.
   */
  async readNode(
    period: Pick<Period, "name">,
    path: readonly string[],
    {
      consistent = true,
      also = [],
      leaveOut = [],
    }: {
      consistent?: boolean;
      also?: readonly { unit: string; path: readonly string[] }[];
      leaveOut?: readonly { unit: string; path: readonly string[] }[];
    } = {},
  ): Promise<NodeCounterRead> {
    const pk = countersPk(period.name);
    const left = new Set(leaveOut.map(({ unit, path }) => counterSk({ unit, path: [...path] })));
    const keys = also.map(({ unit, path }) => ({ pk, sk: counterSk({ unit, path: [...path] }) }));
    const [underItems, probe, formerItems] = await Promise.all([
      this.queryAll({
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": pk, ":prefix": nodeCounterPrefix(path) },
        ConsistentRead: consistent,
      }),
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk >= :after",
          ExpressionAttributeValues: { ":pk": pk, ":after": AFTER_TREE_COUNTERS },
          ProjectionExpression: "sk",
          Limit: 1,
          ConsistentRead: consistent,
        }),
      ),
      keys.length ? this.batchGet(keys, undefined, consistent) : Promise.resolve([]),
    ]);
    const under = {
      ...countsOfItems(left.size ? underItems.filter((i) => !left.has(i.sk as string)) : underItems),
      itemsRead: underItems.length,
    };
    const former = formerItems.length ? { former: countsOfItems(formerItems) } : {};
    const formerRead = formerItems.length;
    if (!probe.Items?.length) return { under, ...former, itemsRead: under.itemsRead + formerRead };
    const outside = countsOfItems(
      await this.queryAll({
        KeyConditionExpression: "pk = :pk AND sk >= :after",
        ExpressionAttributeValues: { ":pk": pk, ":after": AFTER_TREE_COUNTERS },
        ConsistentRead: consistent,
      }),
    );
    return { under, outside, ...former, itemsRead: under.itemsRead + 1 + outside.itemsRead + formerRead };
  }
}
