import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ApplyDeps, applyEvent, decideApply } from "../../lib/app/apply";
import { readKpiReport, readNodeCounts, readNodeReport } from "../../lib/app/kpis";
import type { CounterReader } from "../../lib/app/ports";
import { type SweepDeps, sweepDossier } from "../../lib/app/sweep";
import { type AgencyTree, buildAgencyTree } from "../../lib/domain/agencies";
import { agencyReportFromEvents, rollUpDate } from "../../lib/domain/agency-rollup";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { type CountingSettings, counterDeltas } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { identityOf } from "../../lib/domain/identity";
import { buildForm } from "../../lib/domain/official/form";
import { buildIndex } from "../../lib/domain/official/index766";
import { DEFAULT_OFFICIAL_SETTINGS } from "../../lib/domain/official/settings";
import { type Period, periodByName } from "../../lib/domain/periods";
import {
  computeReport,
  computeReportAndCounts,
  type Report,
  reportFromCounts,
} from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { kpiView } from "../helpers/compare";
import { testTable } from "../helpers/dynamo";
import { deliveryArb, historiesArb } from "../helpers/histories";
import { mergedCommuneFile, storedDirectory, treeArb, treeEvents } from "../helpers/trees";

const settings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q3 = periodByName(settings.scheme, "2022-Q3") as Period;
const Q4 = periodByName(settings.scheme, "2022-Q4") as Period;
const histories = historiesArb({ start: "2022-06-10T08:00:00+07:00", spanDays: 160, maxDossiers: 14 });

async function applyAll(deps: ApplyDeps, events: DossierEvent[], workers: number) {
  const queue = [...events];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let e = queue.shift(); e; e = queue.shift()) await applyEvent(deps, e);
    }),
  );
}

/** What the deadline sweep does for counters: recount every dossier whose next check is due. */
async function sweepCounters(deps: ApplyDeps & SweepDeps) {
  for (let round = 0; round < 10; round++) {
    const due = await deps.dossiers.dueForCheck(deps.now());
    if (due.length === 0) return;
    for (const d of due) await sweepDossier(deps, d.dossierId);
  }
  throw new Error("the sweep did not settle");
}

async function expectCountersEqualReport(
  deps: { counters: CounterReader },
  events: DossierEvent[],
  asOf: number,
) {
  for (const period of [Q3, Q4]) {
    const counters = await readKpiReport(deps.counters, period, { asOf });
    const reference = computeReport(events, settings, { period, asOf });
    expect(kpiView(counters), period.name).toEqual(kpiView(reference));
  }
}

describe("rolling counters == the reference report, by property, on DynamoDB Local", () => {
  it("for random histories in random order with duplicates, over two consecutive quarters", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events))),
        async ([events, delivered]) => {
          const table = await testTable("prop");
          const deps = {
            ...table.store,
            settings,
            now: () => instant("2023-06-01T00:00:00+07:00"),
          };
          await applyAll(deps, delivered, 4);
          await expectCountersEqualReport(deps, events, deps.now());
          await table.drop();
        },
      ),
      { numRuns: 8 },
    );
  }, 240_000);

  it("while time passes: due instants crossed and a new quarter started are recounted by the sweep", async () => {
    await fc.assert(
      fc.asyncProperty(
        histories.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events))),
        // Clock pairs that cross due instants, a quarter's end, or both.
        fc.constantFrom(
          ["2022-08-01T00:00:00+07:00", 10],
          ["2022-09-20T09:00:00+07:00", 20],
          ["2022-09-30T16:00:00+07:00", 1],
          ["2022-10-10T10:00:00+07:00", 45],
          ["2022-07-15T08:00:00+07:00", 80],
        ),
        async ([events, delivered], [start, days]) => {
          const first = instant(start);
          const step = days * 86_400_000;
          const table = await testTable("time");
          let clock = first;
          const deps = { ...table.store, settings, now: () => clock };
          await applyAll(
            deps,
            delivered.filter((e) => instant(e.occurredAt) <= clock),
            3,
          );
          await expectCountersEqualReport(deps, events, clock);
          clock += step;
          await applyAll(
            deps,
            delivered.filter((e) => instant(e.occurredAt) <= clock),
            3,
          );
          await sweepCounters(deps);
          await expectCountersEqualReport(deps, events, clock);
          await table.drop();
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});

