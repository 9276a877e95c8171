import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvent } from "../../lib/app/apply";
import { readNodeCounts } from "../../lib/app/kpis";
import { agencyTreeOf } from "../../lib/domain/agency-directory";
import { agencyReportFromEvents } from "../../lib/domain/agency-rollup";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { type Period, periodByName } from "../../lib/domain/periods";
import { reportFromCounts } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { agency, contact, directoryOf, treeEvents, unit } from "../helpers/trees";

/**
 * A province's tree imported again with a unit under another agency (a correction): the dossiers
 * counted under the old tree keep their counter items where they were, and each agency's figures,
 * read from its own counters, still equal the roll-up of the events by the tree imported last:
 * before their dossiers are touched again, after, and once the tree is imported back (docs/kpis.md
 * "A tree imported again"). On DynamoDB Local.
 */
const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q3 = periodByName(settings.scheme, "2025-Q3") as Period;
const NOW = instant("2025-09-20T09:00:00+07:00");
const AGENCIES = ["p", "so-a", "so-b", "phong-a"];

/** The tree, with unit `moved` under `parent`. */
const treeFile = (parent: string) =>
  directoryOf({
    leadership: [contact("chu-tich")],
    agencies: [
      agency("p", undefined),
      agency("so-a", "p", { level: "provincial-department" }),
      agency("phong-a", "so-a", { level: "provincial-department" }),
      agency("so-b", "p", { level: "provincial-department" }),
    ],
    units: [unit("a.u", "phong-a", {}), unit("b.u", "so-b", {}), unit("moved", parent, {})],
  });

const { received, resolved } = treeEvents("province");

/** A table on DynamoDB Local, and what a test does with it. */
async function treeTable(tag: string) {
  const table = await testTable(tag);
  const { store } = table;
  const tree = async () => agencyTreeOf(await store.directory.get("2025-09-20"));
  return {
    table,
    /** Imports the tree with `moved` under `parent`, as `units import` stores it. */
    importTree: (parent: string) => {
      const file = treeFile(parent);
      return store.directory.put(file.units, file.leadership, [], file.agencies);
    },
    /** Applies events as the consumer does, with the directory as stored now. */
    apply: async (list: DossierEvent[]) => {
      const units = await store.directory.get("2025-09-20");
      for (const e of list) await applyEvent({ ...store, settings, units, now: () => NOW }, e);
    },
    /** As a directory imported again before former paths were kept: `moved`'s item without them. */
    forgetFormerPaths: () =>
      table.doc.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: { pk: "UNIT", sk: "moved" },
          UpdateExpression: "REMOVE former",
        }),
      ),
    /** An agency's report, read from its own counters by the stored tree. */
    report: async (agency: string) =>
      reportFromCounts((await readNodeCounts(store.counters, await tree(), agency, Q3))?.counts ?? fail(), {
        period: Q3,
        asOf: NOW,
      }),
    tree,
  };
}

let t: Awaited<ReturnType<typeof treeTable>>;
beforeAll(async () => {
  t = await treeTable("tree-again");
});
afterAll(async () => t.table.drop());

/** Every agency's figures from its counters == the events rolled up by the stored tree. */
async function expectAgenciesEqualEvents(events: DossierEvent[], where: string) {
  const tree = await t.tree();
  for (const id of AGENCIES) {
    const expected = agencyReportFromEvents(tree, events, settings, { period: Q3, asOf: NOW, agency: id });
    expect(kpiView(await t.report(id)), `${id} ${where}`).toEqual(kpiView(expected?.report ?? fail()));
  }
}
const fail = (): never => {
  throw new Error("no report");
};

