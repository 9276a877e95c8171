/**
 * The cost work's two figures, measured on DynamoDB Local over the seed quarter: the write units per
 * applied event when the consumer's apply path takes every event one at a time (sequential, so no
 * refused request goes unbilled), with the dossier items' sizes; and the import's events/s on a
 * fresh table. `npx tsx scripts/write-units.ts [--skip-apply] [--skip-import]`. Prints JSON.
 */
import "../bench/env";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { meter } from "../bench/capacity";
import { NOW, seedUnits, settings } from "../bench/common";
import { documentClient, ensureTable, LOCAL_AWS, startDynamoDbLocal } from "../dev/local/dynamodb-local";
import { SEED_PERIOD, seed2022Q3 } from "../dev/scenarios/seed-2022-q3";
import { BulkWriter } from "../lib/adapters/dynamodb/bulk";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { applyEvent } from "../lib/app/apply";
import { importEvents } from "../lib/app/import";
import { readKpiReport } from "../lib/app/kpis";
import { computeReport } from "../lib/domain/report";

let tableSeq = 0;
/**
 * A fresh table, its client retrying more than the bench's: on a loaded machine DynamoDB Local
 * answers 500 when a transaction waits too long for a lock ("will succeed in actual DynamoDB").
 */
async function freshTable(dynamo: { endpoint: string }) {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: dynamo.endpoint, maxAttempts: 10 });
  const tableName = `write-units-${process.pid}-${++tableSeq}`;
  await ensureTable(client, tableName);
  return { client, tableName, store: tableStore(documentClient(client), tableName) };
}
type Table = Awaited<ReturnType<typeof freshTable>>;

/** An item's size as DynamoDB counts it, near enough: names plus values (binary by its bytes). */
function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    n += Buffer.byteLength(k);
    if (v instanceof Uint8Array) n += v.length;
    else if (typeof v === "string") n += Buffer.byteLength(v);
    else n += Buffer.byteLength(JSON.stringify(v));
  }
  return n;
}

/** The dossier items' sizes (median, 90th percentile, largest) and how many items of each family. */
async function itemSizes(table: Table) {
  const sizes: number[] = [];
  const families: Record<string, number> = {};
  let start: Record<string, unknown> | undefined;
  do {
    const out = await table.store.client.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? []) {
      const pk = String(item.pk);
      const sk = String(item.sk);
      const family = pk.startsWith("D#") ? (sk.split("#")[0] ?? sk) : (pk.split("#")[0] ?? pk);
      families[family] = (families[family] ?? 0) + 1;
      if (sk === "DOSSIER") sizes.push(itemBytes(item));
    }
    start = out.LastEvaluatedKey;
  } while (start);
  sizes.sort((a, b) => a - b);
  const at = (p: number) => sizes[Math.min(sizes.length - 1, Math.floor(p * sizes.length))];
  return { dossierItems: sizes.length, median: at(0.5), p90: at(0.9), max: sizes.at(-1), families };
}

/** Counters against the reference computed from the events. */
async function checkCounters(table: Table, events: ReturnType<typeof seed2022Q3>) {
  const report = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: NOW });
  const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: NOW });
  return JSON.stringify(report.byUnit) === JSON.stringify(check.byUnit);
}

async function measureApply(dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>) {
  const events = seed2022Q3();
  const table = await freshTable(dynamo);
  const units = meter(table.client);
  const deps = { ...table.store, settings, units: seedUnits(), now: () => NOW };
  const outcomes: Record<string, number> = {};
  const t0 = performance.now();
  for (const e of events) {
    const o = await applyEvent(deps, e);
    outcomes[o.status] = (outcomes[o.status] ?? 0) + 1;
  }
  const seconds = (performance.now() - t0) / 1000;
  const applied = outcomes.applied ?? 0;
  return {
    events: events.length,
    outcomes,
    seconds: Number(seconds.toFixed(1)),
    writeUnits: units.writeUnits,
    writeUnitsPerApplied: Number((units.writeUnits / applied).toFixed(2)),
    readUnitsPerApplied: Number((units.readUnits / applied).toFixed(2)),
    requests: units.requests,
    refused: units.refused,
    countersEqualReference: await checkCounters(table, events),
    items: await itemSizes(table),
  };
}

async function measureImport(dynamo: Awaited<ReturnType<typeof startDynamoDbLocal>>) {
  const events = seed2022Q3();
  const table = await freshTable(dynamo);
  const units = meter(table.client);
  const t0 = performance.now();
  const summary = await importEvents(
    {
      dossiers: table.store.dossiers,
      quarantine: table.store.quarantine,
      bulk: new BulkWriter(table.store.client, table.tableName),
      settings,
      units: seedUnits(),
      now: () => NOW,
    },
    events.map((input, i) => ({ input, where: `seed:${i + 1}` })),
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    events: events.length,
    applied: summary.applied,
    seconds: Number(seconds.toFixed(2)),
    eventsPerSecond: Math.round(events.length / seconds),
    writeUnitsPerApplied: Number((units.writeUnits / summary.applied).toFixed(2)),
    requests: units.requests,
    countersEqualReference: await checkCounters(table, events),
    items: await itemSizes(table),
  };
}

const dynamo = await startDynamoDbLocal();
try {
  const out: Record<string, unknown> = { node: process.version, at: new Date().toISOString() };
  if (!process.argv.includes("--skip-import")) out.import = await measureImport(dynamo);
  if (!process.argv.includes("--skip-apply")) out.apply = await measureApply(dynamo);
  console.log(JSON.stringify(out, null, 2));
} finally {
  await dynamo.stop();
}
