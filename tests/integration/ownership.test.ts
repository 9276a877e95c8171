/**
 * Ownership on the consumer (README "Trust boundaries"), against DynamoDB Local: a dossier belongs to the integration whose
 * `received` created it; other sources are refused unless the directory grants them; event
 * identity is (dossier, source, eventId), and a second body under one is a conflict, the same in
 * the consumer and in the in-process fold (`report --events`).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_PERIOD } from "../../dev/scenarios/seed-2022-q3";
import type { BatchApplyDeps } from "../../lib/app/apply-batch";
import { ingestEvents } from "../../lib/app/ingest";
import { readKpiReport } from "../../lib/app/kpis";
import type { Publish } from "../../lib/contracts/bus";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { storedKey } from "../../lib/domain/records";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";
import type { Credential } from "../../lib/http/auth";
import { kpiView } from "../helpers/compare";
import { sqsRecord } from "../helpers/delivery";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, seedDirectory, faultSettings as settings } from "../helpers/faults";

process.env.TABLE_NAME ??= "unused-by-these-tests";
const { createHandler } = await import("../../functions/apply-events");

const PORTAL_PREFIX = "000.00.01.H48-";
const sample = seedDirectory();
const directory = new UnitDirectory(sample.units, sample.leadership, [
  { source: "portal", dossierPrefixes: [PORTAL_PREFIX] },
  { source: "ministry", units: ["phong-tnmt"] },
]);
const admits = (s: string | undefined, id: string, unit: string | undefined) => directory.admits(s, id, unit);

let n = 0;
const at = (day: number, hour = 9) =>
  `2022-07-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00+07:00`;
const received = (dossierId: string, unitId: string, eventId = `r-${++n}`): DossierEvent => ({
  eventId,
  type: "dossier.received",
  occurredAt: at(4, 8),
  dossierId,
  data: { unitId, procedureCode: "1.004227", channel: "direct", processingDays: 10 },
});
const resolved = (dossierId: string, eventId = `s-${++n}`, outcome: "approved" | "denied" = "approved") =>
  ({
    eventId,
    type: "dossier.resolved",
    occurredAt: at(6),
    dossierId,
    data: { outcome },
  }) as DossierEvent;
const rated = (dossierId: string, score: number, eventId = `k-${++n}`) =>
  ({ eventId, type: "dossier.rated", occurredAt: at(7), dossierId, data: { score } }) as DossierEvent;
/** As the ingestion API publishes an event posted with `source`'s key. */
const posted = (source: string, e: DossierEvent) => sqsRecord({ ...e, source });

type Table = Awaited<ReturnType<typeof testTable>>;
let table: Table;
/** Every event the consumer should have stored, with the source it was stored under. */
const stored: DossierEvent[] = [];

function handler(overrides: Partial<BatchApplyDeps> = {}) {
  return createHandler(
    { ...table.store, settings, units: directory, now: () => FAULT_NOW, ...overrides },
    new Logger({ logLevel: "SILENT" }),
    new Metrics({ namespace: "test" }),
  );
}
async function send(records: SQSRecord[], overrides: Partial<BatchApplyDeps> = {}) {
  const out = await handler(overrides)({ Records: records }, {} as never);
  expect(out.batchItemFailures).toEqual([]);
}
async function reasonsFor(eventId: string) {
  return (await table.store.quarantine.list()).filter((q) => q.eventId === eventId).map((q) => q.reason);
}
/** The counters equal the report folded from what was stored, with the directory's grants. */
async function countersMatchStored() {
  const counters = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: FAULT_NOW });
  const reference = computeReport(stored, { ...settings, admits }, { period: SEED_PERIOD, asOf: FAULT_NOW });
  expect(kpiView(counters)).toEqual(kpiView(reference));
  return counters;
}

beforeAll(async () => {
  table = await testTable("own");
});
afterAll(async () => table.drop());

