/**
 * lib/app/apply-batch.ts against DynamoDB Local: a batch's events applied together, exactly once,
 * with its counter writes summed, and what happens when another writer changes a dossier between
 * the batch's read and its write.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_PERIOD, seed2022Q3 } from "../../dev/scenarios/seed-2022-q3";
import { applyEvent } from "../../lib/app/apply";
import {
  applyBatch,
  type BatchApplyDeps,
  type BatchItem,
  componentsOf,
  type DossierPlan,
  GROUP_ITEMS,
} from "../../lib/app/apply-batch";
import { readKpiReport } from "../../lib/app/kpis";
import type { CommitArgs } from "../../lib/app/ports";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { computeReport } from "../../lib/domain/report";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { FAULT_NOW, faultSettings, seedDirectory } from "../helpers/faults";

// The fault tests' clock, settings and unit directory: the seed scenario's.
const NOW = FAULT_NOW;
const settings = faultSettings;
const units = seedDirectory();
const seed = seed2022Q3();

/** The seed's dossiers (all their events, in the seed's order), the first `n` of one unit. */
function dossiersOf(unitId: string, n: number): DossierEvent[] {
  const ids = [
    ...new Set(
      seed.filter((e) => e.type === "dossier.received" && e.data.unitId === unitId).map((e) => e.dossierId),
    ),
  ].slice(0, n);
  const chosen = new Set(ids);
  const seen = new Set<string>();
  // Without the seed's own repeats: the tests below add the repeats they mean.
  return seed.filter((e) => chosen.has(e.dossierId) && !seen.has(e.eventId) && seen.add(e.eventId));
}

const items = (events: readonly DossierEvent[]): BatchItem[] =>
  events.map((event, i) => ({ key: `m-${i}`, event }));

type Table = Awaited<ReturnType<typeof testTable>>;
const tables: Table[] = [];
afterAll(async () => Promise.all(tables.map((t) => t.drop())));

async function freshDeps(): Promise<
  BatchApplyDeps & { table: Table; commits: CommitArgs[][]; refused: string[] }
> {
  const table = await testTable("batch");
  tables.push(table);
  const commits: CommitArgs[][] = [];
  const refused: string[] = [];
  const dossiers = table.store.dossiers;
  const noted = async (result: Awaited<ReturnType<typeof dossiers.commit>>) => {
    if (!result.ok) refused.push(result.error.kind);
    return result;
  };
  // The store as it is, with its group and single commits recorded (what each transaction held).
  const watched = Object.assign(Object.create(dossiers) as typeof dossiers, {
    commit: (c: CommitArgs) => {
      commits.push([c]);
      return dossiers.commit(c).then(noted);
    },
    commitGroup: (cs: readonly CommitArgs[]) => {
      commits.push([...cs]);
      return dossiers.commitGroup(cs).then(noted);
    },
  });
  return { ...table.store, dossiers: watched, settings, units, now: () => NOW, table, commits, refused };
}

/**
 * `n` dossiers of `unitId` received (applied), and their later events: the first for another
 * writer to apply while the batch runs, the rest for the batch.
 */
async function receivedThenLater(deps: BatchApplyDeps, unitId: string, n: number) {
  const events = dossiersOf(unitId, n);
  await outcomesOf(deps, items(events.filter((e) => e.type === "dossier.received")));
  const [theirs, ...ours] = events.filter((e) => e.type !== "dossier.received");
  if (!theirs) throw new Error("no later event");
  return { events, theirs, ours };
}

async function outcomesOf(deps: BatchApplyDeps, batch: BatchItem[], onFallback?: (e: unknown) => void) {
  const out = applyBatch(deps, batch, onFallback);
  return Promise.all(batch.map(async ({ key }) => (await out.get(key))?.status));
}

