import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AgencyTree, buildAgencyTree } from "../../lib/domain/agencies";
import {
  addPeriodCounts,
  agencyReportFromEvents,
  counterNodes,
  countsPerUnit,
  rankAgencies,
  rollUpCounts,
  rollUpDate,
  rollUpReports,
} from "../../lib/domain/agency-rollup";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { buildIndex } from "../../lib/domain/official/index766";
import { explicitPeriod, type Period, periodByName } from "../../lib/domain/periods";
import {
  computeReportAndCounts,
  emptyPeriodCounts,
  type PeriodCounts,
  type Report,
  reportFromCounts,
} from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { historiesArb } from "../helpers/histories";
import { mergedCommuneFile, treeArb } from "../helpers/trees";

const settings = { calendar: WorkingCalendar.official() };
const quarter = (name: string) => periodByName({ kind: "calendar-quarter" }, name) as Period;
const Q2 = quarter("2025-Q2");
const Q3 = quarter("2025-Q3");
/** A reporting window across the merger: it rolls up as the tree stands on its last day, whenever counted. */
const ACROSS = explicitPeriod("2025-06-15", "2025-07-14", "across-the-merger");
const cases = treeArb.chain(({ tree, unitIds }) =>
  fc.tuple(
    fc.constant(tree),
    // A unit the directory lacks too ("stray": UNKNOWN_UNITS=accept): it counts at the root.
    historiesArb({
      start: "2025-04-20T08:00:00+07:00",
      spanDays: 120,
      maxDossiers: 16,
      units: [...unitIds, "stray"],
    }),
    fc.constantFrom(
      { period: Q2, asOf: instant("2025-10-20T09:00:00+07:00") },
      { period: Q3, asOf: instant("2025-10-20T09:00:00+07:00") },
      { period: Q3, asOf: instant("2025-08-05T09:00:00+07:00") },
      { period: ACROSS, asOf: instant("2025-07-20T09:00:00+07:00") },
      { period: ACROSS, asOf: instant("2025-06-25T09:00:00+07:00") },
    ),
  ),
);

/** The sum of a node's children at `at`: the child agencies' rolled-up counts and its own units' counts. */
function sumOfChildren(
  tree: AgencyTree,
  node: string,
  at: string,
  rolled: Map<string, PeriodCounts>,
  perUnit: Map<string, PeriodCounts>,
): PeriodCounts {
  const kids = tree.childrenAt(node, at);
  const sum = emptyPeriodCounts();
  for (const a of kids.agencies) addPeriodCounts(sum, rolled.get(a) ?? emptyPeriodCounts());
  for (const u of kids.units) addPeriodCounts(sum, perUnit.get(u) ?? emptyPeriodCounts());
  // Units the directory lacks count at the root.
  if (node === tree.rootId) for (const [u, c] of perUnit) if (!tree.has(u)) addPeriodCounts(sum, c);
  return sum;
}

const totals = (r: Pick<Report, "received" | "resolved" | "withdrawn" | "pending">) => ({
  received: r.received.total,
  carriedOver: r.received.carriedOver,
  resolved: r.resolved.total,
  withdrawn: r.withdrawn,
  pending: r.pending.total,
});

describe("roll-ups by agency, by property", () => {
  it("every node's counts and report are the sum of its children's, and the root's are the report from all events", () => {
    fc.assert(
      fc.property(cases, ([tree, events, { period, asOf }]) => {
        const { perUnit, orphanDossiers } = countsPerUnit(events, settings, { period, asOf });
        const at = rollUpDate(period);
        const rolled = rollUpCounts(tree, perUnit, at);
        const reports = rollUpReports(tree, perUnit, { period, asOf });
        for (const [node, counts] of rolled) {
          const sum = sumOfChildren(tree, node, at, rolled, perUnit);
          expect(counts, node).toEqual(sum);
          const kids = tree.childrenAt(node, at);
          const childReports = [
            ...kids.agencies.map((a) => reports.get(a)?.report as Report),
            ...kids.units.map((u) =>
              reportFromCounts(perUnit.get(u) ?? emptyPeriodCounts(), { period, asOf }),
            ),
            ...(node === tree.rootId
              ? [...perUnit]
                  .filter(([u]) => !tree.has(u))
                  .map(([, c]) => reportFromCounts(c, { period, asOf }))
              : []),
          ];
          const added = childReports.map(totals).reduce(
            (s, t) => ({
              received: s.received + t.received,
              carriedOver: s.carriedOver + t.carriedOver,
              resolved: s.resolved + t.resolved,
              withdrawn: s.withdrawn + t.withdrawn,
              pending: s.pending + t.pending,
            }),
            { received: 0, carriedOver: 0, resolved: 0, withdrawn: 0, pending: 0 },
          );
          expect(totals(reports.get(node)?.report as Report), node).toEqual(added);
        }
        const reference = computeReportAndCounts(events, settings, { period, asOf });
        expect(rolled.get(tree.rootId)).toEqual(reference.counts);
        expect(
          reportFromCounts(rolled.get(tree.rootId) as PeriodCounts, { period, asOf, orphanDossiers }),
        ).toEqual(reference.report);
        expect(
          agencyReportFromEvents(tree, events, settings, { period, asOf, agency: tree.rootId })?.report,
        ).toEqual({ ...reference.report, agency: tree.rootId });
      }),
      { numRuns: 150 },
    );
  });
});