describe("a tree imported again", () => {
  it("keeps every agency's figures equal to the events rolled up by the tree imported last", async () => {
    await t.importTree("so-a");
    const events = [
      received("M1", "moved", "2025-07-07"),
      resolved("M1", "2025-07-21"),
      received("M2", "moved", "2025-07-08"),
      received("A1", "a.u", "2025-07-09"),
      received("B1", "b.u", "2025-07-10"),
    ];
    await t.apply(events);
    await expectAgenciesEqualEvents(events, "counted under the first tree");

    // The unit moves to the other department: its dossiers' items stay under so-a until touched.
    await t.importTree("so-b");
    await expectAgenciesEqualEvents(events, "after the tree moved the unit, nothing recounted");

    // One dossier recounted: its contribution moves to the new path; the other's stays put.
    const more = [resolved("M2", "2025-08-04")];
    await t.apply(more);
    await expectAgenciesEqualEvents([...events, ...more], "one dossier recounted");

    // And back: the items under so-b (the recounted dossier's) are now the former ones.
    await t.importTree("so-a");
    await expectAgenciesEqualEvents([...events, ...more], "the tree imported back");
  });

  it("leaves a unit moved by an import that kept no former paths with the agency it was counted under", async () => {
    await t.importTree("so-b");
    await t.forgetFormerPaths();
    const total = async (id: string) => (await t.report(id)).received.total;
    // Nothing lost between the departments: what so-a kept counting is still its own.
    expect((await total("so-a")) + (await total("so-b"))).toBe(await total("p"));
  });

  it("leaves out only the items an import recorded as moved, not the unit's other ones", async () => {
    const own = await treeTable("tree-again-items");
    // Counted under phong-a; moved to so-a by an import that recorded nothing; counted there too.
    await own.importTree("phong-a");
    await own.apply([received("I1", "moved", "2025-07-07")]);
    await own.importTree("so-a");
    await own.forgetFormerPaths();
    await own.apply([received("I2", "moved", "2025-07-08")]);
    // Then to so-b, recorded: the item under so-a goes with it, the one under phong-a stays.
    await own.importTree("so-b");
    const total = async (id: string) => (await own.report(id)).received.total;
    expect(await total("p")).toBe(2);
    expect(await total("so-b")).toBe(1);
    expect(await total("phong-a")).toBe(1);
    expect(await total("so-a")).toBe(1);
    await own.table.drop();
  });

  it("lets one import write the directory at a time: another meanwhile writes nothing and says so", async () => {
    const own = await treeTable("tree-again-lease");
    await own.importTree("so-a");
    const gate = holdNextBatchWrite(own.table);
    const first = own.importTree("so-b");
    await gate.holding;
    expect(await own.importTree("phong-a")).toMatchObject({ ok: false, error: { kind: "directory_busy" } });
    gate.go();
    expect(await first).toEqual({ ok: true, value: undefined });
    expect((await own.tree()).get("moved")?.parentId).toBe("so-b");
    // Given back: the next import writes.
    expect((await own.importTree("phong-a")).ok).toBe(true);
    expect((await own.tree()).get("moved")?.parentId).toBe("phong-a");
    await own.table.drop();
  });

  it("stops an import whose lease another took meanwhile, and renews and gives back its own", async () => {
    const own = await treeTable("tree-again-lost");
    await own.importTree("so-a");
    // Held at its first write, the import's lease is taken by another (as after it ran out).
    const gate = holdNextBatchWrite(own.table);
    const first = own.importTree("so-b");
    await gate.holding;
    const live = { pk: "IMPORT", sk: "directory", owner: "other", until: Date.now() + 600_000 };
    await own.table.doc.send(new PutCommand({ TableName: own.table.tableName, Item: live }));
    gate.go();
    expect(await first).toMatchObject({ ok: false, error: { kind: "directory_busy" } });
    expect((await own.tree()).get("moved")?.parentId).toBe("so-a");
    // The other's lease still holds: a plain import is refused; the local stack's first start takes it over.
    expect(await own.importTree("so-b")).toMatchObject({ ok: false, error: { kind: "directory_busy" } });
    const file = treeFile("so-b");
    const taken = await own.table.store.directory.put(file.units, file.leadership, [], file.agencies, {
      takeOver: true,
    });
    expect(taken.ok).toBe(true);
    // An import takes its lease once and renews it before each of its three steps.
    const requests = countLeaseRequests(own.table);
    expect((await own.importTree("so-a")).ok).toBe(true);
    expect(requests).toEqual({ PutItemCommand: 4, DeleteItemCommand: 1 });
    await own.table.drop();
  });

  it("gives its lease back when a write fails, and reports the write's failure even when that fails too", async () => {
    const own = await treeTable("tree-again-failed");
    await own.importTree("so-a");
    const fail = { BatchWriteItemCommand: 1, DeleteItemCommand: 0 };
    own.table.client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = context.commandName as keyof typeof fail;
        if (fail[name]) {
          fail[name]--;
          throw new Error(`injected: ${name} failed`);
        }
        return next(args);
      },
      { step: "initialize", name: "failWrites" },
    );
    await expect(own.importTree("so-b")).rejects.toThrow("injected: BatchWriteItemCommand failed");
    // Given back: the next import writes.
    expect((await own.importTree("so-b")).ok).toBe(true);
    // Its give-back failing too, the write's own failure is what the caller hears.
    Object.assign(fail, { BatchWriteItemCommand: 1, DeleteItemCommand: 1 });
    await expect(own.importTree("phong-a")).rejects.toThrow("injected: BatchWriteItemCommand failed");
    expect(fail.DeleteItemCommand).toBe(0);
    // Not given back, the lease holds until it runs out.
    expect(await own.importTree("phong-a")).toMatchObject({ ok: false, error: { kind: "directory_busy" } });
    await own.table.drop();
  });
});

/** Holds `table`'s next BatchWriteItem until `go()`; `holding` resolves once it is held. */
function holdNextBatchWrite(table: { client: Awaited<ReturnType<typeof testTable>>["client"] }) {
  let go: () => void = () => {};
  let held: () => void = () => {};
  const holding = new Promise<void>((r) => {
    held = r;
  });
  const release = new Promise<void>((r) => {
    go = r;
  });
  let hold = true;
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (hold && context.commandName === "BatchWriteItemCommand") {
        hold = false;
        held();
        await release;
      }
      return next(args);
    },
    { step: "initialize" },
  );
  return { holding, go: () => go() };
}

/** Counts the requests `table`'s client makes on the directory import's lease, by command. */
function countLeaseRequests(table: { client: Awaited<ReturnType<typeof testTable>>["client"] }) {
  const counts: Record<string, number> = {};
  table.client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Item?: { pk?: unknown }; Key?: { pk?: unknown } };
      const pk = input.Item?.pk ?? input.Key?.pk;
      const name = context.commandName ?? "";
      if (pk === "IMPORT" || (pk as { S?: string } | undefined)?.S === "IMPORT")
        counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: "initialize", priority: "low" },
  );
  return counts;
}
