import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningDynamo } from "../../dev/local/dynamodb-local";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { readKpiReport } from "../../lib/app/kpis";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { percentile, ROOT, relabelled, results, row, settings } from "../common";

/** The load test's stated rate: requests per second, for this many seconds. */
const LOAD = { rate: 40, seconds: 15 };

/**
 * The local stack as `npm start` runs it (one process: API, bus, queue, consumer), over HTTP on
 * loopback. Throughput: events posted in batches of 100 by 4 clients, then until the queue is
 * drained. Load: single-event POSTs at a fixed rate, latency percentiles and errors.
 */
export async function benchHttp(dynamo: RunningDynamo) {
  const { DemoClock, startLocalStack } = await import("../../dev/local/stack");
  const { parseUnitDirectory } = await import("../../lib/domain/units");
  const directory = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  const events = relabelled(seed2022Q3({ seed: 31 }), "H-").slice(0, 3000);
  const load = relabelled(seed2022Q3({ seed: 32 }), "L-").slice(0, LOAD.rate * LOAD.seconds);
  // The API refuses events from more than 5 minutes ahead of its clock: start it after the last one.
  const last = Math.max(...[...events, ...load].map((e) => instant(e.occurredAt)));
  const clock = new DemoClock(last + 3_600_000, 1);
  const stack = await startLocalStack({
    env: { PERIOD_SCHEME: JSON.stringify(settings.scheme) },
    clock,
    directory,
    senderAddress: "bench@ubnd.example.org",
    dynamoEndpoint: dynamo.endpoint,
    tableName: `bench-http-${process.pid}`,
    seed: true,
    replaySeed: false,
    logLevel: "SILENT",
  });
  try {
    const key = stack.keys?.integration as string;
    const failures: string[] = [];
    const post = async (body: string) => {
      const t = performance.now();
      try {
        const res = await fetch(`${stack.urls.api}/events`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body,
        });
        const text = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${text.slice(0, 300)}`);
        return { status: res.status, ms: performance.now() - t };
      } catch (e) {
        failures.push(`no answer: ${(e as Error).message}`);
        return { status: 0, ms: performance.now() - t };
      }
    };

    // Throughput.
    const batches: string[] = [];
    for (let i = 0; i < events.length; i += 100)
      batches.push(JSON.stringify({ events: events.slice(i, i + 100) }));
    const batchMs: number[] = [];
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let b = batches.shift(); b; b = batches.shift()) {
          const r = await post(b);
          batchMs.push(r.ms);
          if (r.status !== 200) failed++;
        }
      }),
    );
    const acceptedSeconds = (performance.now() - t0) / 1000;
    await stack.drain();
    const appliedSeconds = (performance.now() - t0) / 1000;
    const report = await readKpiReport(stack.store.counters, SEED_PERIOD, { asOf: clock.now() });
    const check = computeReport(events, settings, { period: SEED_PERIOD, asOf: clock.now() });
    if (JSON.stringify(report.byUnit) !== JSON.stringify(check.byUnit))
      throw new Error("counters after HTTP ingestion differ from the reference");
    batchMs.sort((a, b) => a - b);
    for (const f of new Set(failures)) console.log(`  failed request: ${f}`);
    results.http = {
      events: events.length,
      batchSize: 100,
      clients: 4,
      failedRequests: failed,
      acceptedEventsPerSecond: Math.round(events.length / acceptedSeconds),
      appliedEventsPerSecond: Math.round(events.length / appliedSeconds),
      batchLatencyMs: { p50: percentile(batchMs, 50), p99: percentile(batchMs, 99) },
    };
    row(
      "HTTP ingestion, local stack",
      `${Math.round(events.length / acceptedSeconds)} events/s accepted; ${Math.round(events.length / appliedSeconds)} events/s applied end to end`,
      `${events.length.toLocaleString("en")} seed events POSTed to /events in batches of 100 by 4 clients on loopback (${failed} failed); applied = until the local queue drained and the counters equal the reference; one Node process runs API, bus and consumer (4 workers), DynamoDB Local beside it`,
    );

    // Load at a stated rate.
    const { rate, seconds } = LOAD;
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const started = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < load.length; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inflight.push(
        post(JSON.stringify(load[i])).then((r) => {
          latencies.push(r.ms);
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        }),
      );
    }
    await Promise.all(inflight);
    const offeredSeconds = (performance.now() - started) / 1000;
    await stack.drain();
    latencies.sort((a, b) => a - b);
    const errors = load.length - (statuses["200"] ?? 0);
    const pct = {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? 0,
    };
    results.load = { rate, seconds, requests: load.length, offeredSeconds, statuses, errors, latencyMs: pct };
    const f = (n: number) => n.toFixed(0);
    row(
      `Load test, ${rate} requests/s for ${seconds} s`,
      `p50 ${f(pct.p50)} ms, p90 ${f(pct.p90)} ms, p99 ${f(pct.p99)} ms, max ${f(pct.max)} ms; ${errors} errors in ${load.length} requests`,
      `open loop on loopback: one event per POST /events at a fixed ${rate}/s (under the demo key's 50/s limit) while the consumer applies them; latency = request sent to answer read; errors = any answer but 200 (${Object.entries(
        statuses,
      )
        .map(([k, v]) => `${k === "0" ? "no answer" : k}: ${v}`)
        .join(", ")})`,
    );
  } finally {
    await stack.stop();
  }
}