describe("dossier ownership", () => {
  it("refuses another integration's events on a dossier, and applies the owner's and a granted one's", async () => {
    const mine = received("OWN-1", "cn-vpdk-dat-dai");
    await send([posted("A", mine)]);
    stored.push({ ...mine, source: "A" });

    // B resolves A's dossier and rates it five times: all refused, nothing counted.
    const attack = [resolved("OWN-1"), ...[1, 2, 3, 4, 5].map((i) => rated("OWN-1", 1, `b-rate-${i}`))];
    await send(attack.map((e) => posted("B", e)));
    for (const e of attack)
      expect(await reasonsFor(e.eventId)).toEqual(["dossier OWN-1 belongs to another integration"]);
    const before = await countersMatchStored();
    expect(before.resolved.total).toBe(0);
    expect(before.ratings.total).toBe(0);

    // An AWS-native producer is known by the envelope's source, whatever the body claims.
    const spoof = resolved("OWN-1", "spoof-1");
    await send([sqsRecord({ ...spoof, source: "A" }, "other.producer")]);
    expect(await reasonsFor("spoof-1")).toEqual(["dossier OWN-1 belongs to another integration"]);

    // The owner goes on.
    const done = resolved("OWN-1");
    await send([posted("A", done)]);
    stored.push({ ...done, source: "A" });
    expect((await countersMatchStored()).resolved.total).toBe(1);

    // The ministry is granted phong-tnmt: it may rate A's dossier there, not name another unit.
    const tnmt = received("OWN-2", "phong-tnmt");
    const byMinistry = rated("OWN-2", 5);
    await send([posted("A", tnmt)]);
    await send([posted("ministry", byMinistry)]);
    stored.push({ ...tnmt, source: "A" }, { ...byMinistry, source: "ministry" });
    const ministryReceived = received("OWN-3", "cn-vpdk-dat-dai");
    await send([posted("ministry", ministryReceived)]);
    expect(await reasonsFor(ministryReceived.eventId)).toEqual([
      "integration ministry is not granted unit cn-vpdk-dat-dai",
    ]);
    expect((await countersMatchStored()).ratings).toEqual({ total: 1, satisfied: 1 });
  });

  it("keeps another source's orphan events but never lets them move the owner's KPIs", async () => {
    const orphan = rated("OWN-4", 1);
    await send([posted("B", orphan)]);
    const real = received("OWN-4", "phong-tu-phap");
    await send([posted("A", real)]);
    stored.push({ ...orphan, source: "B" }, { ...real, source: "A" });
    const { log, dossier } = await table.store.dossiers.getWithLog("OWN-4");
    expect(log).toHaveLength(2);
    expect(dossier?.owner).toBe("A");
    expect(dossier?.anomalyCounts).toEqual({ other_source: 1 });
    const counters = await countersMatchStored();
    expect(counters.ratings.total).toBe(1); // the ministry's, on OWN-2: not B's
  });

  it("reserves a granted dossier-id prefix: no pre-claiming of a portal-style id", async () => {
    const id = `${PORTAL_PREFIX}240101-0001`;
    const claim = { ...received(id, "cn-vpdk-dat-dai", "dvcqg:3f2a9c:received"), occurredAt: at(1) };
    await send([posted("B", claim)]);
    expect(await reasonsFor(claim.eventId)).toEqual([
      `dossier ${id} is under a dossier-id prefix granted to another integration`,
    ]);
    const real = received(id, "phong-tnmt", "dvcqg:3f2a9c:received");
    await send([posted("portal", real)]);
    stored.push({ ...real, source: "portal" });
    const { dossier } = await table.store.dossiers.getWithLog(id);
    expect(dossier).toMatchObject({ owner: "portal", unitId: "phong-tnmt", received: true });
    await countersMatchStored();
  });

  it("takes no other source's events for a reserved id before its receipt; the prefix's own arrive in any order", async () => {
    const id = `${PORTAL_PREFIX}240101-0002`;
    const early = [rated(id, 1, "b-early-rate"), resolved(id, "b-early-resolved", "denied")];
    await send(early.map((e) => posted("B", e)));
    for (const e of early)
      expect(await reasonsFor(e.eventId)).toEqual([
        `dossier ${id} is under a dossier-id prefix granted to another integration, and has not been received`,
      ]);
    // The portal's own resolution before its receipt waits in the log, and counts once received;
    // so does the rating of the ministry, granted the unit the receipt then names.
    const done = resolved(id, "dvcqg:3f2a9d:resolved");
    const byMinistry = rated(id, 5, "ministry-early-rate");
    await send([posted("portal", done), posted("ministry", byMinistry)]);
    const real = received(id, "phong-tnmt", "dvcqg:3f2a9d:received");
    const ratingsBefore = (await countersMatchStored()).ratings.total;
    await send([posted("portal", real)]);
    stored.push(
      { ...done, source: "portal" },
      { ...byMinistry, source: "ministry" },
      { ...real, source: "portal" },
    );
    expect((await countersMatchStored()).ratings.total).toBe(ratingsBefore + 1);
    const { log, dossier } = await table.store.dossiers.getWithLog(id);
    expect(log.map((e) => e.eventId).sort()).toEqual([done.eventId, byMinistry.eventId, real.eventId].sort());
    expect(dossier).toMatchObject({ owner: "portal", received: true });
    expect(dossier?.closedAt).toBeDefined();
    expect(dossier?.anomalyCounts ?? {}).toEqual({});
    await countersMatchStored();
  });

  it("keeps the last place of a dossier's log for its receipt: events before it cannot keep it out", async () => {
    const id = "OWN-FILL";
    const fill = Array.from({ length: 500 }, (_, i) => rated(id, 1, `b-fill-${i}`));
    for (let i = 0; i < fill.length; i += 50) await send(fill.slice(i, i + 50).map((e) => posted("B", e)));
    const { log } = await table.store.dossiers.getWithLog(id);
    expect(log).toHaveLength(499);
    const kept = new Set(log.map((e) => e.eventId));
    const refused = fill.filter((e) => !kept.has(e.eventId));
    expect(refused).toHaveLength(1);
    expect(await reasonsFor(refused[0]?.eventId as string)).toEqual([
      `dossier ${id} has not been received and already holds 499 events: its last place is kept for its dossier.received`,
    ]);
    // The owner's receipt is applied; B's events never count for it.
    const real = received(id, "phong-tu-phap");
    await send([posted("A", real)]);
    stored.push(...fill.filter((e) => kept.has(e.eventId)).map((e) => ({ ...e, source: "B" })), {
      ...real,
      source: "A",
    });
    const after = await table.store.dossiers.getWithLog(id);
    expect(after.dossier).toMatchObject({ owner: "A", received: true });
    expect(after.log).toHaveLength(500);
    await countersMatchStored();
  });

  it("quarantines a unit the directory does not have, unless the deployment accepts unknown units", async () => {
    const unknown = received("OWN-5", "phong-khong-co");
    await send([posted("A", unknown)]);
    expect(await reasonsFor(unknown.eventId)).toEqual(["unit phong-khong-co is not in the unit directory"]);
    expect((await table.store.dossiers.getWithLog("OWN-5")).dossier).toBeUndefined();
    const accepted = { ...unknown, eventId: "accepted-unknown" };
    await send([posted("A", accepted)], { unknownUnits: "accept" });
    stored.push({ ...accepted, source: "A" });
    expect((await table.store.dossiers.getWithLog("OWN-5")).dossier?.unitId).toBe("phong-khong-co");
  });
});

