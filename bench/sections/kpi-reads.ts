import { readFileSync } from "node:fs";
import { join } from "node:path";
import { documentClient, type RunningDynamo } from "../../dev/local/dynamodb-local";
import { provinceEvents } from "../../dev/province/events";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { readNodeReport } from "../../lib/app/kpis";
import { periodReport } from "../../lib/app/period-report";
import { type AgencyTree, buildAgencyTree } from "../../lib/domain/agencies";
import { parseAgencyDirectory } from "../../lib/domain/agency-file";
import type { CounterDelta, CounterPathOf, CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { type Period, periodByName } from "../../lib/domain/periods";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";
import { meter } from "../capacity";
import { freshTable, NOW, ROOT, relabelled, results, row, settings } from "../common";

type Table = Awaited<ReturnType<typeof freshTable>>;

/**
 * Fills a table as the consumer leaves it: each dossier's counted contributions, as the deltas its
 * apply transactions add (one unit item per period, under its path in the tree when there is one),
 * summed per item, each item written by the consumer's own update; and the dossier items.
 */
async function fillAsConsumer(
  table: Table,
  events: DossierEvent[],
  counting: CountingSettings,
  pathOf?: CounterPathOf,
) {
  const { BatchWriteCommand, UpdateCommand } = await import("@aws-sdk/lib-dynamodb");
  const { counterUpdate } = await import("../../lib/adapters/dynamodb/counters");
  const { dossierKey } = await import("../../lib/adapters/dynamodb/keys");
  const { groupByDossier } = await import("../../lib/domain/projection");
  const { countedAt, counterDeltas, mergeDeltas } = await import("../../lib/domain/counting");
  const doc = documentClient(table.client);
  const deltas: CounterDelta[] = [];
  const items: Record<string, unknown>[] = [];
  const dossiers = groupByDossier(events);
  for (const [dossierId, list] of dossiers) {
    const { state, counted } = countedAt(dossierId, list, NOW, counting, pathOf);
    deltas.push(...counterDeltas({}, counted));
    items.push({ ...dossierKey(dossierId), dossierId, version: list.length, received: state.received });
  }
  const counters = mergeDeltas(deltas);
  for (let i = 0; i < counters.length; i += 32)
    await Promise.all(
      counters.slice(i, i + 32).map((d) => doc.send(new UpdateCommand(counterUpdate(table.tableName, d)))),
    );
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < items.length; i += 25) {
    const chunk = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    writes.push(doc.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: chunk } })));
    if (writes.length >= 16) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  return { dossiers: dossiers.size, counterItems: counters.length };
}

/**
 * Items read to produce a quarter's KPIs at about 5k and 50k dossiers: the counters are one item
 * per unit, so the figure should not move with the number of dossiers. The report read back is
 * checked against the reference.
 */
async function officeReads(dynamo: RunningDynamo, out: Record<string, unknown>) {
  for (const replicas of [1, 10]) {
    const table = await freshTable(dynamo);
    const events = Array.from({ length: replicas }, (_, i) =>
      relabelled(seed2022Q3({ seed: i + 1 }), `R${i + 1}-`),
    ).flat();
    const { dossiers } = await fillAsConsumer(table, events, settings);
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
}

/** One agency's report read from its counters, metered and checked against the roll-up of the events. */
async function nodeRead(
  table: Table,
  tree: AgencyTree,
  events: DossierEvent[],
  agency: string,
  period: Period,
) {
  const { agencyReportFromEvents } = await import("../../lib/domain/agency-rollup");
  const units = meter(table.client);
  const report = await readNodeReport(table.store.counters, tree, agency, period, {
    asOf: NOW,
    consistent: false,
  });
  const expected = agencyReportFromEvents(
    tree,
    events,
    { calendar: settings.calendar, catalog: settings.catalog },
    {
      period,
      asOf: NOW,
      agency,
    },
  );
  if (!report || JSON.stringify(report.byUnit) !== JSON.stringify(expected?.report.byUnit))
    throw new Error(`agency ${agency}: the counters differ from the roll-up of the events`);
  return {
    agency,
    unitsUnder: report.byUnit.length,
    received: report.received.total,
    itemsRead: units.itemsRead,
    requests: Object.values(units.requests).reduce((a, b) => a + b, 0),
    readUnits: units.readUnits,
  };
}

/**
 * One agency's KPIs in the province sample (events/units/province-sample.json, a quarter of
 * dossiers from dev/province/events.ts): items read for a commune, a department and the province,
 * each from its own counters (docs/kpis.md "One node's counters").
 */
async function provinceReads(dynamo: RunningDynamo, out: Record<string, unknown>) {
  const { counterPath } = await import("../../lib/domain/agency-rollup");
  const parsed = parseAgencyDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/province-sample.json"), "utf8")),
  );
  if (!parsed.ok) throw new Error("the province sample does not load");
  const tree = buildAgencyTree(parsed.value);
  const counting: CountingSettings = { ...settings, scheme: { kind: "calendar-quarter" } };
  const period = periodByName(counting.scheme, "2025-Q3") as Period;
  const events = provinceEvents({
    directory: parsed.value,
    seed: 1,
    from: "2025-07-01",
    to: "2025-09-30",
    dossiers: 30_000,
    until: instant("2025-10-15T00:00:00+07:00"),
  });
  const table = await freshTable(dynamo);
  const filled = await fillAsConsumer(table, events, counting, (unit, p) => counterPath(tree, unit, p));
  const reads = [];
  for (const agency of ["xa-cat-nam", "so-tu-phap", tree.rootId])
    reads.push(await nodeRead(table, tree, events, agency, period));
  out.province = { ...filled, reads };
  row(
    "Items read for one agency's KPIs, province sample",
    reads
      .map((r) => `${r.agency}: ${r.itemsRead} items, ${r.requests} requests, ${r.readUnits} read units`)
      .join("; "),
    `GET /kpis?agency= (eventually consistent) on a table holding the 2025-Q3 counters of events/units/province-sample.json (${tree.agencies().length} agencies, ${parsed.value.units.length} units, ${filled.counterItems.toLocaleString("en")} unit counter items) for ${filled.dossiers.toLocaleString("en")} dossiers of dev/province/events.ts: a commune (${reads[0]?.unitsUnder} units counted), a department (${reads[1]?.unitsUnder}) and the province; each agency's counters are one Query on its path, plus one look for items counted without the tree (none here); checked against the roll-up of the events`,
  );
}

export async function benchKpiReads(dynamo: RunningDynamo) {
  const out: Record<string, unknown> = {};
  await officeReads(dynamo, out);
  await provinceReads(dynamo, out);
  results.kpiReads = out;
}
