/**
 * Faults against the consumer on DynamoDB Local: 5xx before a commit, answers lost after one,
 * throttling (retried by the SDK, and cancelled transactions it does not retry), a batch delivered
 * twice at once, and an execution environment killed half way through a batch. After redelivery
 * the counters equal the report from the events and every event is stored exactly once.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it, vi } from "vitest";
import { mulberry32 } from "../../dev/scenarios/rng";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import type { ConsumerDeps } from "../../functions/apply-events";
import { dossierKey } from "../../lib/adapters/dynamodb/keys";
import type { TableStore } from "../../lib/adapters/dynamodb/store";
import { readKpiReport } from "../../lib/app/kpis";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { computeReport } from "../../lib/domain/report";
import { kpiView } from "../helpers/compare";
import { deliver, shuffled, sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, faultSettings, seedDirectory } from "../helpers/faults";
import { killAtPause } from "../helpers/kill-at-pause";

type Table = Awaited<ReturnType<typeof testTable>>;

process.env.TABLE_NAME ??= "unused-by-these-tests";
const { createHandler } = await import("../../functions/apply-events");
const { Logger } = await import("@aws-lambda-powertools/logger");
const { Metrics } = await import("@aws-lambda-powertools/metrics");

function handlerFor(
  table: Table,
  overrides: Partial<ConsumerDeps> = {},
  logger = new Logger({ logLevel: "SILENT" }),
) {
  const deps: ConsumerDeps = {
    ...table.store,
    settings: faultSettings,
    units: seedDirectory(),
    now: () => FAULT_NOW,
    ...overrides,
  };
  return createHandler(deps, logger, new Metrics({ namespace: "test" }));
}

const events = seed2022Q3({ seed: 5 }).slice(0, 400);

/**
 * After the faults and the redeliveries: the counters equal the report computed from the events,
 * and every dossier's stored log holds each of its events exactly once (none lost, none twice).
 */
async function expectExactlyOnce(store: TableStore, events: readonly DossierEvent[]) {
  const fromCounters = await readKpiReport(store.counters, SEED_PERIOD, { asOf: FAULT_NOW });
  const fromEvents = computeReport(events, faultSettings, { period: SEED_PERIOD, asOf: FAULT_NOW });
  expect(kpiView(fromCounters)).toEqual(kpiView(fromEvents));
  const expected = new Map<string, Set<string>>();
  for (const e of events) expected.set(e.dossierId, (expected.get(e.dossierId) ?? new Set()).add(e.eventId));
  for (const [dossierId, ids] of expected) {
    const { log } = await store.dossiers.getWithLog(dossierId);
    expect(log.map((e) => e.eventId).sort(), dossierId).toEqual([...ids].sort());
  }
}