describe("event identity: duplicates and conflicts", () => {
  it("keeps a second body under one (source, eventId) as a conflict, with both bodies, and agrees with the fold", async () => {
    const open = received("CON-1", "phong-qldt");
    const first = resolved("CON-1", "same-id", "approved");
    const second = resolved("CON-1", "same-id", "denied");
    const arrivals = [open, first, second, first].map((e) => ({ ...e, source: "A" }));
    for (const e of arrivals) await send([posted("A", e)]);
    stored.push(arrivals[0] as DossierEvent, arrivals[1] as DossierEvent);

    const conflicts = (await table.store.quarantine.list()).filter((q) => q.eventId === "same-id");
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]?.reason).toBe(
      "conflict: event same-id of A was already applied with a different body",
    );
    expect(JSON.parse(conflicts[0]?.body ?? "").data).toEqual({ outcome: "denied" });
    expect(JSON.parse(conflicts[0]?.applied ?? "").data).toEqual({ outcome: "approved" });
    // A conflict still waits: its event id is stored, but with the other body.
    const since = await table.store.quarantine.appliedSince([
      ...conflicts,
      { id: "same-identity", eventId: "same-id", dossierId: "CON-1", source: "A" },
      { id: "other-source", eventId: "same-id", dossierId: "CON-1", source: "B" },
    ]);
    expect([...since]).toEqual(["same-identity"]);

    // The fold over the arrivals keeps the first body and lists the second as a conflict.
    const period = { period: SEED_PERIOD, asOf: FAULT_NOW };
    const folded = computeReport(arrivals, settings, period);
    expect(folded.dataQuality.anomalies.conflict).toBe(1);
    const live = await readKpiReport(table.store.counters, SEED_PERIOD, { asOf: FAULT_NOW });
    expect(kpiView(live)).toEqual(kpiView(computeReport(stored, { ...settings, admits }, period)));
    const onlyThis = (r: typeof folded) => r.byUnit.find((u) => u.unit === "phong-qldt");
    expect(onlyThis(live)).toEqual(onlyThis(folded));
    expect(onlyThis(live)?.resolved.total).toBe(1);

    // Another source may use the same event id on its own dossier: another event.
    const theirs = received("CON-2", "phong-qldt", "same-id");
    await send([posted("C", theirs)]);
    stored.push({ ...theirs, source: "C" });
    const keys = await table.store.dossiers.storedEvents([
      { dossierId: "CON-1", eventId: "same-id", source: "A" },
      { dossierId: "CON-2", eventId: "same-id", source: "C" },
      { dossierId: "CON-2", eventId: "same-id", source: "A" },
    ]);
    expect([...keys.keys()].sort()).toEqual(
      [
        storedKey({ dossierId: "CON-1", eventId: "same-id", source: "A" }),
        storedKey({ dossierId: "CON-2", eventId: "same-id", source: "C" }),
      ].sort(),
    );
  });

  it("answers duplicate over HTTP only for the same body; a different one goes on to be kept as a conflict", async () => {
    const published: unknown[] = [];
    const publish: Publish = async (entries) => {
      published.push(...entries.map((e) => e.detail));
      return { failed: [] };
    };
    const credential: Credential = {
      name: "A's system",
      role: "integration",
      source: "A",
      ratePerSecond: 10,
    };
    const deps = { ...table.store, publish, now: () => instant("2026-11-30T09:00:00+07:00") };
    const same = resolved("CON-1", "same-id", "approved");
    const other = resolved("CON-1", "same-id", "denied");
    const answer = await ingestEvents(deps, credential, [same, other]);
    const { results } = answer;
    expect(results.map((r) => r.status)).toEqual(["duplicate", "accepted"]);
    expect(published).toEqual([{ ...other, source: "A" }]);
    // What the consumer makes of it: the conflict already kept (same arrival, one record).
    await send([posted("A", published[0] as DossierEvent)]);
    expect((await table.store.quarantine.list()).filter((q) => q.eventId === "same-id")).toHaveLength(1);
  });
});
