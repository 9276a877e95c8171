/**
 * A dossier's event log moved into its item (`z1`). A table written before holds dossier
 * items without it and one event record (`E#…`) per event: those are read from their records, a
 * redelivery of an event stored so is a duplicate, ingestion's duplicate check finds it, and the
 * dossier's next write carries its whole log inside. Against DynamoDB Local.
 */
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { eventSk } from "../../lib/adapters/dynamodb/keys";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
import { readKpiReport } from "../../lib/app/kpis";
import { runSweep } from "../../lib/app/sweep";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { storableEvent, storedKey } from "../../lib/domain/records";
import { computeReport } from "../../lib/domain/report";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, seedDirectory, faultSettings as settings } from "../helpers/faults";

type Table = Awaited<ReturnType<typeof testTable>>;
let table: Table;
beforeAll(async () => {
  table = await testTable("migrate");
});
afterAll(async () => table.drop());

const units = seedDirectory();

/**
 * Rewrites a dossier as the store wrote it before the log moved inside: its item without `z1`,
 * and an event record per event (the former `eventItem`: the stored event as JSON under its identity).
 */
async function asBefore(t: Table, dossierId: string): Promise<number> {
  const key = { pk: `D#${dossierId}`, sk: "DOSSIER" };
  const item = (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: key }))).Item;
  if (!item) throw new Error(`no dossier ${dossierId}`);
  const { log } = await t.store.dossiers.getWithLog(dossierId);
  for (const e of log)
    await t.doc.send(
      new PutCommand({
        TableName: t.tableName,
        Item: {
          pk: key.pk,
          sk: eventSk(e),
          type: e.type,
          occurredAt: e.occurredAt,
          appliedAt: FAULT_NOW,
          body: JSON.stringify(e),
        },
      }),
    );
  const { z1: _log, ...before } = item;
  await t.doc.send(new DeleteCommand({ TableName: t.tableName, Key: key }));
  await t.doc.send(new PutCommand({ TableName: t.tableName, Item: before }));
  return log.length;
}

const hasInlineLog = async (t: Table, dossierId: string) =>
  (await t.doc.send(new GetCommand({ TableName: t.tableName, Key: { pk: `D#${dossierId}`, sk: "DOSSIER" } })))
    .Item?.z1 instanceof Uint8Array;

describe("dossier items written before the log moved inside", () => {
  it("are read from their event records, take duplicates and new events exactly once, and carry their log inside from their next write", async () => {
    const deps = { ...table.store, settings, units, now: () => FAULT_NOW };
    await table.store.directory.put(units.units, units.leadership);
    const events = seed2022Q3().slice(0, 900);
    const ids = [...new Set(events.map((e) => e.dossierId))];
    const half = Math.floor(events.length / 2);
    for (const e of events.slice(0, half)) await applyEvent(deps, e);

    // Every dossier the first half created, rewritten as before.
    const migrated = [...new Set(events.slice(0, half).map((e) => e.dossierId))];
    let records = 0;
    for (const id of migrated) records += await asBefore(table, id);
    expect(records).toBeGreaterThan(0);
    for (const id of migrated) expect(await hasInlineLog(table, id)).toBe(false);

    // Read as before: the log from the records, every event of the first half found stored.
    const sample = migrated[0] as string;
    const firstHalfOf = (id: string) => events.slice(0, half).filter((e) => e.dossierId === id);
    expect((await table.store.dossiers.getWithLog(sample)).log.map((e) => e.eventId).sort()).toEqual(
      firstHalfOf(sample)
        .map((e) => e.eventId)
        .sort(),
    );
    const stored = await table.store.dossiers.storedEvents(events.slice(0, half));
    expect(stored.size).toBe(new Set(events.slice(0, half).map(storedKey)).size);
    expect((await table.store.dossiers.storedEvents(events.slice(half))).size).toBe(
      events.slice(half).filter((e) => stored.has(storedKey(e))).length,
    );

    // Redelivered events of the first half are duplicates; the second half applies.
    const redelivered = events.slice(0, half).filter((_, i) => i % 9 === 0);
    for (const e of redelivered) expect((await applyEvent(deps, e)).status).toBe("duplicate");
    // Four workers at once, as the consumer's concurrent executions interleave.
    const queue = events.slice(half);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let e = queue.shift(); e; e = queue.shift())
          expect((await applyEvent(deps, e)).status, e.eventId).not.toBe("quarantined");
      }),
    );
    expect(await table.store.quarantine.list()).toEqual([]);
    // The sweep, a day later, recounts what is due through the same commit.
    const later = FAULT_NOW + 86_400_000;
    await runSweep({ ...deps, now: () => later }, {});

    const counters = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: later });
    expect(kpiView(counters)).toEqual(
      kpiView(computeReport(events, settings, { period: SEED_PERIOD, asOf: later })),
    );
    // Each dossier's log holds each of its events once; those written since carry it inside.
    let inline = 0;
    for (const id of ids) {
      const { log } = await table.store.dossiers.getWithLog(id);
      // The seed repeats some of its events: each identity once.
      const own = new Set(events.filter((e) => e.dossierId === id).map((e) => storedKey(storableEvent(e))));
      expect(log.map(storedKey).sort(), id).toEqual([...own].sort());
      if (await hasInlineLog(table, id)) inline++;
    }
    expect(inline).toBeGreaterThan(migrated.length / 2);
    const touched = events.slice(half).map((e) => e.dossierId);
    for (const id of touched) expect(await hasInlineLog(table, id), id).toBe(true);
  }, 600_000);

  it("refuses a 501st event of a full dossier stored as before, and still tells its duplicates", async () => {
    const t = await testTable("migrate-full");
    const deps: ApplyDeps = { ...t.store, settings, now: () => FAULT_NOW };
    const id = "MIG-FULL";
    const events: DossierEvent[] = [
      {
        eventId: "r",
        type: "dossier.received",
        occurredAt: "2022-07-04T08:00:00+07:00",
        dossierId: id,
        source: "A",
        data: { unitId: "phong-tnmt", procedureCode: "1.004227", channel: "direct", processingDays: 60 },
      },
    ];
    for (let i = 0; events.length < 500; i++)
      events.push({
        eventId: `c-${i}`,
        type: "dossier.complaint_received",
        occurredAt: `2022-07-${String(5 + Math.floor(i / 60)).padStart(2, "0")}T${String(8 + Math.floor((i % 60) / 10)).padStart(2, "0")}:${String((i % 10) * 5).padStart(2, "0")}:00+07:00`,
        dossierId: id,
        source: "A",
        data: {},
      } as DossierEvent);
    for (const e of events) expect((await applyEvent(deps, e)).status, e.eventId).not.toBe("quarantined");
    await asBefore(t, id);
    expect(await hasInlineLog(t, id)).toBe(false);
    expect((await t.store.dossiers.getWithLog(id, { stopAtLogSize: 500 })).full).toBe(true);
    expect((await applyEvent(deps, events[123] as DossierEvent)).status).toBe("duplicate");
    expect(await applyEvent(deps, { ...(events[1] as DossierEvent), eventId: "one-more" })).toMatchObject({
      status: "quarantined",
      reason: `dossier ${id} already holds 500 events, the most one dossier may have`,
    });
    expect(await hasInlineLog(t, id)).toBe(false);
    await t.drop();
  }, 600_000);
});