async function expectExactlyOnce(
  deps: Awaited<ReturnType<typeof freshDeps>>,
  events: readonly DossierEvent[],
) {
  const distinct = [...new Map(events.map((e) => [e.eventId, e])).values()];
  const fromCounters = await readKpiReport(deps.table.store.counters, SEED_PERIOD, { asOf: NOW });
  const fromEvents = computeReport(distinct, settings, { period: SEED_PERIOD, asOf: NOW });
  expect(kpiView(fromCounters)).toEqual(kpiView(fromEvents));
  for (const id of new Set(distinct.map((e) => e.dossierId))) {
    const stored = (await deps.dossiers.getWithLog(id)).log.map((e) => e.eventId).sort();
    expect(stored, id).toEqual(
      distinct
        .filter((e) => e.dossierId === id)
        .map((e) => e.eventId)
        .sort(),
    );
  }
}

describe("componentsOf", () => {
  const plan = (dossierId: string, counters: string[]): DossierPlan => ({
    dossierId,
    items: [],
    outcomes: new Map(),
    quarantines: [],
    change: {
      log: [],
      record: { dossierId } as CommitArgs["record"],
      previousVersion: 0,
      deltas: counters.map((unit) => ({
        period: "2022-Q3",
        from: "",
        to: "",
        item: { unit, path: [] },
        counts: { received: 1 },
      })) as never,
    },
  });

  it("puts dossiers that share a counter item in one component, and others apart", () => {
    const components = componentsOf([
      plan("a", ["u1"]),
      plan("b", ["u2"]),
      plan("c", ["u1", "u3"]),
      plan("d", ["u3"]),
    ]);
    const ids = components.map((groups) =>
      groups
        .flat()
        .map((p) => p.dossierId)
        .sort(),
    );
    expect(ids.sort()).toEqual([["a", "c", "d"], ["b"]]);
  });

  it("cuts a component into groups of at most the items given: each dossier's put and each new counter item", () => {
    const plans = Array.from({ length: 20 }, (_, i) => plan(`d${i}`, ["u1"]));
    const [groups] = componentsOf(plans, GROUP_ITEMS);
    // Each group: its dossiers' puts and the one counter item they share.
    for (const g of groups ?? []) expect(g.length + 1).toBeLessThanOrEqual(GROUP_ITEMS);
    expect(groups?.flat().map((p) => p.dossierId)).toEqual(plans.map((p) => p.dossierId));
    // A dossier alone in a group however many counter items it moves.
    expect(componentsOf([plan("x", ["u1", "u2", "u3"])], 2)).toEqual([
      [[expect.objectContaining({ dossierId: "x" })]],
    ]);
  });
});

