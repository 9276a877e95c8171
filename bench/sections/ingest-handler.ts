import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { instant } from "../../lib/domain/time";
import { freshTable, percentile, relabelled, results, row, seedUnits } from "../common";

/**
 * The ingest-api handler alone: batches of 100 events through the same code as POST /events
 * (authentication, rate count, validation, the duplicate lookup) against DynamoDB Local, publishing
 * to a bus that only counts. Its duration is what an ingest-api invocation is billed for.
 */
export async function benchIngestHandler(dynamo: RunningDynamo) {
  const { handleIngest } = await import("../../lib/http/ingest-api");
  const { createApiKey } = await import("../../lib/http/auth");
  const table = await freshTable(dynamo);
  const key = await createApiKey(table.store, {
    name: "bench",
    role: "integration",
    source: "bench",
    ratePerSecond: 1_000_000,
  });
  const events = relabelled(seed2022Q3({ seed: 33 }), "I-").slice(0, 3000);
  const last = Math.max(...events.map((e) => instant(e.occurredAt)));
  let published = 0;
  const directory = seedUnits();
  const deps = {
    ...table.store,
    // Units must exist (UNKNOWN_UNITS): the seed's directory, as a deployment keeps it.
    units: async () => directory,
    publish: async (entries: unknown[]) => {
      published += entries.length;
      return { failed: [] };
    },
    now: () => last + 3_600_000,
  };
  const ms: number[] = [];
  for (let i = 0; i < events.length; i += 100) {
    const body = JSON.stringify({ events: events.slice(i, i + 100) });
    const t = performance.now();
    const res = await handleIngest(deps, {
      version: "2.0",
      rawPath: "/events",
      headers: { authorization: `Bearer ${key}` },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: "POST" } },
    } as never);
    ms.push(performance.now() - t);
    if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}`);
  }
  // The seed repeats some events (at-least-once delivery): a repeat in the same batch is answered
  // duplicate; one in a later batch is published again, as nothing applies them here (the
  // consumer would have stored the first), and the consumer drops it.
  const distinct = new Set(events.map((e) => `${e.dossierId}\u0000${e.eventId}`)).size;
  if (published < distinct || published > events.length)
    throw new Error(`${published} published for ${distinct} distinct events`);
  ms.sort((a, b) => a - b);
  results.ingestHandler = {
    batches: ms.length,
    batchSize: 100,
    p50Ms: percentile(ms, 50),
    p99Ms: percentile(ms, 99),
  };
  row(
    "ingest-api handler, batch of 100 events",
    `p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms`,
    `${ms.length} batches of the seed's events through handleIngest (key check, rate count, validation, duplicate lookup) against DynamoDB Local, in-process, the bus only counting`,
  );
}