describe("DynamoDB failing half way", () => {
  it("changes no counter twice when a request fails before its commit or its answer is lost after", async () => {
    const table = await testTable("fault");
    let transactions = 0;
    // Every 7th write (a commit is a transaction, or one conditional put when no counter moves)
    // fails before reaching DynamoDB; every 11th is committed but its answer is lost.
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName;
        if (name !== "TransactWriteItemsCommand" && name !== "PutItemCommand") return next(args);
        transactions++;
        if (transactions % 7 === 0)
          throw Object.assign(new Error("injected: service unavailable"), {
            name: "ServiceUnavailable",
            $metadata: { httpStatusCode: 503 },
          });
        const out = await next(args);
        if (transactions % 11 === 0)
          throw Object.assign(new Error("injected: connection reset after commit"), { name: "ECONNRESET" });
        return out;
      },
      { step: "initialize", name: "faults" },
    );
    // Each message sent back is said by its ids (a partial batch failure leaves the invocation a
    // success, so no one would hear of it otherwise).
    const logger = new Logger({ logLevel: "SILENT" });
    const failures: { messageId?: string; eventId?: string; dossierId?: string; error?: string }[] = [];
    vi.spyOn(logger, "error").mockImplementation(((message: unknown, keys: (typeof failures)[number]) => {
      if (message === "event failed: SQS delivers it again") failures.push(keys);
    }) as never);
    const result = await deliver(
      () => handlerFor(table, {}, logger) as never,
      events.map((e) => sqsRecord(e)),
      { workers: 2, maxReceives: 20 },
    );
    expect(result.redelivered).toBeGreaterThan(0);
    expect(failures).toHaveLength(result.redelivered);
    for (const f of failures) {
      expect(f.messageId).toBeDefined();
      expect(events.some((e) => e.eventId === f.eventId && e.dossierId === f.dossierId)).toBe(true);
      expect(f.error).toMatch(/injected/);
    }
    expect(result.failedForGood).toEqual([]);
    await expectExactlyOnce(table.store, events);
    await table.drop();
  }, 120_000);

  it("comes through throttling, retried by the SDK or by redelivery", async () => {
    const table = await testTable("throttle");
    const injected = { perAttempt: 0, cancelled: 0, on: true };
    // Counted, not drawn: which attempt is the tenth depends on how the workers interleave, but
    // that there are throttled attempts and cancelled transactions does not.
    const seen = { attempts: 0, transactions: 0 };
    // Inside the SDK's retry loop: every tenth attempt of any command is throttled, as DynamoDB
    // answers when a partition is over its throughput; the SDK backs off and tries again.
    table.client.middlewareStack.add(
      (next) => async (args) => {
        if (injected.on && ++seen.attempts % 10 === 0) {
          injected.perAttempt++;
          throw Object.assign(new Error("injected: rate of requests exceeds the allowed throughput"), {
            name: "ProvisionedThroughputExceededException",
            $fault: "client",
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: "finalizeRequest", priority: "low", name: "throttleAttempts" },
    );
    // Outside it: every eighth transaction cancelled for throttling, which the SDK does not retry.
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (
          injected.on &&
          context.commandName === "TransactWriteItemsCommand" &&
          ++seen.transactions % 8 === 0
        ) {
          injected.cancelled++;
          const items = (args.input as { TransactItems?: unknown[] }).TransactItems ?? [];
          throw new TransactionCanceledException({
            message: "Transaction cancelled, please refer cancellation reasons for specific reasons",
            $metadata: { httpStatusCode: 400 },
            CancellationReasons: items.map((_, i) =>
              i === 0
                ? { Code: "ThrottlingError", Message: "Throughput exceeds the current capacity" }
                : { Code: "None" },
            ),
          });
        }
        return next(args);
      },
      { step: "initialize", name: "cancelForThrottling" },
    );
    const delivery = shuffled(mulberry32(12), events.slice(0, 200));
    const result = await deliver(
      () => handlerFor(table) as never,
      delivery.map((e) => sqsRecord(e)),
      { workers: 4, maxReceives: 20 },
    );
    expect(injected.perAttempt).toBeGreaterThan(0);
    expect(seen.transactions).toBeGreaterThanOrEqual(8);
    expect(injected.cancelled).toBeGreaterThan(0);
    // A cancelled transaction fails its batch's path: the batch is then applied message by message
    // in the same invocation, and a message whose own transaction is cancelled comes back.
    expect(result.failedForGood).toEqual([]);
    // The check reads the table as it stands, with nothing injected (its own reads could otherwise
    // exhaust the SDK's attempts).
    injected.on = false;
    await expectExactlyOnce(table.store, events.slice(0, 200));
    await table.drop();
  }, 120_000);

  it("reads a dossier again when its plain put meets another writer's transaction, failing no message", async () => {
    const table = await testTable("put-conflict");
    let puts = 0;
    let injected = 0;
    // DynamoDB refuses a put on an item an in-flight transaction holds with
    // TransactionConflictException, which the SDK does not retry: every 4th plain put, 10 in all
    // (one worker, so that the puts, and what is injected, do not depend on scheduling).
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "PutItemCommand" && ++puts % 4 === 0 && injected < 10) {
          injected++;
          throw Object.assign(new Error("injected: transaction is ongoing for the item"), {
            name: "TransactionConflictException",
            $fault: "client",
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: "initialize", name: "putConflicts" },
    );
    const delivery = shuffled(mulberry32(13), events.slice(0, 200));
    const logger = new Logger({ logLevel: "SILENT" });
    const warnings: string[] = [];
    vi.spyOn(logger, "warn").mockImplementation(((message: unknown) => {
      warnings.push(String(message));
    }) as never);
    const result = await deliver(
      () => handlerFor(table, {}, logger) as never,
      delivery.map((e) => sqsRecord(e)),
      { workers: 1, maxReceives: 20 },
    );
    expect(injected).toBe(10);
    // The race is answered like a changed version (read again, decided again, in the batch's own
    // path), never a failure that sends the batch message by message, or a message back.
    expect(warnings).toEqual([]);
    expect(result.redelivered).toBe(0);
    await expectExactlyOnce(table.store, events.slice(0, 200));
    await table.drop();
  }, 120_000);

  it("fails only the messages of a dossier whose stored log cannot be read; the batch's others are applied", async () => {
    const table = await testTable("unreadable");
    const handler = handlerFor(table);
    const [first, second] = [events.slice(0, 200), events.slice(200, 400)];
    const out1 = await handler({ Records: first.map((e) => sqsRecord(e)) } as never, {} as never);
    expect(out1?.batchItemFailures).toEqual([]);
    // A dossier of the first batch with more events in the second: its stored log made unreadable.
    const broken = second.find((e) => first.some((f) => f.dossierId === e.dossierId))?.dossierId as string;
    expect(broken).toBeDefined();
    await table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: dossierKey(broken),
        UpdateExpression: "SET z1 = :junk",
        ExpressionAttributeValues: { ":junk": new Uint8Array([1, 2, 3, 4]) },
      }),
    );
    const records = second.map((e) => sqsRecord(e));
    let writes = 0;
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand" || context.commandName === "PutItemCommand")
          writes++;
        return next(args);
      },
      { step: "initialize", name: "countWrites" },
    );
    const out2 = await handler({ Records: records } as never, {} as never);
    // In the batch's own path: at most one write per dossier (a group's writes several), not one
    // per event as when the whole batch falls back to applying its events one at a time.
    const dossiers = new Set(second.map((e) => e.dossierId)).size;
    expect(writes).toBeLessThanOrEqual(dossiers);
    const failed = new Set(out2?.batchItemFailures.map((f) => f.itemIdentifier));
    const brokenIds = records.filter((_, i) => second[i]?.dossierId === broken).map((r) => r.messageId);
    expect([...failed].sort()).toEqual([...brokenIds].sort());
    // Every other dossier of the batch took its events.
    const others = [...new Set(second.map((e) => e.dossierId))].filter((id) => id !== broken);
    for (const id of others) {
      const { log } = await table.store.dossiers.getWithLog(id);
      const ids = new Set(log.map((e) => e.eventId));
      for (const e of second.filter((x) => x.dossierId === id))
        expect(ids.has(e.eventId), e.eventId).toBe(true);
    }
    await table.drop();
  }, 120_000);

  it("applies a whole batch delivered twice concurrently once", async () => {
    const table = await testTable("twice");
    const records = events.slice(0, 100).map((e) => sqsRecord(e));
    // Two execution environments receive the same batch at the same time.
    const [first, second] = [handlerFor(table), handlerFor(table)];
    const context = {} as never;
    // The race made certain, not left to timing: each environment's first read of a batch (its
    // dossiers) is answered only once the other's has been, so both decide on the same versions.
    // Whichever writes second then finds its dossiers changed (by a version check just before its
    // write, or by the write refused) and reads them again: those second reads are counted.
    let gate: { slots: number; open: Promise<void>; release: () => void } | undefined;
    let dossierReads = 0;
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName;
        const out = await next(args);
        const g = gate;
        const input = (
          args as { input: { RequestItems?: Record<string, { ProjectionExpression?: string }> } }
        ).input;
        const versionsOnly = Object.values(input.RequestItems ?? {}).some((r) => r.ProjectionExpression);
        if (command === "BatchGetItemCommand" && !versionsOnly) dossierReads++;
        if (command === "BatchGetItemCommand" && g && g.slots > 0) {
          if (--g.slots === 0) g.release();
          await g.open;
        }
        return out;
      },
      { step: "initialize", name: "bothReadFirst" },
    );
    for (let i = 0; i < records.length; i += 10) {
      let release = () => {};
      const open = new Promise<void>((resolve) => {
        release = resolve;
      });
      gate = { slots: 2, open, release };
      const batch = { Records: records.slice(i, i + 10) };
      const [a, b] = await Promise.all([first(batch, context), second(batch, context)]);
      expect([...a.batchItemFailures, ...b.batchItemFailures]).toEqual([]);
    }
    // Two first reads a batch (one per environment); beyond them, dossiers read again.
    const batches = Math.ceil(records.length / 10);
    expect(
      dossierReads - 2 * batches,
      "dossiers read again: the other environment wrote first",
    ).toBeGreaterThan(0);
    await expectExactlyOnce(table.store, events.slice(0, 100));
    await table.drop();
  }, 60_000);
});

