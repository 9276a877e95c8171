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
import { TableAccess } from "./cursors";
import {
  counterSk,
  countersPk,
  DOMAIN_COUNTER_PREFIX,
  LEVEL_DOMAIN_COUNTER_PREFIX,
  UNIT_COUNTER_PREFIX,
} from "./keys";

/**
 * KPI counters: one item per period and unit (`U#…`) and per period, level and domain
 * (`L#level#domain`; `M#domain` items written before levels were counted are still read), changed
 * by deltas inside the apply transaction (./dossiers.ts), read whole for a period's report.
 */

/** The update one counter delta makes (a transaction item of the apply's commit). */
export function counterUpdate(tableName: string, d: CounterDelta) {
  const names: Record<string, string> = { "#from": "from", "#to": "to" };
  const values: Record<string, unknown> = { ":from": d.from, ":to": d.to };
  const adds: string[] = [];
  Object.entries(d.counts).forEach(([k, v], i) => {
    names[`#c${i}`] = k;
    values[`:c${i}`] = v;
    adds.push(`#c${i} :c${i}`);
  });
  return {
    TableName: tableName,
    Key: { pk: countersPk(d.period), sk: counterSk(d.item) },
    UpdateExpression: `SET #from = :from, #to = :to ADD ${adds.join(", ")}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export class Counters extends TableAccess {
  /**
   * A period's counters: one item per unit and per domain, never one per dossier. Strongly
   * consistent unless `consistent: false`: the query API reads them eventually consistent, at half
   * the read units, and may then miss an event applied in the last second or so (the next read
   * shows it); the KPI emails and the period close, which freezes and files the figures, read them
   * strongly consistent.
   */
  async read(
    period: Pick<Period, "name">,
    { consistent = true }: { consistent?: boolean } = {},
  ): Promise<PeriodCounts & { itemsRead: number }> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": countersPk(period.name) },
      ConsistentRead: consistent,
    });
    const byUnit = new Map<string, Counts>();
    const byDomain = new Map<string, Counts>();
    const byLevelDomain = new Map<string, Counts>();
    for (const item of items) {
      const sk = item.sk as string;
      const counts = zeroCounts();
      for (const k of COUNTER_KEYS) counts[k] = Number(item[k] ?? 0);
      // A unit or domain whose every count went back to zero is not part of the report.
      if (COUNTER_KEYS.every((k) => counts[k] === 0)) continue;
      if (sk.startsWith(UNIT_COUNTER_PREFIX)) byUnit.set(sk.slice(2), counts);
      else if (sk.startsWith(DOMAIN_COUNTER_PREFIX) || sk.startsWith(LEVEL_DOMAIN_COUNTER_PREFIX)) {
        // `L#level#domain` (form II.06a's rows), or `M#domain` counted before levels were: level unknown.
        const levelDomain = sk.startsWith(LEVEL_DOMAIN_COUNTER_PREFIX)
          ? sk.slice(2)
          : levelDomainKey(undefined, sk.slice(2));
        const domain = levelDomain.slice(levelDomain.indexOf("#") + 1);
        byLevelDomain.set(levelDomain, addCounts(byLevelDomain.get(levelDomain) ?? zeroCounts(), counts));
        byDomain.set(domain, addCounts(byDomain.get(domain) ?? zeroCounts(), counts));
      }
    }
    return { byUnit, byDomain, byLevelDomain, itemsRead: items.length };
  }
}