describe("orphan dossiers in an agency's report from events", () => {
  it("are the root's (the whole office's) only: below it they belong to no agency, as the API says", () => {
    const tree = buildAgencyTree(mergedCommuneFile());
    const events: DossierEvent[] = [
      {
        eventId: "o-r",
        type: "dossier.received",
        occurredAt: "2025-07-07T09:00:00+07:00",
        dossierId: "OWN",
        data: { unitId: "so-tp.u", procedureCode: "1.000001", channel: "direct", processingDays: 60 },
      },
      // A rating whose dossier's receipt never came: an orphan, of no unit.
      {
        eventId: "o-x",
        type: "dossier.rated",
        occurredAt: "2025-07-08T09:00:00+07:00",
        dossierId: "ORPHAN",
        data: { score: 5 },
      },
    ];
    const asOf = instant("2025-12-31T12:00:00+07:00");
    const of = (agency: string) =>
      agencyReportFromEvents(tree, events, settings, { period: Q3, asOf, agency })?.report.dataQuality;
    expect(of("p")?.orphanDossiers).toBe(1);
    expect(of("so-tp")?.orphanDossiers).toBe(0);
  });
});

describe("a commune merged on 2025-07-01", () => {
  const tree = buildAgencyTree(mergedCommuneFile());
  let n = 0;
  const received = (dossierId: string, unitId: string, at: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.received",
    occurredAt: `${at}T09:00:00+07:00`,
    dossierId,
    data: { unitId, procedureCode: "1.000001", channel: "direct", domain: "ho-tich", processingDays: 60 },
  });
  const resolved = (dossierId: string, at: string): DossierEvent => ({
    eventId: `e${n++}`,
    type: "dossier.resolved",
    occurredAt: `${at}T10:00:00+07:00`,
    dossierId,
    data: { outcome: "approved" },
  });
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
  const asOf = instant("2025-12-31T12:00:00+07:00");
  const reportsOf = (period: Period) => {
    const { perUnit } = countsPerUnit(events, settings, { period, asOf });
    return rollUpReports(tree, perUnit, { period, asOf });
  };

  it("reports its earlier dossiers under itself for earlier periods and under its successor for later ones", () => {
    const q2 = reportsOf(Q2);
    expect(totals(q2.get("xa-a")?.report as Report)).toEqual({
      received: 2,
      carriedOver: 0,
      resolved: 0,
      withdrawn: 0,
      pending: 2,
    });
    expect(totals(q2.get("xa-b")?.report as Report)).toMatchObject({ received: 1, resolved: 1 });
    expect(totals(q2.get("huyen")?.report as Report)).toMatchObject({ received: 3, resolved: 1, pending: 2 });
    expect(q2.has("xa-moi")).toBe(false);
    expect(totals(q2.get("p")?.report as Report)).toMatchObject({ received: 4, resolved: 1, pending: 3 });

    const q3 = reportsOf(Q3);
    expect(q3.has("xa-a")).toBe(false);
    expect(q3.has("huyen")).toBe(false);
    const moi = q3.get("xa-moi")?.report as Report;
    expect(totals(moi)).toEqual({ received: 3, carriedOver: 2, resolved: 1, withdrawn: 0, pending: 2 });
    // Its retired units stay reportable under their own ids, inside the successor's report.
    expect(moi.byUnit.map((u) => u.unit)).toEqual(["xa-a.u", "xa-moi.u"]);
    expect(totals(q3.get("p")?.report as Report)).toEqual({
      received: 4,
      carriedOver: 3,
      resolved: 2,
      withdrawn: 0,
      pending: 2,
    });
  });

  it("names the counters a unit's contribution adds to, per period, and ranks the agencies by the index, worst first", () => {
    expect(counterNodes(tree, "xa-a.u", Q2)).toEqual(["xa-a", "huyen", "p"]);
    expect(counterNodes(tree, "xa-a.u", Q3)).toEqual(["xa-moi", "p"]);
    expect(counterNodes(tree, "xa-a.u", ACROSS)).toEqual(["xa-moi", "p"]);
    for (const [period, expected] of [
      [Q2, ["huyen", "so-tp", "xa-a", "xa-b"]],
      [Q3, ["so-tp", "xa-moi"]],
    ] as const) {
      const reports = reportsOf(period);
      const rolled = new Map([...reports].map(([id, r]) => [id, r.counts]));
      const ranked = rankAgencies(tree, rolled, { node: "p", period });
      expect(ranked.map((r) => r.agency).sort()).toEqual(expected);
      for (const r of ranked)
        expect(r.index.indicators).toEqual(
          buildIndex(rolled.get(r.agency) as PeriodCounts, { period, asOf }).indicators,
        );
      const rates = ranked.map((r) => r.onTime ?? Number.POSITIVE_INFINITY);
      expect(rates).toEqual([...rates].sort((a, b) => a - b));
    }
    // A district's ranking lists its communes only.
    const q2 = new Map([...reportsOf(Q2)].map(([id, r]) => [id, r.counts]));
    expect(
      rankAgencies(tree, q2, { node: "huyen", period: Q2 })
        .map((r) => r.agency)
        .sort(),
    ).toEqual(["xa-a", "xa-b"]);
  });

  it("counts no dossier twice and loses none: the communes and departments add up to the province, which is the report from events", () => {
    for (const period of [Q2, Q3, ACROSS]) {
      const reports = reportsOf(period);
      const at = rollUpDate(period);
      const leaves = [...reports.keys()].filter((id) => tree.childrenAt(id, at).agencies.length === 0);
      const received = leaves.reduce((s, id) => s + (reports.get(id)?.report.received.total ?? 0), 0);
      const reference = computeReportAndCounts(events, settings, { period, asOf });
      expect(received, period.name).toBe(reference.report.received.total);
      expect(reports.get("p")?.counts, period.name).toEqual(reference.counts);
    }
  });
});