const nodeSettings: CountingSettings = {
  calendar: WorkingCalendar.official(),
  scheme: { kind: "calendar-quarter" },
};
const Q2_2025 = periodByName(nodeSettings.scheme, "2025-Q2") as Period;
const Q3_2025 = periodByName(nodeSettings.scheme, "2025-Q3") as Period;
const NODE_NOW = instant("2025-10-20T09:00:00+07:00");

/** A node's counts from DynamoDB Local equal the roll-up of the events: its report, form II.06a and index. */
async function expectNodeEqualsEvents(
  store: CounterReader,
  tree: AgencyTree,
  events: DossierEvent[],
  agency: string,
  period: Period,
) {
  const expected = agencyReportFromEvents(tree, events, nodeSettings, { period, asOf: NODE_NOW, agency });
  const node = await readNodeCounts(store, tree, agency, period);
  expect(node === undefined, `${agency} ${period.name}`).toBe(expected === undefined);
  if (!node || !expected) return;
  const where = `${agency} in ${period.name}`;
  expect(kpiView(reportFromCounts(node.counts, { period, asOf: NODE_NOW })), where).toEqual(
    kpiView(expected.report),
  );
  const form = { period, asOf: NODE_NOW, settings: DEFAULT_OFFICIAL_SETTINGS };
  expect(buildForm(node.counts, form), where).toEqual(buildForm(expected.counts, form));
  expect(buildIndex(node.counts, { period, asOf: NODE_NOW }), where).toEqual(
    buildIndex(expected.counts, { period, asOf: NODE_NOW }),
  );
  expect(node.unsplit, where).toBeUndefined();
}

describe("each node of the agency tree, read from its own counters, == the roll-up of the events", () => {
  it("for random trees (communes merged on 2025-07-01) and histories in random order with duplicates", async () => {
    await fc.assert(
      fc.asyncProperty(
        treeArb.chain(({ file, tree, unitIds }) =>
          historiesArb({
            start: "2025-04-20T08:00:00+07:00",
            spanDays: 120,
            maxDossiers: 12,
            // A unit the directory lacks too (UNKNOWN_UNITS=accept): it counts at the root.
            units: [...unitIds, "stray"],
          }).chain((events) =>
            fc.tuple(fc.constant({ file, tree }), fc.constant(events), deliveryArb(events)),
          ),
        ),
        async ([{ file, tree }, events, delivered]) => {
          const table = await testTable("nodes");
          const deps: ApplyDeps = {
            ...table.store,
            settings: nodeSettings,
            units: storedDirectory(file),
            unknownUnits: "accept",
            now: () => NODE_NOW,
          };
          await applyAll(deps, delivered, 3);
          for (const period of [Q2_2025, Q3_2025])
            for (const agency of [...tree.agencies().map((a) => a.id)])
              await expectNodeEqualsEvents(table.store.counters, tree, events, agency, period);
          await table.drop();
        },
      ),
      { numRuns: 5 },
    );
  }, 600_000);
});

