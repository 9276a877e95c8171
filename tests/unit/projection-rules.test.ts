import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { alertFactsOf, timelineStages, timelineThresholds } from "../../lib/domain/alerts";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { catalogOf } from "../../lib/domain/catalog";
import type { ProjectionSettings } from "../../lib/domain/dossier-state";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { projectDossier } from "../../lib/domain/projection";
import { judgeLevel, ruleSetFor } from "../../lib/domain/rules";
import { formatInstant, instant } from "../../lib/domain/time";

/** docs/rules.md R1–R6 through the projection, not only through the calendar. */
const calendar = WorkingCalendar.official();
const settings: ProjectionSettings = { calendar, catalog: catalogOf() };

const received = (
  at: string,
  data: Partial<Extract<DossierEvent, { type: "dossier.received" }>["data"]> = {},
): DossierEvent => ({
  eventId: `r-${at}`,
  type: "dossier.received",
  occurredAt: at,
  dossierId: "D",
  data: { unitId: "u", procedureCode: "1.004227", channel: "online", ...data },
});
const due = (events: DossierEvent[], s: ProjectionSettings = settings) => {
  const at = projectDossier("D", events, s).kpiDueAt;
  return at === undefined ? undefined : formatInstant(at);
};

describe("R1 receipt instants through the projection", () => {
  it("online Fri 17:01 + 3 working days is due Thu 17:00; Fri 16:59 is due Wed 17:00", () => {
    expect(due([received("2022-07-08T17:01:00+07:00", { processingDays: 3 })])).toBe(
      "2022-07-14T17:00:00+07:00",
    );
    expect(due([received("2022-07-08T16:59:00+07:00", { processingDays: 3 })])).toBe(
      "2022-07-13T17:00:00+07:00",
    );
  });

  it("Sat 2022-07-09 + 1 day is due Tue 2022-07-12 17:00", () => {
    expect(due([received("2022-07-09T10:00:00+07:00", { processingDays: 1 })])).toBe(
      "2022-07-12T17:00:00+07:00",
    );
  });

  it("as-is counts from the instant it arrived (the deployment's setting wins over the rule set)", () => {
    expect(
      due([received("2022-07-08T17:01:00+07:00", { processingDays: 3 })], {
        ...settings,
        afterHoursReceipt: "as-is",
      }),
    ).toBe("2022-07-13T17:00:00+07:00");
  });

  it("a same-day procedure from the catalog: certification is due at the day's close, the next day's after 15:00", () => {
    const cert = (at: string) => due([received(at, { procedureCode: "2.000815" })]);
    // Thu 2022-07-07; Decree 23/2015/NĐ-CP Art. 7.
    expect(cert("2022-07-07T14:00:00+07:00")).toBe("2022-07-07T17:00:00+07:00");
    expect(cert("2022-07-07T15:00:00+07:00")).toBe("2022-07-07T17:00:00+07:00");
    expect(cert("2022-07-07T15:30:00+07:00")).toBe("2022-07-08T17:00:00+07:00");
    // R1 first: at lunch, the afternoon session; in the evening, the next working day.
    expect(cert("2022-07-07T12:00:00+07:00")).toBe("2022-07-07T17:00:00+07:00");
    expect(cert("2022-07-07T18:00:00+07:00")).toBe("2022-07-08T17:00:00+07:00");
    // Fri after the cut-off, and Saturday: Monday's close.
    expect(cert("2022-07-08T16:00:00+07:00")).toBe("2022-07-11T17:00:00+07:00");
    expect(cert("2022-07-09T10:00:00+07:00")).toBe("2022-07-11T17:00:00+07:00");
  });

  it("within office hours, docs/calendar.md's example holds unchanged", () => {
    expect(due([received("2022-06-06T08:15:00+07:00", { processingDays: 10, channel: "direct" })])).toBe(
      "2022-06-20T17:00:00+07:00",
    );
  });
});

