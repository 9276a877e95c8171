import { describe, expect, it } from "vitest";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { explicitPeriod } from "../../lib/domain/periods";
import { computeReport } from "../../lib/domain/report";
import { instant } from "../../lib/domain/time";
import { renderPausedHtml, renderPausedText } from "../../lib/render/email/paused";

const settings = { calendar: WorkingCalendar.official() };
const Q3 = explicitPeriod("2022-07-01", "2022-09-30", "2022-Q3");
const Q4 = explicitPeriod("2022-10-01", "2022-12-31", "2022-Q4");

function ev(
  dossierId: string,
  eventId: string,
  type: DossierEvent["type"],
  occurredAt: string,
  data: object = {},
): DossierEvent {
  return { dossierId, eventId, type, occurredAt: `${occurredAt}:00+07:00`, data } as DossierEvent;
}
const received = (id: string, unitId: string, at: string, processingDays = 30) =>
  ev(id, `${id}.r`, "dossier.received", at, {
    unitId,
    procedureCode: "p",
    channel: "direct",
    processingDays,
  });
const pause = (id: string, n: string, at: string, pauseKind?: string) =>
  ev(id, `${id}.p${n}`, "dossier.supplement_requested", at, pauseKind ? { pauseKind } : {});
const resume = (id: string, n: string, at: string) =>
  ev(id, `${id}.s${n}`, "dossier.supplement_received", at);

// Office hours 07:00–11:30 and 13:30–17:00 (docs/calendar.md): 8 working hours a day.
const events: DossierEvent[] = [
  // A (u1): a supplement pause Tue 08:00 → Thu 08:00 (16 h), then the applicant paying Fri 16:00 →
  // Mon 08:00 (1 h + 1 h); resolved in Q3.
  received("A", "u1", "2022-07-04T08:00"),
  pause("A", "1", "2022-07-05T08:00"),
  resume("A", "1", "2022-07-07T08:00"),
  pause("A", "2", "2022-07-08T16:00", "financial_obligation"),
  resume("A", "2", "2022-07-11T08:00"),
  ev("A", "A.z", "dossier.resolved", "2022-07-20T10:00", { outcome: "approved" }),
  // B (u2): waiting on another agency from 09:00, withdrawn at 10:30 during the pause (1.5 h).
  received("B", "u2", "2022-07-04T08:00"),
  pause("B", "1", "2022-07-05T09:00", "other_agency"),
  ev("B", "B.w", "dossier.withdrawn", "2022-07-05T10:30"),
  // C (u1): 8 h of supplement pause in Q3, resolved in Q4: it counts in Q4 only.
  received("C", "u1", "2022-07-04T08:00", 200),
  pause("C", "1", "2022-07-05T08:00", "supplement"),
  resume("C", "1", "2022-07-06T08:00"),
  ev("C", "C.z", "dossier.resolved", "2022-10-03T10:00", { outcome: "approved" }),
  // D (u1): paused since August and still open: its running pause counts nowhere yet.
  received("D", "u1", "2022-07-04T08:00"),
  pause("D", "1", "2022-08-01T08:00", "financial_obligation"),
];