describe("a commune merged on 2025-07-01, on DynamoDB Local", () => {
  const { received, resolved } = treeEvents("commune");
  const events: DossierEvent[] = [
    received("A", "xa-a.u", "2025-05-12"),
    resolved("A", "2025-08-05"), // carried over into Q3, resolved there
    received("B", "xa-b.u", "2025-06-02"),
    resolved("B", "2025-06-10"),
    received("D", "xa-a.u", "2025-06-20"), // still pending at the end of Q3
    received("C", "xa-moi.u", "2025-07-15"),
    received("E", "so-tp.u", "2025-06-05"),
    resolved("E", "2025-07-10"),
  ];
  const file = mergedCommuneFile();
  const tree = buildAgencyTree(file);

  it("reports its dossiers under itself before the merger and under its successor after, nothing twice or lost, each node reading its own counters only", async () => {
    const table = await testTable("merged");
    const deps: ApplyDeps = {
      ...table.store,
      settings: nodeSettings,
      units: storedDirectory(file),
      now: () => NODE_NOW,
    };
    await applyAll(deps, events, 2);
    const read: string[] = [];
    table.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "QueryCommand")
          for (const item of (out.output as { Items?: { sk: string }[] }).Items ?? []) read.push(item.sk);
        return out;
      },
      { step: "initialize", name: "items-read" },
    );
    const report = async (agency: string, period: Period) =>
      readNodeReport(table.store.counters, tree, agency, period, { asOf: NODE_NOW });
    const totals = (r: Report | undefined) =>
      r && {
        received: r.received.total,
        carriedOver: r.received.carriedOver,
        resolved: r.resolved.total,
        pending: r.pending.total,
      };

    read.length = 0;
    const xaA = await report("xa-a", Q2_2025);
    expect(totals(xaA)).toEqual({ received: 2, carriedOver: 0, resolved: 0, pending: 2 });
    expect(read).toEqual(["A#p/huyen/xa-a/xa-a.u"]);
    expect(xaA?.basis.itemsRead).toBe(1);
    // Nothing counted without the tree: one item, its own, whatever the other nodes hold.
    expect(xaA?.agency).toBe("xa-a");
    expect(totals(await report("huyen", Q2_2025))).toEqual({
      received: 3,
      carriedOver: 0,
      resolved: 1,
      pending: 2,
    });
    expect(await report("xa-moi", Q2_2025)).toBeUndefined();
    expect(await report("xa-a", Q3_2025)).toBeUndefined();

    read.length = 0;
    const moi = await report("xa-moi", Q3_2025);
    expect(totals(moi)).toEqual({ received: 3, carriedOver: 2, resolved: 1, pending: 2 });
    expect(moi?.byUnit.map((u) => u.unit)).toEqual(["xa-a.u", "xa-moi.u"]);
    // Its own counters only (xa-b.u's dossier, resolved before the merger, may have left a zero there).
    expect(read.filter((sk) => !sk.startsWith("A#p/xa-moi/"))).toEqual([]);
    expect(read).toEqual(expect.arrayContaining(["A#p/xa-moi/xa-a.u", "A#p/xa-moi/xa-moi.u"]));

    for (const period of [Q2_2025, Q3_2025]) {
      for (const agency of ["p", "so-tp", "huyen", "xa-a", "xa-b", "xa-moi"])
        await expectNodeEqualsEvents(table.store.counters, tree, events, agency, period);
      // The leaves add up to the province, which is the report from every event.
      const at = rollUpDate(period);
      const leaves = ["so-tp", "xa-a", "xa-b", "xa-moi"].filter(
        (a) => tree.childrenAt(a, at).agencies.length === 0,
      );
      let received = 0;
      for (const leaf of leaves) received += (await report(leaf, period))?.received.total ?? 0;
      const province = computeReport(events, nodeSettings, { period, asOf: NODE_NOW });
      expect(received, period.name).toBe(province.received.total);
      expect(kpiView((await report("p", period)) as Report)).toEqual(kpiView(province));
    }
    await table.drop();
  }, 240_000);
});

/**
 * The consumer before one item per unit held the split: the same decision, its entries without a
 * path, so each change added to `U#unit` (totals) and `L#level#domain` as it did then.
 */
