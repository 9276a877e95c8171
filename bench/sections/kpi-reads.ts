import { documentClient, type RunningDynamo } from "../../dev/local/dynamodb-local";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { periodReport } from "../../lib/app/kpi-report";
import type { CounterDelta } from "../../lib/domain/counting";
import { type Counts, computeReport } from "../../lib/domain/report";
import { UnitDirectory } from "../../lib/domain/units";
import { meter } from "../capacity";
import { freshTable, NOW, relabelled, results, row, settings } from "../common";

/**
 * Items read to produce a quarter's KPIs at about 5k and 50k dossiers: the counters are one item
 * per unit and per domain, so the figure should not move with the number of dossiers. The table is
 * filled as the consumer leaves it (dossier items and the period's counter items, written in bulk
 * from the deltas the consumer's transactions add; the report read back is checked against the
 * reference).
 */
export async function benchKpiReads(dynamo: RunningDynamo) {
  const { BatchWriteCommand, UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
  const { counterUpdate } = await import("../../lib/adapters/dynamodb/counters");
  const { dossierKey } = await import("../../lib/adapters/dynamodb/keys");
  const { groupByDossier } = await import("../../lib/domain/projection");
  const { countedAt, counterDeltas, counterItemId } = await import("../../lib/domain/counting");
  const out: Record<string, unknown> = {};
  for (const replicas of [1, 10]) {
    const table = await freshTable(dynamo);
    const doc = documentClient(table.client);
    const events = Array.from({ length: replicas }, (_, i) =>
      relabelled(seed2022Q3({ seed: i + 1 }), `R${i + 1}-`),
    ).flat();
    // The counter items as the consumer leaves them: each dossier's counted contributions, as the
    // deltas its apply transaction adds (`U#unit` and `L#level#domain`, zero changes left out),
    // summed per item, with the period's bounds.
    const counters = new Map<string, CounterDelta>();
    const items: Record<string, unknown>[] = [];
    for (const [dossierId, list] of groupByDossier(events)) {
      const { state, counted } = countedAt(dossierId, list, NOW, settings);
      for (const d of counterDeltas({}, counted)) {
        const sum = counters.get(`${d.period}\u0000${counterItemId(d.item)}`);
        if (!sum) counters.set(`${d.period}\u0000${counterItemId(d.item)}`, d);
        else
          for (const [k, v] of Object.entries(d.counts) as [keyof Counts, number][])
            sum.counts[k] = (sum.counts[k] ?? 0) + v;
      }
      items.push({
        ...dossierKey(dossierId),
        dossierId,
        version: list.length,
        received: state.received,
      });
    }
    // Each counter item written by the consumer's own update (lib/adapters/dynamodb/counters.ts).
    await Promise.all(
      [...counters.values()].map((d) => doc.send(new UpdateCommand(counterUpdate(table.tableName, d)))),
    );
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < items.length; i += 25) {
      const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
      writes.push(doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: chunk } })));
      if (writes.length >= 16) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    const units = meter(table.client);
    // What GET /kpis, GET /kpis/export and `report --api` read.
    const report = await periodReport(
      {
        ...table.store,
        calendar: settings.calendar,
        scheme: settings.scheme,
        units: new UnitDirectory([], []),
        now: () => NOW,
        // As the query API reads them (functions/query-api.ts): eventually consistent.
        eventualReads: true,
      },
      SEED_PERIOD,
    );
    const read = units.itemsRead;
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("the counters written differ from the reference");
    const requests = Object.values(units.requests).reduce((a, b) => a + b, 0);
    const dossiers = groupByDossier(events).size;
    out[`dossiers${dossiers}`] = {
      dossiers,
      received: report.received.total,
      itemsRead: read,
      requests,
      readUnits: units.readUnits,
    };
    row(
      `Items read for a quarter's KPIs, ${dossiers.toLocaleString("en")} dossiers`,
      `${read} items, ${requests} requests, ${units.readUnits} read unit${units.readUnits === 1 ? "" : "s"}`,
      `the report GET /kpis and report --api serve (the period's counters, eventually consistent as the query API reads them, and the issued report if the period is closed; the KPI email reads the same, strongly consistent, plus the previous period's counters and the longest-overdue dossiers from the SLA index) on a table holding ${dossiers.toLocaleString("en")} dossier items (${replicas} seed quarter${replicas > 1 ? "s" : ""} under distinct ids, ${report.received.total.toLocaleString("en")} received) and the period's counters`,
    );
  }
  results.kpiReads = out;
}
