import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  documentClient,
  ensureTable,
  localDynamoClient,
  type RunningDynamo,
} from "../dev/local/dynamodb-local";
import { SEED_PERIOD } from "../dev/scenarios/seed-2022-q3";
import { tableStore } from "../lib/adapters/dynamodb/store";
import { WorkingCalendar } from "../lib/domain/calendar/calendar";
import { catalogOf } from "../lib/domain/catalog";
import type { CountingSettings } from "../lib/domain/counting";
import type { DossierEvent } from "../lib/domain/events/schema";
import { instant } from "../lib/domain/time";
import { parseUnitDirectory, UnitDirectory } from "../lib/domain/units";

/** What the bench's sections share: the results they fill, the README rows, the settings, tables. */

export const ROOT = join(import.meta.dirname, "..");
export const results: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  node: process.version,
};
export const rows: [string, string, string][] = [];
export const NOW = instant("2026-11-30T09:00:00+07:00");
export const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  catalog: catalogOf(),
  scheme: { kind: "explicit", windows: [SEED_PERIOD] },
};

export function row(figure: string, value: string, how: string) {
  rows.push([figure, value, how]);
  console.log(`${figure}: ${value}\n    how: ${how}`);
}

let tableSeq = 0;
export async function freshTable(dynamo: RunningDynamo) {
  const client = localDynamoClient(dynamo.endpoint);
  const tableName = `bench-${process.pid}-${++tableSeq}`;
  await ensureTable(client, tableName);
  return { client, tableName, store: tableStore(documentClient(client), tableName) };
}

/** The sample directory: the consumer refuses units it does not have, and it holds the seed's. */
export function seedUnits(): UnitDirectory {
  const file = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  return new UnitDirectory(file.units, file.leadership, file.integrations);
}

/** The seed's events under other ids, so that several seeds can share one table. */
export function relabelled(events: readonly DossierEvent[], prefix: string): DossierEvent[] {
  return events.map((e) => ({
    ...e,
    eventId: `${prefix}${e.eventId}`,
    dossierId: `${prefix}${e.dossierId}`,
  }));
}

/** The p-th percentile of sorted figures. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