describe("applyBatch against DynamoDB Local", () => {
  let deps: Awaited<ReturnType<typeof freshDeps>>;
  beforeAll(async () => {
    deps = await freshDeps();
  });

  it("applies one event twice in a batch once, and says which was the duplicate", async () => {
    const [first] = dossiersOf("phong-tnmt", 1);
    if (!first) throw new Error("no dossier");
    expect(await outcomesOf(deps, items([first, first]))).toEqual(["applied", "duplicate"]);
    await expectExactlyOnce(deps, [first]);
  });

  it("writes many dossiers of one unit in a few transactions, their counter deltas summed, exactly once", async () => {
    const own = await freshDeps();
    const events = dossiersOf("phong-tckh", 12);
    const received = events.filter((e) => e.type === "dossier.received");
    expect(received.length).toBe(12);
    expect(await outcomesOf(own, items(received))).toEqual(received.map(() => "applied"));
    // 12 dossiers in groups of at most GROUP_ITEMS items (their puts and the unit's counter item).
    expect(own.commits.length).toBeLessThan(received.length);
    expect(own.commits.length).toBe(Math.ceil(received.length / (GROUP_ITEMS - 1)));
    await expectExactlyOnce(own, received);
    // The rest of their events, with every one of them delivered again in the same batch.
    const rest = events.filter((e) => e.type !== "dossier.received");
    const outcomes = await outcomesOf(own, items([...rest, ...rest, ...received]));
    expect(outcomes.filter((o) => o === "applied")).toHaveLength(rest.length);
    expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(rest.length + received.length);
    await expectExactlyOnce(own, events);
  });

  it("reads again a dossier another writer changed after the batch read it, before its group is written", async () => {
    const own = await freshDeps();
    const { events, theirs, ours } = await receivedThenLater(own, "phong-tckh", 4);
    // Between the batch's read and its group's check, another execution environment applies an
    // event of one of its dossiers.
    const getMany = own.dossiers.getMany.bind(own.dossiers);
    let reads = 0;
    own.dossiers.getMany = async (ids) => {
      const read = await getMany(ids);
      if (reads++ === 0) await applyEvent(own, theirs);
      return read;
    };
    const outcomes = await outcomesOf(own, items([...ours, theirs]));
    expect(outcomes.at(-1)).toBe("duplicate");
    expect(outcomes.slice(0, -1)).toEqual(ours.map(() => "applied"));
    expect(reads).toBe(2);
    // Found by the check before its group was written: no transaction refused.
    expect(own.refused).toEqual([]);
    await expectExactlyOnce(own, events);
  });

  it("when a group's transaction is refused (a dossier changed after its check), writes the rest and reads that one again", async () => {
    const own = await freshDeps();
    const { events, theirs, ours } = await receivedThenLater(own, "phong-tckh", 4);
    const versionsOf = own.dossiers.versionsOf.bind(own.dossiers);
    let checks = 0;
    own.dossiers.versionsOf = async (ids) => {
      const versions = await versionsOf(ids);
      if (checks++ === 0) await applyEvent(own, theirs);
      return versions;
    };
    const refusedBefore = own.commits.length;
    const outcomes = await outcomesOf(own, items([...ours, theirs]));
    expect(outcomes).toEqual([...ours.map(() => "applied"), "duplicate"]);
    // The refused group, then the group without that dossier, then that dossier read again alone.
    expect(own.commits.length - refusedBefore).toBeGreaterThanOrEqual(3);
    expect(own.refused).toEqual(["version_conflict"]);
    await expectExactlyOnce(own, events);
  });

  it("applies every event on its own when the batch's read fails, and says so", async () => {
    const own = await freshDeps();
    const events = dossiersOf("phong-tnmt", 3);
    own.dossiers.getMany = async () => {
      throw new Error("read failed");
    };
    const fallbacks: unknown[] = [];
    const outcomes = await outcomesOf(own, items([...events, ...events]), (e) => fallbacks.push(e));
    expect(fallbacks).toHaveLength(1);
    expect(outcomes).toEqual([...events.map(() => "applied"), ...events.map(() => "duplicate")]);
    await expectExactlyOnce(own, events);
  });

  it("reports what the batch applied before it failed as applied, and applies the rest on its own", async () => {
    const own = await freshDeps();
    const received = (unitId: string) => dossiersOf(unitId, 3).filter((e) => e.type === "dossier.received");
    const [tnmt, tckh] = [received("phong-tnmt"), received("phong-tckh")];
    // Storage fails for the transaction of one unit's dossiers; the other unit's is written.
    const commitGroup = own.dossiers.commitGroup.bind(own.dossiers);
    own.dossiers.commitGroup = async (changes) => {
      if (changes.some((c) => c.record.unitId === "phong-tckh")) throw new Error("storage failed");
      return commitGroup(changes);
    };
    const fallbacks: unknown[] = [];
    const outcomes = await outcomesOf(own, items([...tnmt, ...tckh]), (e) => fallbacks.push(e));
    expect(fallbacks).toHaveLength(1);
    // Each applied once, by the batch or by the fall-back: none counted a duplicate of itself.
    expect(outcomes).toEqual([...tnmt, ...tckh].map(() => "applied"));
    // The batch's path wrote one unit's dossiers in one transaction before it failed.
    expect(own.commits.filter((c) => c.length > 1).map((c) => c.map((d) => d.record.unitId))).toEqual([
      tnmt.map(() => "phong-tnmt"),
    ]);
    await expectExactlyOnce(own, [...tnmt, ...tckh]);
  });
});
