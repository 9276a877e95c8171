import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApplyDeps, applyEvent } from "../../lib/app/apply";
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
import { agency, contact, directoryOf, unit } from "../helpers/trees";

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

let n = 0;
const received = (dossierId: string, unitId: string, day: string): DossierEvent => ({
  eventId: `e${n++}`,
  type: "dossier.received",
  occurredAt: `2025-${day}T09:00:00+07:00`,
  dossierId,
  data: {
    unitId,
    procedureCode: "1.000001",
    channel: "direct",
    domain: "ho-tich",
    level: "province",
    processingDays: 60,
  },
});
const resolved = (dossierId: string, day: string): DossierEvent => ({
  eventId: `e${n++}`,
  type: "dossier.resolved",
  occurredAt: `2025-${day}T10:00:00+07:00`,
  dossierId,
  data: { outcome: "approved" },
});

let table: Awaited<ReturnType<typeof testTable>>;
beforeAll(async () => {
  table = await testTable("tree-again");
});
afterAll(async () => table.drop());

/** Imports a tree as `units import` stores it. */
const importTree = (parent: string) => {
  const file = treeFile(parent);
  return table.store.directory.put(file.units, file.leadership, [], file.agencies);
};

/** Every agency's figures from its counters == the events rolled up by the stored tree. */
async function expectAgenciesEqualEvents(events: DossierEvent[], where: string) {
  const tree = agencyTreeOf(await table.store.directory.get("2025-09-20"));
  for (const id of AGENCIES) {
    const expected = agencyReportFromEvents(tree, events, settings, { period: Q3, asOf: NOW, agency: id });
    const node = await readNodeCounts(table.store.counters, tree, id, Q3);
    expect(
      kpiView(reportFromCounts(node?.counts ?? fail(), { period: Q3, asOf: NOW })),
      `${id} ${where}`,
    ).toEqual(kpiView(expected?.report ?? fail()));
  }
}
const fail = (): never => {
  throw new Error("no report");
};

describe("a tree imported again", () => {
  it("keeps every agency's figures equal to the events rolled up by the tree imported last", async () => {
    await importTree("so-a");
    const events = [
      received("M1", "moved", "07-07"),
      resolved("M1", "07-21"),
      received("M2", "moved", "07-08"),
      received("A1", "a.u", "07-09"),
      received("B1", "b.u", "07-10"),
    ];
    const apply = async (list: DossierEvent[]) => {
      const deps: ApplyDeps = {
        ...table.store,
        settings,
        units: await table.store.directory.get("2025-09-20"),
        now: () => NOW,
      };
      for (const e of list) await applyEvent(deps, e);
    };
    await apply(events);
    await expectAgenciesEqualEvents(events, "counted under the first tree");

    // The unit moves to the other department: its dossiers' items stay under so-a until touched.
    await importTree("so-b");
    await expectAgenciesEqualEvents(events, "after the tree moved the unit, nothing recounted");

    // One dossier recounted: its contribution moves to the new path; the other's stays put.
    const more = [resolved("M2", "08-04")];
    await apply(more);
    await expectAgenciesEqualEvents([...events, ...more], "one dossier recounted");

    // And back: the items under so-b (the recounted dossier's) are now the former ones.
    await importTree("so-a");
    await expectAgenciesEqualEvents([...events, ...more], "the tree imported back");
  });

  it("leaves a unit moved by an import that kept no former paths with the agency it was counted under", async () => {
    // As a directory imported again before former paths were kept: the unit's item without them.
    await importTree("so-b");
    await table.doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: "UNIT", sk: "moved" },
        UpdateExpression: "REMOVE former",
      }),
    );
    const tree = agencyTreeOf(await table.store.directory.get("2025-09-20"));
    const received = async (id: string) =>
      reportFromCounts((await readNodeCounts(table.store.counters, tree, id, Q3))?.counts ?? fail(), {
        period: Q3,
        asOf: NOW,
      }).received.total;
    // Nothing lost between the departments: what so-a kept counting is still its own.
    expect((await received("so-a")) + (await received("so-b"))).toBe(await received("p"));
  });

  it("leaves out only the items an import recorded as moved, not the unit's other ones", async () => {
    const own = await testTable("tree-again-items");
    const store = own.store;
    const importAt = (parent: string) => {
      const file = treeFile(parent);
      return store.directory.put(file.units, file.leadership, [], file.agencies);
    };
    const apply = async (list: DossierEvent[]) => {
      const units = await store.directory.get("2025-09-20");
      for (const e of list) await applyEvent({ ...store, settings, units, now: () => NOW }, e);
    };
    // Counted under phong-a; moved to so-a by an import that recorded nothing; counted there too.
    await importAt("phong-a");
    await apply([received("I1", "moved", "07-07")]);
    await importAt("so-a");
    await own.doc.send(
      new UpdateCommand({
        TableName: own.tableName,
        Key: { pk: "UNIT", sk: "moved" },
        UpdateExpression: "REMOVE former",
      }),
    );
    await apply([received("I2", "moved", "07-08")]);
    // Then to so-b, recorded: the item under so-a goes with it, the one under phong-a stays.
    await importAt("so-b");
    const tree = agencyTreeOf(await store.directory.get("2025-09-20"));
    const received2 = async (id: string) =>
      reportFromCounts((await readNodeCounts(store.counters, tree, id, Q3))?.counts ?? fail(), {
        period: Q3,
        asOf: NOW,
      }).received.total;
    expect(await received2("p")).toBe(2);
    expect(await received2("so-b")).toBe(1);
    expect(await received2("phong-a")).toBe(1);
    expect(await received2("so-a")).toBe(1);
    await own.drop();
  });
});