async function applyAsBefore(deps: ApplyDeps, event: DossierEvent) {
  const { dossier, log } = await deps.dossiers.getWithLog(event.dossierId);
  const prior = log.find((e) => identityOf(e) === identityOf(event));
  const decision = decideApply(deps, { dossier, log, prior }, event, deps.now());
  if (decision.kind !== "commit") return;
  const counted = Object.fromEntries(
    Object.entries(decision.record.counted).map(([p, { path: _path, ...c }]) => [p, c]),
  );
  const committed = await deps.dossiers.commit({
    log: decision.log,
    previousVersion: dossier?.version ?? 0,
    record: { ...decision.record, counted },
    deltas: counterDeltas(dossier?.counted ?? {}, counted),
  });
  if (!committed.ok) throw new Error(committed.error.message);
}

describe("counters counted before the change and after it, together", () => {
  it("a history begun by the former consumer and finished by this one counts every dossier once, office-wide and per node", async () => {
    let wholeNodes = 0;
    await fc.assert(
      fc.asyncProperty(
        treeArb.chain(({ file, tree, unitIds }) =>
          historiesArb({
            start: "2025-04-20T08:00:00+07:00",
            spanDays: 120,
            maxDossiers: 10,
            units: unitIds,
          }).chain((events) =>
            fc.tuple(
              fc.constant({ file, tree }),
              fc.constant(events),
              fc.integer({ min: 0, max: events.length }),
            ),
          ),
        ),
        async ([{ file, tree }, events, cut]) => {
          const table = await testTable("before");
          let clock = instant("2025-07-10T00:00:00+07:00");
          const deps: ApplyDeps & SweepDeps = {
            ...table.store,
            settings: nodeSettings,
            units: storedDirectory(file),
            now: () => clock,
          };
          const sorted = [...events].sort((a, b) => instant(a.occurredAt) - instant(b.occurredAt));
          // The former consumer applies the first `cut` events, this one the rest and the sweep.
          for (const e of sorted.slice(0, cut)) {
            clock = Math.max(clock, instant(e.occurredAt));
            await applyAsBefore(deps, e);
          }
          clock = NODE_NOW;
          await applyAll(deps, sorted.slice(cut), 2);
          await sweepCounters(deps);
          for (const period of [Q2_2025, Q3_2025]) {
            const counters = await readKpiReport(table.store.counters, period, { asOf: NODE_NOW });
            const reference = computeReport(events, nodeSettings, { period, asOf: NODE_NOW });
            expect(kpiView(counters), period.name).toEqual(kpiView(reference));
            const official = { period, asOf: NODE_NOW, settings: DEFAULT_OFFICIAL_SETTINGS };
            const all = await table.store.counters.readPeriodCounts(period);
            expect(buildForm(all, official)).toEqual(
              buildForm(
                computeReportAndCounts(events, nodeSettings, { period, asOf: NODE_NOW }).counts,
                official,
              ),
            );
            // Per node: the totals and units are exact; what was counted before the split is named, not placed in domains.
            for (const agency of tree.agencies().map((a) => a.id)) {
              const expected = agencyReportFromEvents(tree, events, nodeSettings, {
                period,
                asOf: NODE_NOW,
                agency,
              });
              const node = await readNodeCounts(table.store.counters, tree, agency, period);
              if (!expected || !node) {
                expect(node === undefined).toBe(expected === undefined);
                continue;
              }
              const report = reportFromCounts(node.counts, { period, asOf: NODE_NOW });
              expect(report.byUnit, `${agency} ${period.name}`).toEqual(expected.report.byUnit);
              if (node.unsplit === undefined) {
                expect(kpiView(report)).toEqual(kpiView(expected.report));
                wholeNodes += 1;
              }
            }
          }
          await table.drop();
        },
      ),
      { numRuns: 5 },
    );
    // Nodes compared whole (nothing counted before the split), over every run: never none.
    expect(wholeNodes).toBeGreaterThan(0);
  }, 600_000);
});
