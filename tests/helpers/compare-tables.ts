import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { testTable } from "./dynamo";

type Table = Pick<Awaited<ReturnType<typeof testTable>>, "doc" | "tableName">;

/** The stamps of when an item was written, not of what it holds. */
const STAMPS = ["appliedAt", "at", "expiresAt"];

/** A number attribute of a counter item that is zero: the reader takes it as absent (counters.ts). */
const isZeroCount = (key: string, value: unknown) => value === 0 && key !== "from" && key !== "to";

/**
 * Every item of a table, sorted by key, without the stamps of when it was written, as one
 * comparable object: dossier items with their index attributes, event records, counters,
 * quarantine, directory. A counter attribute that is zero reads as absent (the consumer's `ADD`
 * leaves one where a dossier moved on, e.g. from a unit it was transferred out of), and a counter
 * item left all zeros reads as no item: the KPI read takes both alike.
 */
export async function tableSnapshot(table: Table): Promise<Record<string, Record<string, unknown>>> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await table.doc.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  const out: Record<string, Record<string, unknown>> = {};
  for (const item of items.sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const counter = (item.pk as string).startsWith("K#");
    const kept = Object.fromEntries(
      Object.entries(item)
        .filter(([k, v]) => !STAMPS.includes(k) && !(counter && isZeroCount(k, v)))
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    if (counter && Object.keys(kept).every((k) => ["pk", "sk", "from", "to"].includes(k))) continue;
    out[keyOf(item)] = kept;
  }
  return out;
}

const keyOf = (item: Record<string, unknown>) => `${item.pk}\u0000${item.sk}`;

/** How many items of each family a snapshot holds (dossiers, event records, counters, ...). */
export function families(snapshot: Record<string, Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of Object.values(snapshot)) {
    const pk = item.pk as string;
    const sk = item.sk as string;
    const family = pk.startsWith("D#") ? (sk === "DOSSIER" ? "dossier" : "event") : (pk.split("#")[0] ?? pk);
    out[family] = (out[family] ?? 0) + 1;
  }
  return out;
}