describe("paused working time by kind (docs/rules.md R5), per unit and for the office", () => {
  it("counts a dossier's ended pauses in the period it closed, by kind", () => {
    const q3 = computeReport(events, settings, { period: Q3, asOf: instant("2022-12-31T00:00:00+07:00") });
    expect(q3.pausedByKind).toEqual({
      supplement: { dossiers: 1, workingHours: 16 },
      financial_obligation: { dossiers: 1, workingHours: 2 },
      other_agency: { dossiers: 1, workingHours: 1.5 },
    });
    const u1 = q3.byUnit.find((u) => u.unit === "u1");
    expect(u1?.pausedByKind).toEqual({
      supplement: { dossiers: 1, workingHours: 16 },
      financial_obligation: { dossiers: 1, workingHours: 2 },
      other_agency: { dossiers: 0, workingHours: 0 },
    });
    expect(q3.byUnit.find((u) => u.unit === "u2")?.pausedByKind.other_agency).toEqual({
      dossiers: 1,
      workingHours: 1.5,
    });
    const q4 = computeReport(events, settings, { period: Q4, asOf: instant("2022-12-31T00:00:00+07:00") });
    expect(q4.pausedByKind).toEqual({
      supplement: { dossiers: 1, workingHours: 8 },
      financial_obligation: { dossiers: 0, workingHours: 0 },
      other_agency: { dossiers: 0, workingHours: 0 },
    });
  });

  it("counts nothing before the dossier closes, however long it has paused", () => {
    const rolling = computeReport(events, settings, {
      period: Q3,
      asOf: instant("2022-07-15T00:00:00+07:00"),
    });
    expect(rolling.pausedByKind.supplement).toEqual({ dossiers: 0, workingHours: 0 });
    expect(rolling.pausedByKind.other_agency).toEqual({ dossiers: 1, workingHours: 1.5 });
  });
});

describe("no_calendar dossiers in the report (docs/rules.md R6)", () => {
  it("counts the period's dossiers whose deadline falls in a year without calendar data", () => {
    const period = explicitPeriod("2026-10-01", "2026-12-31", "2026-Q4");
    const r = computeReport(
      [received("N", "u1", "2026-12-21T08:00", 20), received("K", "u1", "2026-12-01T08:00", 5)],
      settings,
      { period, asOf: instant("2026-12-28T00:00:00+07:00") },
    );
    expect(r.noCalendar).toBe(1);
    expect(r.byUnit[0]?.noCalendar).toBe(1);
    expect(r.dataQuality.anomalies.no_calendar).toBe(1);
    expect(r.received.total).toBe(2);
  });
});

describe("the KPI email's paused-time section", () => {
  const long: DossierEvent[] = [
    received("L", "u1", "2022-01-04T08:00", 400),
    pause("L", "1", "2022-01-05T08:00", "financial_obligation"),
    resume("L", "1", "2022-09-05T08:00"),
    ev("L", "L.z", "dossier.resolved", "2022-09-20T10:00", { outcome: "approved" }),
  ];
  const r = computeReport(long, settings, { period: Q3, asOf: instant("2022-12-31T00:00:00+07:00") });
  const names = new Map([["u1", "Phòng <Tư pháp>"]]);

  it("gives hours with Vietnamese grouping first, English on request, names escaped", () => {
    const hours = r.pausedByKind.financial_obligation.workingHours;
    expect(hours).toBeGreaterThan(1000);
    const vi = renderPausedText(r, names, "vi");
    expect(vi).toContain(
      "Phòng <Tư pháp> | 0 giờ (0 hồ sơ) | " +
        `${new Intl.NumberFormat("vi-VN").format(hours)} giờ (1 hồ sơ) | 0 giờ (0 hồ sơ)`,
    );
    expect(vi.join("\n")).toMatch(/\| \d\.\d{3}(,\d+)? giờ \(1 hồ sơ\)/);
    const en = renderPausedText(r, names, "en");
    expect(en.join("\n")).toMatch(/Waiting for fees and taxes[\s\S]*\| \d,\d{3}(\.\d+)? h \(1 dossier\)/);
    const html = renderPausedHtml(r, names, "vi");
    expect(html).toContain("Phòng &lt;Tư pháp&gt;");
    expect(html).not.toContain("<Tư pháp>");
  });

  it("is left out when no dossier closed in the period had paused", () => {
    const none = computeReport([received("X", "u1", "2022-07-04T08:00")], settings, {
      period: Q3,
      asOf: instant("2022-12-31T00:00:00+07:00"),
    });
    expect(renderPausedText(none, names, "vi")).toEqual([]);
    expect(renderPausedHtml(none, names, "vi")).toBe("");
  });
});