async function storedEventIds(store: TableStore, list: readonly DossierEvent[]) {
  const ids = new Set<string>();
  for (const dossierId of new Set(list.map((e) => e.dossierId)))
    for (const e of (await store.dossiers.getWithLog(dossierId)).log) ids.add(e.eventId);
  return ids;
}

/** Runs the consumer in a child process on `records`, killed where it pauses (killable-consumer.ts). */
async function killAt(
  table: Table,
  records: unknown[],
  pause: `${"after-commit" | "before-commit"}:${number}`,
) {
  const { killed, finished, lines } = await killAtPause(
    "killable-consumer.ts",
    { DYNAMO_ENDPOINT: table.endpoint, TABLE_NAME: table.tableName, PAUSE: pause },
    JSON.stringify(records),
  );
  return { seen: lines.commit ?? 0, killed, finished };
}

describe("an execution environment killed half way through a batch", () => {
  it("loses no event and counts none twice once SQS delivers the batch again", async () => {
    const table = await testTable("killed");
    const batchEvents = events.slice(0, 60);
    const records = batchEvents.map((e) => sqsRecord(e));
    // Killed once DynamoDB has committed the 2nd commit of its first batch (its transaction, or a
    // put) but before the handler heard of it, then again after 2 commits of the next batches,
    // before the 3rd is sent.
    const first = await killAt(table, records.slice(0, 10), "after-commit:2");
    const second = await killAt(table, records.slice(10, 40), "before-commit:2");
    expect([first, second].map((r) => [r.killed, r.finished])).toEqual([
      [true, false],
      [true, false],
    ]);
    // What the killed environments left: some of their events committed, not all.
    const stored = await storedEventIds(table.store, batchEvents.slice(0, 40));
    // Transactions already in flight when it paused may have committed too.
    expect(first.seen).toBeGreaterThanOrEqual(2);
    expect(second.seen).toBeGreaterThanOrEqual(2);
    expect(stored.size).toBeGreaterThanOrEqual(first.seen + second.seen);
    expect(stored.size).toBeLessThan(new Set(batchEvents.slice(0, 40).map((e) => e.eventId)).size);
    // Nothing was acknowledged: after the visibility timeout SQS delivers every message again,
    // to another execution environment, together with the messages not yet received.
    const result = await deliver(() => handlerFor(table) as never, records, { workers: 2 });
    expect(result.failedForGood).toEqual([]);
    await expectExactlyOnce(table.store, batchEvents);
    await table.drop();
  }, 120_000);
});
