import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import {
  explicitPeriod,
  nextPeriod,
  type PeriodScheme,
  PeriodSchemeSchema,
  periodByName,
  periodOfDate,
  periodsBetween,
} from "../../lib/domain/periods";
import { planDossier } from "../../lib/domain/plan";
import { computeReport, type Report, type ReportBlock } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { UnitDirectory } from "../../lib/domain/units";
import { deliveryArb, historiesArb } from "../helpers/histories";

const settings = { calendar: WorkingCalendar.official() };
const period = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
const histories = historiesArb({ start: "2022-05-15T08:00:00+07:00", spanDays: 150, maxDossiers: 20 });
const asOfArb = fc.integer({
  min: instant("2022-06-01T00:00:00+07:00"),
  max: instant("2022-12-31T00:00:00+07:00"),
});

function invariantHolds(b: ReportBlock): boolean {
  return b.received.total === b.resolved.total + b.withdrawn + b.pending.total;
}

describe("the report (docs/kpis.md), by property", () => {
  it("gives the same report for any delivery order with any duplicates", () => {
    fc.assert(
      fc.property(
        histories.chain((events) => fc.tuple(fc.constant(events), deliveryArb(events))),
        asOfArb,
        ([events, delivered], asOf) => {
          const a = computeReport(events, settings, { period, asOf });
          const b = computeReport(delivered, settings, { period, asOf });
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("keeps received = resolved + withdrawn + pending for the whole report and every unit and domain", () => {
    fc.assert(
      fc.property(histories, asOfArb, (events, asOf) => {
        const r = computeReport(events, settings, { period, asOf });
        expect(invariantHolds(r)).toBe(true);
        for (const u of r.byUnit) expect(invariantHolds(u), u.unit).toBe(true);
        for (const d of r.byDomain) expect(invariantHolds(d), d.domain).toBe(true);
        expect(r.byUnit.reduce((s, u) => s + u.received.total, 0)).toBe(r.received.total);
      }),
      { numRuns: 200 },
    );
  });

  it("ignores every event after asOf", () => {
    fc.assert(
      fc.property(histories, asOfArb, (events, asOf) => {
        const known = events.filter((e) => instant(e.occurredAt) <= asOf);
        expect(computeReport(events, settings, { period, asOf })).toEqual(
          computeReport(known, settings, { period, asOf }),
        );
      }),
      { numRuns: 150 },
    );
  });

  it("carries open dossiers over into the next period", () => {
    fc.assert(
      fc.property(histories, (events) => {
        const q3 = computeReport(events, settings, { period, asOf: instant("2023-06-01T00:00:00+07:00") });
        const q4 = computeReport(events, settings, {
          period: explicitPeriod("2022-10-01", "2022-12-31"),
          asOf: instant("2023-06-01T00:00:00+07:00"),
        });
        expect(q4.received.carriedOver).toBe(q3.pending.total);
      }),
      { numRuns: 100 },
    );
  });
});

function ev(
  e: Partial<DossierEvent> & Pick<DossierEvent, "eventId" | "type" | "occurredAt">,
  data: object,
): DossierEvent {
  return { dossierId: "D1", ...e, data } as DossierEvent;
}

/** An approved resolution of D1. */
const approved = (eventId: string, occurredAt: string) =>
  ev({ eventId, type: "dossier.resolved", occurredAt }, { outcome: "approved" });

describe("the report, by example", () => {
  const received = ev(
    { eventId: "r", type: "dossier.received", occurredAt: "2022-07-04T08:00:00+07:00" },
    { unitId: "u1", procedureCode: "p", channel: "online", processingDays: 5, domain: "dat-dai" },
  ); // due 2022-07-11T17:00
  const report = (events: DossierEvent[], asOf = "2022-10-10T00:00:00+07:00"): Report =>
    computeReport(events, settings, { period, asOf: instant(asOf) });

  it("counts early, on-time and late resolutions by the local date of the KPI due instant", () => {
    const at = (t: string) => [received, approved("z", t)];
    expect(report(at("2022-07-08T10:00:00+07:00")).resolved).toEqual({
      total: 1,
      early: 1,
      onTime: 0,
      late: 0,
    });
    expect(report(at("2022-07-11T16:59:00+07:00")).resolved).toEqual({
      total: 1,
      early: 0,
      onTime: 1,
      late: 0,
    });
    expect(report(at("2022-07-11T17:01:00+07:00")).resolved).toEqual({
      total: 1,
      early: 0,
      onTime: 0,
      late: 1,
    });
  });

  it("does not let a new appointment turn a late dossier into an on-time one", () => {
    const r = report([
      received,
      ev(
        { eventId: "x", type: "dossier.deadline_extended", occurredAt: "2022-07-08T10:00:00+07:00" },
        { newDueAt: "2022-07-20T17:00:00+07:00", apologyIssued: true },
      ),
      approved("z", "2022-07-15T10:00:00+07:00"),
    ]);
    expect(r.resolved.late).toBe(1);
  });

  it("moves the KPI due instant by the working time of a pause", () => {
    const r = report([
      received,
      ev(
        { eventId: "p1", type: "dossier.supplement_requested", occurredAt: "2022-07-05T08:00:00+07:00" },
        {},
      ),
      ev({ eventId: "p2", type: "dossier.supplement_received", occurredAt: "2022-07-07T08:00:00+07:00" }, {}),
      approved("z", "2022-07-13T10:00:00+07:00"),
    ]);
    expect(r.resolved).toEqual({ total: 1, early: 0, onTime: 1, late: 0 });
  });

  it("never counts a paused dossier as overdue, and counts it once it resumes", () => {
    const paused = [
      received,
      ev(
        { eventId: "p1", type: "dossier.supplement_requested", occurredAt: "2022-07-05T08:00:00+07:00" },
        {},
      ),
    ];
    expect(report(paused).pending).toEqual({ total: 1, withinDeadline: 1, overdue: 0 });
    const resumed = [
      ...paused,
      ev({ eventId: "p2", type: "dossier.supplement_received", occurredAt: "2022-07-06T08:00:00+07:00" }, {}),
    ];
    expect(report(resumed).pending).toEqual({ total: 1, withinDeadline: 0, overdue: 1 });
    expect(report(resumed, "2022-07-12T09:00:00+07:00").pending).toEqual({
      total: 1,
      withinDeadline: 1,
      overdue: 0,
    });
  });

  it("counts a second resolution once and reports it as an anomaly", () => {
    const r = report([
      received,
      approved("z1", "2022-07-08T10:00:00+07:00"),
      approved("z2", "2022-07-09T10:00:00+07:00"),
    ]);
    expect(r.resolved.total).toBe(1);
    expect(r.dataQuality.anomalies.after_close).toBe(1);
  });

  it("counts an anomaly in the period its event happened in; one before the receipt in the receipt's", () => {
    const q4 = explicitPeriod("2022-10-01", "2022-12-31", "2022-Q4");
    const q2 = explicitPeriod("2022-04-01", "2022-06-30", "2022-Q2");
    const events = [
      // Before the receipt (in Q2): the receipt's period, Q3.
      ev(
        { eventId: "early", type: "dossier.transferred", occurredAt: "2022-06-20T10:00:00+07:00" },
        { toUnitId: "u1" },
      ),
      received,
      approved("z1", "2022-07-08T10:00:00+07:00"),
      // After the close, in Q4: Q4's, though Q4 counts the dossier no more.
      approved("z2", "2022-10-09T10:00:00+07:00"),
    ];
    const at = (p: typeof period) =>
      computeReport(events, settings, { period: p, asOf: instant("2022-12-31T00:00:00+07:00") });
    expect(at(q2).dataQuality.anomalies).toEqual({});
    expect(at(period).dataQuality.anomalies).toEqual({ before_received: 1 });
    expect(at(q4).dataQuality.anomalies).toEqual({ after_close: 1 });
    expect(at(q4).received.total).toBe(0);
    // As of a day in Q3, Q3 has not seen the later event.
    expect(report(events, "2022-09-01T00:00:00+07:00").dataQuality.anomalies).toEqual({ before_received: 1 });
  });

  it("keeps orphans out of the counts and in data quality", () => {
    const r = report([approved("z", "2022-07-08T10:00:00+07:00")]);
    expect(r.received.total).toBe(0);
    expect(r.dataQuality.orphanDossiers).toBe(1);
  });

  it("puts a dossier under the unit responsible at T, and gives rates", () => {
    const r = report([
      received,
      ev(
        { eventId: "t", type: "dossier.transferred", occurredAt: "2022-07-05T08:00:00+07:00" },
        { toUnitId: "u2" },
      ),
      ev(
        { eventId: "t2", type: "dossier.transferred", occurredAt: "2022-10-05T08:00:00+07:00" },
        { toUnitId: "u3" },
      ),
    ]);
    expect(r.byUnit.map((u) => u.unit)).toEqual(["u2"]);
    expect(r.rates).toEqual({ onTime: null, online: 1, satisfaction: null });
    expect(report([received], "2022-10-10T00:00:00+07:00").byDomain[0]?.domain).toBe("dat-dai");
  });

  it("has nothing in a period that has not begun at asOf", () => {
    const q4 = computeReport([received], settings, {
      period: explicitPeriod("2022-10-01", "2022-12-31"),
      asOf: instant("2022-08-01T00:00:00+07:00"),
    });
    expect(q4.received.total).toBe(0);
    expect(q4.pending.total).toBe(0);
  });

  it("filters to one unit", () => {
    const other = {
      ...received,
      eventId: "r2",
      dossierId: "D2",
      data: { ...received.data, unitId: "u9" },
    } as DossierEvent;
    const r = computeReport([received, other], settings, {
      period,
      asOf: instant("2022-10-10T00:00:00+07:00"),
      unit: "u9",
    });
    expect(r.unit).toBe("u9");
    expect(r.received.total).toBe(1);
    expect(r.byUnit.map((u) => u.unit)).toEqual(["u9"]);
  });

  it("applies the strict supplement rule only when asked, and says so", () => {
    const events = [
      received,
      ev(
        { eventId: "p1", type: "dossier.supplement_requested", occurredAt: "2022-07-05T08:00:00+07:00" },
        {},
      ),
      ev({ eventId: "p2", type: "dossier.supplement_received", occurredAt: "2022-07-05T09:00:00+07:00" }, {}),
      ev(
        { eventId: "p3", type: "dossier.supplement_requested", occurredAt: "2022-07-05T10:00:00+07:00" },
        {},
      ),
      ev({ eventId: "p4", type: "dossier.supplement_received", occurredAt: "2022-07-05T11:00:00+07:00" }, {}),
      approved("z", "2022-07-06T10:00:00+07:00"),
    ];
    expect(report(events).resolved.late).toBe(0);
    const strict = computeReport(
      events,
      { ...settings, strictSupplementRule: true },
      { period, asOf: instant("2022-10-10T00:00:00+07:00") },
    );
    expect(strict.resolved.late).toBe(1);
    expect(strict.settings.strictSupplementRule).toBe(true);
  });

  it("with the strict rule, counts a dossier still paused by its second request pending overdue, as index 2.1 does", () => {
    const events = [
      received,
      ev(
        { eventId: "q1", type: "dossier.supplement_requested", occurredAt: "2022-07-05T08:00:00+07:00" },
        {},
      ),
      ev({ eventId: "q2", type: "dossier.supplement_received", occurredAt: "2022-07-05T09:00:00+07:00" }, {}),
      ev(
        { eventId: "q3", type: "dossier.supplement_requested", occurredAt: "2022-07-07T10:00:00+07:00" },
        {},
      ),
    ];
    const asOf = instant("2022-07-08T10:00:00+07:00");
    expect(computeReport(events, settings, { period, asOf }).pending).toMatchObject({
      withinDeadline: 1,
      overdue: 0,
    });
    const strict = computeReport(events, { ...settings, strictSupplementRule: true }, { period, asOf });
    expect(strict.pending).toMatchObject({ withinDeadline: 0, overdue: 1 });
    // The dossier's SLA state (the lists beside that figure) says the same: overdue with the
    // strict rule, paused without it.
    const sla = (strictSupplementRule: boolean) =>
      planDossier(
        "D1",
        events,
        undefined,
        asOf,
        { ...settings, scheme: { kind: "calendar-quarter" }, strictSupplementRule },
        UnitDirectory.empty(),
        { raiseAlerts: false },
      ).sla;
    expect(sla(false)).toBe("paused");
    expect(sla(true)).toBe("overdue");
  });
});

describe("period schemes", () => {
  it("refuses explicit windows that overlap or share a name, naming the window", () => {
    const windows = [
      { name: "Quý I/2025", from: "2024-12-15", to: "2025-03-14" },
      { name: "Năm 2025", from: "2024-12-15", to: "2025-12-14" },
      { name: "Quý I/2025", from: "2025-12-15", to: "2026-03-14" },
    ];
    const parsed = PeriodSchemeSchema.safeParse({ kind: "explicit", windows });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      [
        "windows.1.from",
        "overlaps windows[0] (Quý I/2025: 2024-12-15..2025-03-14): a day is in one window at most",
      ],
      ["windows.2.name", "Quý I/2025 names windows[0] too"],
    ]);
    // Windows that follow one another, with a gap or not, are a series.
    const series = [windows[0], { name: "Quý II/2025", from: "2025-03-15", to: "2025-06-14" }];
    expect(PeriodSchemeSchema.safeParse({ kind: "explicit", windows: series }).success).toBe(true);
  });

  it("cuts calendar quarters", () => {
    expect(periodByName({ kind: "calendar-quarter" }, "2022-Q3")).toEqual({
      name: "2022-Q3",
      from: "2022-07-01",
      to: "2022-09-30",
    });
    expect(periodByName({ kind: "calendar-quarter" }, "2024-Q1")).toEqual({
      name: "2024-Q1",
      from: "2024-01-01",
      to: "2024-03-31",
    });
    expect(periodOfDate({ kind: "calendar-quarter" }, "2022-12-31")?.name).toBe("2022-Q4");
  });

  it("cuts the state reporting window", () => {
    const scheme = { kind: "reporting-window" } as const;
    expect(periodByName(scheme, "2022-Q3")).toEqual({
      name: "2022-Q3",
      from: "2022-06-15",
      to: "2022-09-14",
    });
    expect(periodByName(scheme, "2023-Q1")).toEqual({
      name: "2023-Q1",
      from: "2022-12-15",
      to: "2023-03-14",
    });
    expect(periodOfDate(scheme, "2022-12-20")?.name).toBe("2023-Q1");
    expect(periodOfDate(scheme, "2022-09-14")?.name).toBe("2022-Q3");
  });

  it("takes explicit windows, with gaps", () => {
    const seed = explicitPeriod("2022-06-06", "2022-09-05", "seed");
    const scheme: PeriodScheme = {
      kind: "explicit",
      windows: [seed, explicitPeriod("2022-09-12", "2022-12-05", "next")],
    };
    expect(periodOfDate(scheme, "2022-09-08")).toBeUndefined();
    expect(nextPeriod(scheme, seed)?.name).toBe("next");
    expect(
      periodsBetween(scheme, instant("2022-08-01T00:00:00+07:00"), instant("2022-10-01T00:00:00+07:00")).map(
        (p) => p.name,
      ),
    ).toEqual(["seed", "next"]);
  });

  it("lists every period a span touches", () => {
    const names = periodsBetween(
      { kind: "calendar-quarter" },
      instant("2022-05-01T00:00:00+07:00"),
      instant("2023-01-01T00:00:00+07:00"),
    ).map((p) => p.name);
    expect(names).toEqual(["2022-Q2", "2022-Q3", "2022-Q4", "2023-Q1"]);
  });
});