describe("R2 fractional days through the projection", () => {
  it("1.5 days from Mon 09:00 is after 1 day (Wed 11:00, not Tue 15:00)", () => {
    const at = "2022-07-04T09:00:00+07:00";
    expect(due([received(at, { processingDays: 1 })])).toBe("2022-07-05T17:00:00+07:00");
    expect(due([received(at, { processingDays: 1.5 })])).toBe("2022-07-06T11:00:00+07:00");
  });

  it("property: more days or hours is never an earlier due instant", () => {
    const start = instant("2022-01-03T00:00:00+07:00");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 * 24 * 60 }),
        fc.double({ min: 0.125, max: 40, noNaN: true }),
        fc.double({ min: 0.125, max: 40, noNaN: true }),
        fc.boolean(),
        (minutes, a, b, hours) => {
          const at = formatInstant(start + minutes * 60_000);
          const [d1, d2] = a < b ? [a, b] : [b, a];
          const period = (n: number) => (hours ? { processingHours: n } : { processingDays: n });
          const x = projectDossier("D", [received(at, period(d1))], settings).kpiDueAt as number;
          const y = projectDossier("D", [received(at, period(d2))], settings).kpiDueAt as number;
          expect(x).toBeLessThanOrEqual(y);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("rule sets by the dossier's receipt (docs/rules.md 'Rule sets by date')", () => {
  const june = instant("2025-06-30T09:00:00+07:00");
  const july = instant("2025-07-01T09:00:00+07:00");

  it("a district dossier of 2025-06-30 is fine; one of 2025-07-01 names an abolished level", () => {
    expect(ruleSetFor(june).id).toBe("nd61-2018-land-2024");
    expect(ruleSetFor(july).id).toBe("nd118-2025");
    expect(judgeLevel(june, "district")).toEqual({ ok: true });
    expect(judgeLevel(july, "district")).toMatchObject({
      ok: false,
      error: { kind: "abolished_level", ruleSet: "nd118-2025" },
    });
  });

  it("the projection flags a district dossier received from 2025-07-01 as abolished_level, and keeps it", () => {
    const kinds = (at: string, level: "province" | "district" | "commune") =>
      projectDossier("D", [received(at, { processingDays: 5, level })], settings).anomalies.map(
        (a) => a.kind,
      );
    expect(kinds("2025-06-30T16:59:00+07:00", "district")).toEqual([]);
    expect(kinds("2025-07-01T07:30:00+07:00", "district")).toEqual(["abolished_level"]);
    expect(kinds("2025-07-01T07:30:00+07:00", "commune")).toEqual([]);
    expect(kinds("2025-07-01T07:30:00+07:00", "province")).toEqual([]);
    const state = projectDossier(
      "D",
      [received("2025-07-01T07:30:00+07:00", { level: "district" })],
      settings,
    );
    expect(state.received).toBe(true);
    expect(state.level).toBe("district");
    expect(state.timeline[0]?.anomaly).toBe("abolished_level");
  });

  it("each is told to send its own rule set's document in the apology stage", () => {
    const guidance = (at: number) => {
      const events = [received(formatInstant(at), { processingDays: 5, level: "district" })];
      const state = projectDossier("D", events, settings);
      const facts = alertFactsOf(state);
      if (!facts) throw new Error("not received");
      const stages = timelineStages(facts, calendar, timelineThresholds(undefined, calendar)).stages;
      return { kinds: stages.map((s) => s.kind), set: ruleSetFor(state.receivedAt as number) };
    };
    const a = guidance(june);
    const b = guidance(july);
    expect(a.kinds).toContain("apology_due");
    expect(b.kinds).toContain("apology_due");
    expect(a.set.apologyDocument.value.vi).toBe("phiếu xin lỗi và hẹn lại ngày trả kết quả");
    expect(b.set.apologyDocument.value.vi).toBe("văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết");
  });
});

describe("R6 a year without calendar data", () => {
  it("is one no_calendar anomaly with the year, the dossier kept with no KPI due instant", () => {
    const state = projectDossier(
      "D",
      [received("2026-12-28T09:00:00+07:00", { processingDays: 10 })],
      settings,
    );
    expect(state.received).toBe(true);
    expect(state.kpiDueAt).toBeUndefined();
    expect(state.anomalies).toEqual([
      expect.objectContaining({ kind: "no_calendar", year: 2027, type: "dossier.received" }),
    ]);
  });
});
