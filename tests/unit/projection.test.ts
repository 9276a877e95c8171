import { describe, expect, it } from "vitest";
import { type AlertFacts, alertFactsOf, timelineStages, timelineThresholds } from "../../lib/domain/alerts";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { parseEventsText } from "../../lib/domain/events/file";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { sameBody } from "../../lib/domain/identity";
import { foldEvents, projectDossier } from "../../lib/domain/projection";
import { apologyDeadlineOf } from "../../lib/domain/rules";
import { slaAt } from "../../lib/domain/sla";
import { formatInstant, instant } from "../../lib/domain/time";
import { readProjectFile } from "../helpers/fixtures";

const calendar = WorkingCalendar.official();
const settings = { calendar };
const H = 3_600_000;

function ev(
  eventId: string,
  type: DossierEvent["type"],
  occurredAt: string,
  data: object = {},
): DossierEvent {
  return { eventId, type, occurredAt, dossierId: "D1", data } as DossierEvent;
}
const received = ev("r", "dossier.received", "2022-07-04T08:00:00+07:00", {
  unitId: "u1",
  procedureCode: "p",
  channel: "direct",
  processingDays: 5,
}); // due 2022-07-11T17:00

describe("the dossier projection", () => {
  it("projects the docs/events.md example in any order, with duplicates", () => {
    const events = parseEventsText(readProjectFile("events/spec-examples.ndjson")).events;
    const a = projectDossier("000.30.32.H48-220606-0001", events, settings);
    const b = projectDossier(
      "000.30.32.H48-220606-0001",
      [...events].reverse().concat(events.slice(0, 3)),
      settings,
    );
    expect(b).toEqual(a);
    expect(a.unitId).toBe("cn-vpdk-dat-dai");
    expect(a.channel).toBe("direct");
    expect(formatInstant(a.receivedAt as number)).toBe("2022-06-06T08:15:00+07:00");
    expect(formatInstant(a.kpiDueAt as number)).toBe("2022-06-24T17:00:00+07:00");
    expect(formatInstant(a.resolvedAt as number)).toBe("2022-06-23T10:30:00+07:00");
    expect(a.ratings).toHaveLength(1);
    expect(a.anomalies).toEqual([]);
    expect(a.timeline).toHaveLength(6);
  });

  it("gives the state at an instant, from the events up to it", () => {
    const events = parseEventsText(readProjectFile("events/spec-examples.ndjson")).events;
    const mid = projectDossier("x", events, settings, instant("2022-06-09T00:00:00+07:00"));
    expect(mid.paused).toBe(true);
    expect(mid.closedAt).toBeUndefined();
    expect(formatInstant(mid.kpiDueAt as number)).toBe("2022-06-20T17:00:00+07:00");
  });

  it("computes the due instant from processing days and keeps appointment apart from the KPI due instant", () => {
    const s = projectDossier(
      "D1",
      [
        received,
        ev("x", "dossier.deadline_extended", "2022-07-08T10:00:00+07:00", {
          newDueAt: "2022-07-15T17:00:00+07:00",
          apologyIssued: true,
        }),
      ],
      settings,
    );
    expect(formatInstant(s.kpiDueAt as number)).toBe("2022-07-11T17:00:00+07:00");
    expect(formatInstant(s.appointmentAt as number)).toBe("2022-07-15T17:00:00+07:00");
  });

  it("moves due instants by the working time paused, and takes a source dueAt on resume", () => {
    const pause = [
      received,
      ev("p1", "dossier.supplement_requested", "2022-07-08T16:00:00+07:00"),
      ev("p2", "dossier.supplement_received", "2022-07-11T08:00:00+07:00"),
    ];
    expect(formatInstant(projectDossier("D1", pause, settings).kpiDueAt as number)).toBe(
      "2022-07-12T09:00:00+07:00",
    );
    const withDue = [
      ...pause.slice(0, 2),
      ev("p2", "dossier.supplement_received", "2022-07-11T08:00:00+07:00", {
        dueAt: "2022-07-20T17:00:00+07:00",
      }),
    ];
    expect(formatInstant(projectDossier("D1", withDue, settings).kpiDueAt as number)).toBe(
      "2022-07-20T17:00:00+07:00",
    );
  });

  it("ends a round asked and answered at one instant, the request's id first, with no wait open before", () => {
    // Dated to the day, as back-filled rounds are: the answer sorts before the rest of its instant
    // (to end a wait open before it), but none is open, and the id's order puts the request first.
    const atOnce = (requestId: string, answerId: string, data: object = {}) =>
      projectDossier(
        "D1",
        [
          received,
          ev(requestId, "dossier.supplement_requested", "2022-07-06T00:00:00+07:00"),
          ev(answerId, "dossier.supplement_received", "2022-07-06T00:00:00+07:00", data),
        ],
        settings,
      );
    for (const data of [{}, { dueAt: "2022-07-11T17:00:00+07:00" }]) {
      const s = atOnce("igate-7790", "igate-7791", data);
      expect(s.anomalies).toEqual([]);
      expect(s.timeline.every((e) => e.anomaly === undefined)).toBe(true);
      expect(s.paused).toBe(false);
      expect(s.pauses).toHaveLength(1);
      expect(s.pauses[0]?.to).toBe(s.pauses[0]?.from);
      expect(formatInstant(s.kpiDueAt as number)).toBe("2022-07-11T17:00:00+07:00");
      expect(slaAt(s, instant("2022-07-12T09:00:00+07:00"), calendar).state).toBe("overdue");
    }
    // The answer's id first: in the id's order it answers no wait, and the request's wait stays open.
    const stray = atOnce("igate-7791", "igate-7790");
    expect(stray.anomalies.map((a) => a.kind)).toEqual(["resume_without_pause"]);
    expect(stray.paused).toBe(true);
  });

  it("takes a resolution and the return of its result at one instant, whatever their ids", () => {
    const s = projectDossier(
      "D1",
      [
        received,
        ev("a-returned", "dossier.returned", "2022-07-08T10:00:00+07:00"),
        ev("b-resolved", "dossier.resolved", "2022-07-08T10:00:00+07:00", {
          outcome: "denied",
          resultElectronic: true,
        }),
      ],
      settings,
    );
    expect(s.anomalies).toEqual([]);
    expect(s.outcome).toBe("denied");
    expect(s.resultElectronic).toBe(true);
    expect(formatInstant(s.resolvedAt as number)).toBe("2022-07-08T10:00:00+07:00");
  });

  it("reports anomalies: events after closing, a second extension, orphans, a resume without pause", () => {
    const s = projectDossier(
      "D1",
      [
        received,
        ev("e1", "dossier.deadline_extended", "2022-07-08T10:00:00+07:00", {
          newDueAt: "2022-07-15T17:00:00+07:00",
          apologyIssued: true,
        }),
        ev("e2", "dossier.deadline_extended", "2022-07-14T10:00:00+07:00", {
          newDueAt: "2022-07-22T17:00:00+07:00",
          apologyIssued: true,
        }),
        ev("s", "dossier.supplement_received", "2022-07-14T11:00:00+07:00"),
        ev("w", "dossier.withdrawn", "2022-07-18T10:00:00+07:00"),
        ev("t", "dossier.transferred", "2022-07-19T10:00:00+07:00", { toUnitId: "u2" }),
        ev("z", "dossier.resolved", "2022-07-20T10:00:00+07:00", { outcome: "approved" }),
      ],
      settings,
    );
    expect(s.anomalies.map((a) => a.kind)).toEqual([
      "second_extension",
      // The second new appointment came after the KPI due instant (07-11 17:00).
      "late_supplement_request",
      "resume_without_pause",
      "after_close",
      "after_close",
    ]);
    expect(s.unitId).toBe("u1");
    expect(s.resolvedAt).toBeUndefined();
    expect(formatInstant(s.withdrawnAt as number)).toBe("2022-07-18T10:00:00+07:00");
    const orphan = projectDossier(
      "D9",
      [ev("z", "dossier.resolved", "2022-07-20T10:00:00+07:00", { outcome: "approved" })],
      settings,
    );
    expect(orphan.received).toBe(false);
    expect(orphan.anomalies[0]?.kind).toBe("orphan");
  });

  it("keeps a dossier overdue when its new appointment comes after the due instant, and flags it", () => {
    const extendedAt = (occurredAt: string, apologyIssued = true) =>
      projectDossier(
        "D1",
        [
          received,
          ev("x", "dossier.deadline_extended", occurredAt, {
            newDueAt: "2022-07-20T17:00:00+07:00",
            apologyIssued,
          }),
        ],
        settings,
      );
    const late = extendedAt("2022-07-12T09:00:00+07:00");
    expect(formatInstant(late.kpiDueAt as number)).toBe("2022-07-11T17:00:00+07:00");
    // After the due instant, the apology is late too (its deadline: Fri 8 July 17:00).
    expect(late.anomalies.map((a) => [a.kind, a.eventId])).toEqual([
      ["late_supplement_request", "x"],
      ["late_apology", "x"],
    ]);
    expect(slaAt(late, instant("2022-07-15T09:00:00+07:00"), calendar).state).toBe("overdue");
    const inTime = extendedAt("2022-07-08T09:00:00+07:00");
    expect(inTime.anomalies).toEqual([]);
    // On the due day itself: the apology is late, the new appointment not.
    const dueDay = extendedAt("2022-07-11T09:00:00+07:00");
    expect(dueDay.anomalies.map((a) => [a.kind, a.at])).toEqual([
      ["late_apology", instant("2022-07-11T09:00:00+07:00")],
    ]);
    // A new appointment with no apology letter has no apology to be late.
    const noApology = extendedAt("2022-07-11T09:00:00+07:00", false);
    expect(noApology.anomalies).toEqual([]);
  });

  it("judges the apology letter by the decree's words: any hour of any day before the due day, not the working-day reminder", () => {
    // Due Mon 11 July 17:00: "chậm nhất một ngày trước ngày hết hạn" leaves the whole of Sunday.
    const letterAt = (at: string) =>
      projectDossier(
        "D1",
        [
          received,
          ev("x", "dossier.deadline_extended", at, {
            newDueAt: "2022-07-20T17:00:00+07:00",
            apologyIssued: true,
          }),
        ],
        settings,
      );
    // The reminders' deadline is Fri 8 July 17:00 (due − 1 working day): a letter after it is not a breach.
    expect(
      apologyDeadlineOf(instant("2022-07-11T17:00:00+07:00"), instant(received.occurredAt), calendar),
    ).toBe(instant("2022-07-08T17:00:00+07:00"));
    for (const inTime of [
      "2022-07-08T18:30:00+07:00",
      "2022-07-09T10:00:00+07:00",
      "2022-07-10T23:59:59+07:00",
    ]) {
      const state = letterAt(inTime);
      expect(state.anomalies, inTime).toEqual([]);
      const facts = alertFactsOf(state) as AlertFacts;
      expect(facts.lateApologyAt, inTime).toBeNull();
      expect(
        timelineStages(facts, calendar, timelineThresholds(undefined, calendar)).stages.map((x) => x.kind),
        inTime,
      ).not.toContain("late_apology");
    }
    // From the first instant of the due day, late.
    expect(letterAt("2022-07-11T00:00:00+07:00").anomalies.map((a) => a.kind)).toEqual(["late_apology"]);
    const withReceipt = (data: Record<string, unknown>, at: string, letter: string) =>
      projectDossier(
        "D1",
        [
          ev("r", "dossier.received", at, { unitId: "u1", procedureCode: "p", channel: "direct", ...data }),
          ev("x", "dossier.deadline_extended", letter, {
            newDueAt: "2022-07-29T17:00:00+07:00",
            apologyIssued: true,
          }),
        ],
        settings,
      ).anomalies.map((a) => a.kind);
    // A due instant at midnight (a date-only appointment) ends the day before: due 14 July 00:00 is
    // due on the 13th, so a letter on the 13th is late, one on the 12th in time.
    const midnight = { dueAt: "2022-07-14T00:00:00+07:00" };
    expect(withReceipt(midnight, "2022-07-04T08:00:00+07:00", "2022-07-13T10:00:00+07:00")).toEqual([
      "late_apology",
    ]);
    expect(withReceipt(midnight, "2022-07-04T08:00:00+07:00", "2022-07-12T23:00:00+07:00")).toEqual([]);
    // A period shorter than the lead (4 working hours from Wed 16:00: due Thu 11:00) has no reminder
    // deadline: the monitor never asked for a letter, and none counts late.
    expect(
      withReceipt({ processingHours: 4 }, "2022-07-13T16:00:00+07:00", "2022-07-14T09:00:00+07:00"),
    ).toEqual([]);
  });

  it("judges the apology letter at its instant: a later pause does not make it timely, one begun in time keeps it so", () => {
    // Due Mon 11 July 17:00: reminded by Fri 8 July 17:00, late from Mon 00:00.
    const apologyAt = (at: string) =>
      ev("x", "dossier.deadline_extended", at, {
        newDueAt: "2022-07-29T17:00:00+07:00",
        apologyIssued: true,
      });
    const later = projectDossier(
      "D1",
      [
        received,
        apologyAt("2022-07-11T09:00:00+07:00"),
        ev("s", "dossier.supplement_requested", "2022-07-11T10:00:00+07:00"),
        ev("a", "dossier.supplement_received", "2022-07-20T10:00:00+07:00"),
      ],
      settings,
    );
    expect((later.kpiDueAt as number) > instant("2022-07-11T17:00:00+07:00")).toBe(true);
    expect(later.anomalies.map((a) => a.kind)).toEqual(["late_apology"]);
    // And the unit is told so, from the same judgement.
    const facts = alertFactsOf(later) as AlertFacts;
    expect(facts.lateApologyAt).toBe(instant("2022-07-11T09:00:00+07:00"));
    expect(
      timelineStages(facts, calendar, timelineThresholds(undefined, calendar)).stages.map((x) => x.kind),
    ).toContain("late_apology");
    // Paused from Thu 7 July (in time) to the 20th: a letter on the 12th, while the clock is stopped, is in time.
    const paused = projectDossier(
      "D1",
      [
        received,
        ev("s", "dossier.supplement_requested", "2022-07-07T10:00:00+07:00"),
        apologyAt("2022-07-12T09:00:00+07:00"),
        ev("a", "dossier.supplement_received", "2022-07-20T10:00:00+07:00"),
      ],
      settings,
    );
    expect(paused.anomalies).toEqual([]);
    const none = alertFactsOf(paused) as AlertFacts;
    expect(none.lateApologyAt).toBeNull();
    expect(
      timelineStages(none, calendar, timelineThresholds(undefined, calendar)).stages.map((x) => x.kind),
    ).not.toContain("late_apology");
  });

  it("leaves an apology letter sent before any due instant was known to the alert, judged by the due instant known later", () => {
    const noDue = ev("r", "dossier.received", "2022-07-04T08:00:00+07:00", {
      unitId: "u1",
      procedureCode: "not-in-the-catalog",
      channel: "direct",
    });
    const state = projectDossier(
      "D1",
      [
        noDue,
        ev("s", "dossier.supplement_requested", "2022-07-05T09:00:00+07:00"),
        ev("x", "dossier.deadline_extended", "2022-07-20T09:00:00+07:00", {
          newDueAt: "2022-07-29T17:00:00+07:00",
          apologyIssued: true,
        }),
        ev("a", "dossier.supplement_received", "2022-07-21T09:00:00+07:00", {
          dueAt: "2022-07-12T17:00:00+07:00",
        }),
      ],
      settings,
    );
    expect(state.apologyUnjudged).toBe(true);
    const facts = alertFactsOf(state) as AlertFacts;
    expect(facts.lateApologyAt).toBeUndefined();
    const late = timelineStages(facts, calendar, timelineThresholds(undefined, calendar)).stages.find(
      (x) => x.kind === "late_apology",
    );
    expect(late?.at).toBe(instant("2022-07-20T09:00:00+07:00"));
  });

  it("keeps an undated end that only another source's return would date", () => {
    const own = (e: DossierEvent) => ({ ...e, source: "igate" }) as DossierEvent;
    const events = [
      own(received),
      own(ev("p", "dossier.supplement_requested", "2022-07-06T09:00:00+07:00")),
      own(
        ev("u", "dossier.supplement_received", "2022-07-06T09:00:00+07:00", {
          ifPaused: true,
          undated: true,
        }),
      ),
      {
        ...ev("x", "dossier.supplement_received", "2022-07-08T09:00:00+07:00"),
        source: "other",
      } as DossierEvent,
    ];
    const state = projectDossier("D1", events, settings);
    expect(state.paused).toBe(false);
    expect(state.pauses.map((p) => [p.from, p.to])).toEqual([
      [instant("2022-07-06T09:00:00+07:00"), instant("2022-07-06T09:00:00+07:00")],
    ]);
    // The owner's own dated return dates it.
    const dated = projectDossier(
      "D1",
      [...events, own(ev("a", "dossier.supplement_received", "2022-07-08T09:00:00+07:00"))],
      settings,
    );
    expect(dated.pauses[0]?.to).toBe(instant("2022-07-08T09:00:00+07:00"));
  });

  it("judges a pause told again and an undated end's dating return on what the fold applies", () => {
    const from = (source: string) => (e: DossierEvent) => ({ ...e, source }) as DossierEvent;
    const [igate, dept, other] = [from("igate"), from("dept"), from("other")];
    const wait = [
      igate(received),
      igate(ev("p", "dossier.supplement_requested", "2022-07-06T09:00:00+07:00")),
      igate(
        ev("u", "dossier.supplement_received", "2022-07-06T09:00:00+07:00", {
          ifPaused: true,
          undated: true,
        }),
      ),
    ];
    const pausesOf = (
      events: DossierEvent[],
      admits?: (s: string | undefined, d: string, u?: string) => boolean,
    ) =>
      projectDossier("D1", events, { ...settings, admits }).pauses.map((p) => [
        formatInstant(p.from),
        p.to && formatInstant(p.to),
      ]);
    // A department granted the dossier's unit (u1) dates the end; granted another unit, it does not,
    // even after a transfer the fold refuses (another source's, to the unit the department has).
    const grantedU1 = (s: string | undefined, _d: string, unit?: string) => s === "dept" && unit === "u1";
    const grantedU2 = (s: string | undefined, _d: string, unit?: string) => s === "dept" && unit === "u2";
    const dated = [...wait, dept(ev("a", "dossier.supplement_received", "2022-07-08T09:00:00+07:00"))];
    expect(pausesOf(dated, grantedU1)).toEqual([["2022-07-06T09:00:00+07:00", "2022-07-08T09:00:00+07:00"]]);
    const refusedMove = [
      ...dated,
      other(ev("t", "dossier.transferred", "2022-07-07T09:00:00+07:00", { toUnitId: "u2" })),
    ];
    expect(pausesOf(refusedMove, grantedU2)).toEqual([
      ["2022-07-06T09:00:00+07:00", "2022-07-06T09:00:00+07:00"],
    ]);
    // A pause the fold refuses (before the receipt) is no first wait: the applied one, told later
    // that day, stays, and a dated return ends it.
    const early = [
      igate(ev("p0", "dossier.supplement_requested", "2022-07-04T00:00:00+07:00")),
      igate(
        ev("u0", "dossier.supplement_received", "2022-07-04T00:00:00+07:00", {
          ifPaused: true,
          undated: true,
        }),
      ),
      igate(received),
      igate(ev("p1", "dossier.supplement_requested", "2022-07-04T09:30:00+07:00")),
      igate(ev("a", "dossier.supplement_received", "2022-07-08T09:00:00+07:00")),
    ];
    expect(pausesOf(early)).toEqual([["2022-07-04T09:30:00+07:00", "2022-07-08T09:00:00+07:00"]]);
    // A refused source's return between does not break the telling again: one wait, no second request.
    const retold = [
      ...wait,
      other(ev("x", "dossier.supplement_received", "2022-07-06T10:00:00+07:00")),
      igate(ev("p2", "dossier.supplement_requested", "2022-07-06T11:00:00+07:00")),
    ];
    const state = projectDossier("D1", retold, settings);
    expect(state.supplementRequests).toBe(1);
    expect(state.anomalies.map((a) => a.kind)).toEqual(["other_source"]);
    // A dated return of the owner between: the later pause is a second wait, and a second request.
    const second = projectDossier(
      "D1",
      [
        ...wait,
        igate(ev("a", "dossier.supplement_received", "2022-07-06T10:00:00+07:00")),
        igate(ev("p2", "dossier.supplement_requested", "2022-07-06T11:00:00+07:00")),
      ],
      settings,
    );
    expect(second.supplementRequests).toBe(2);
    expect(second.anomalies.map((a) => a.kind)).toContain("second_supplement_request");
  });

  it("begins a wait told again at its exact telling: a request after the due instant stays late; another kind is another wait", () => {
    const igate = (e: DossierEvent) => ({ ...e, source: "igate" }) as DossierEvent;
    // Received Fri 1 Aug 2025 08:00, 10 working hours: due Mon 4 Aug 10:00.
    const receipt = igate(
      ev("r", "dossier.received", "2025-08-01T08:00:00+07:00", {
        unitId: "u1",
        procedureCode: "p",
        channel: "direct",
        processingHours: 10,
      }),
    );
    const dayDated = [
      igate(ev("p", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00")),
      igate(
        ev("u", "dossier.supplement_received", "2025-08-04T00:00:00+07:00", {
          ifPaused: true,
          undated: true,
        }),
      ),
    ];
    const exact = (kind?: string) =>
      igate(
        ev(
          "p2",
          "dossier.supplement_requested",
          "2025-08-04T14:00:00+07:00",
          kind ? { pauseKind: kind } : {},
        ),
      );
    const tail = [
      igate(ev("a", "dossier.supplement_received", "2025-08-06T10:00:00+07:00", { ifPaused: true })),
      igate(ev("z", "dossier.resolved", "2025-08-06T11:00:00+07:00", { outcome: "approved" })),
    ];
    const told = projectDossier("D1", [receipt, ...dayDated, exact(), ...tail], settings);
    // The request was made at 14:00, after the due instant: late, and the clock never stopped.
    expect(told.anomalies.map((a) => a.kind)).toEqual(["late_supplement_request"]);
    expect(told.supplementRequests).toBe(1);
    expect(formatInstant(told.kpiDueAt as number)).toBe("2025-08-04T10:00:00+07:00");
    expect(told.pauses.map((p) => formatInstant(p.from))).toEqual(["2025-08-04T14:00:00+07:00"]);
    // Two sources' tellings at the wait's start, one of them ending it undated: one wait, told
    // exactly in the afternoon; not stretched, not left open, not a second request.
    const grantedB = (source: string | undefined) => source === "B";
    const b = (e: DossierEvent) => ({ ...e, source: "B" }) as DossierEvent;
    const aliases = projectDossier(
      "D1",
      [
        receipt,
        igate(ev("p", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00")),
        b(ev("q", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00")),
        b(
          ev("u", "dossier.supplement_received", "2025-08-04T00:00:00+07:00", {
            ifPaused: true,
            undated: true,
          }),
        ),
        exact(),
      ],
      { ...settings, admits: grantedB },
    );
    expect(aliases.pauses.map((p) => [formatInstant(p.from), p.to && formatInstant(p.to)])).toEqual([
      ["2025-08-04T14:00:00+07:00", "2025-08-04T14:00:00+07:00"],
    ]);
    expect(aliases.paused).toBe(false);
    expect(aliases.supplementRequests).toBe(1);
    // Two rounds on two days, each shown over undated and told exactly that morning: two waits,
    // neither left open (the first's end, moved to its exact telling, closes it before the second).
    const rounds = (day: string) => [
      igate(ev(`p${day}`, "dossier.supplement_requested", `2025-08-${day}T00:00:00+07:00`)),
      igate(
        ev(`u${day}`, "dossier.supplement_received", `2025-08-${day}T00:00:00+07:00`, {
          ifPaused: true,
          undated: true,
        }),
      ),
      igate(ev(`x${day}`, "dossier.supplement_requested", `2025-08-${day}T09:30:00+07:00`)),
    ];
    const twoDays = projectDossier("D1", [receipt, ...rounds("04"), ...rounds("05")], settings);
    expect(twoDays.paused).toBe(false);
    expect(twoDays.supplementRequests).toBe(2);
    expect(twoDays.pauses.map((p) => formatInstant(p.from))).toEqual([
      "2025-08-04T09:30:00+07:00",
      "2025-08-05T09:30:00+07:00",
    ]);
    // A telling at the wait's start whose id sorts after its undated end, with no exact telling that
    // day: the same wait, not opened again for good.
    const startShownOver = [
      receipt,
      igate(ev("a1", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00")),
      igate(
        ev("b1", "dossier.supplement_received", "2025-08-04T00:00:00+07:00", {
          ifPaused: true,
          undated: true,
        }),
      ),
    ];
    const after = projectDossier(
      "D1",
      [...startShownOver, igate(ev("c1", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00"))],
      settings,
    );
    expect(after.paused).toBe(false);
    expect(after.anomalies).toEqual([]);
    expect(after.pauses).toHaveLength(1);
    // The same with a return to processing told at that instant too, and the late telling another
    // source's (granted).
    const withReturn = projectDossier(
      "D1",
      [
        ...startShownOver,
        igate(ev("b2", "dossier.supplement_received", "2025-08-04T00:00:00+07:00", { ifPaused: true })),
        b(ev("z9", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00")),
      ],
      { ...settings, admits: grantedB },
    );
    expect(withReturn.paused).toBe(false);
    expect(withReturn.supplementRequests).toBe(1);
    // A wait of another agency told at the start is not one an inferred end ends: nothing is
    // retold, and the other agency's wait that morning is a wait of its own.
    const otherAgency = projectDossier(
      "D1",
      [
        receipt,
        igate(
          ev("f", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00", {
            pauseKind: "financial_obligation",
          }),
        ),
        igate(
          ev("o", "dossier.supplement_requested", "2025-08-04T00:00:00+07:00", { pauseKind: "other_agency" }),
        ),
        igate(
          ev("u", "dossier.supplement_received", "2025-08-04T00:00:00+07:00", {
            ifPaused: true,
            undated: true,
          }),
        ),
        igate(
          ev("o2", "dossier.supplement_requested", "2025-08-04T09:30:00+07:00", {
            pauseKind: "other_agency",
          }),
        ),
        igate(ev("a", "dossier.supplement_received", "2025-08-06T10:00:00+07:00", { ifPaused: true })),
      ],
      settings,
    );
    expect(otherAgency.pauses.map((p) => [formatInstant(p.from), p.kind])).toEqual([
      ["2025-08-04T00:00:00+07:00", "financial_obligation"],
      ["2025-08-04T09:30:00+07:00", "other_agency"],
    ]);
    // A payment wait that afternoon is another wait, not the supplement told again.
    const payment = projectDossier(
      "D1",
      [receipt, ...dayDated, exact("financial_obligation"), ...tail],
      settings,
    );
    expect(payment.pauses.map((p) => [formatInstant(p.from), p.kind])).toEqual([
      ["2025-08-04T00:00:00+07:00", "supplement"],
      ["2025-08-04T14:00:00+07:00", "financial_obligation"],
    ]);
  });

  it("lets returned close an unresolved dossier, and not move an earlier resolution", () => {
    const onlyReturned = projectDossier(
      "D1",
      [received, ev("x", "dossier.returned", "2022-07-08T10:00:00+07:00")],
      settings,
    );
    expect(formatInstant(onlyReturned.resolvedAt as number)).toBe("2022-07-08T10:00:00+07:00");
    const both = projectDossier(
      "D1",
      [
        received,
        ev("z", "dossier.resolved", "2022-07-07T10:00:00+07:00", { outcome: "denied" }),
        ev("x", "dossier.returned", "2022-07-08T10:00:00+07:00"),
      ],
      settings,
    );
    expect(formatInstant(both.resolvedAt as number)).toBe("2022-07-07T10:00:00+07:00");
    expect(both.anomalies).toEqual([]);
  });

  it("keeps the first of two bodies under one event identity and lists the other as a conflict", () => {
    const a = ev("z", "dossier.resolved", "2022-07-07T10:00:00+07:00", { outcome: "approved" });
    const b = ev("z", "dossier.resolved", "2022-07-06T10:00:00+07:00", { outcome: "denied" });
    const first = projectDossier("D1", [received, a, b, a], settings);
    expect(first.outcome).toBe("approved");
    expect(first.anomalies).toEqual([
      { kind: "conflict", eventId: "z", type: "dossier.resolved", at: instant(b.occurredAt) },
    ]);
    // The same identity twice with the same body (its free-text reason aside) is one event.
    const withReason = { ...a, data: { outcome: "approved", reason: "x" } } as unknown as DossierEvent;
    expect(projectDossier("D1", [received, a, withReason], settings).anomalies).toEqual([]);
    // One instant spelled otherwise (UTC, milliseconds) is the same body: a retry, not a conflict.
    for (const spelled of ["2022-07-07T03:00:00Z", "2022-07-07T10:00:00.000+07:00"])
      expect(sameBody(a, { ...a, occurredAt: spelled }), spelled).toBe(true);
    const due = (dueAt: string) =>
      ev("s", "dossier.supplement_received", "2022-07-06T10:00:00+07:00", { dueAt }) as DossierEvent;
    expect(sameBody(due("2022-07-20T17:00:00+07:00"), due("2022-07-20T10:00:00Z"))).toBe(true);
    expect(sameBody(due("2022-07-20T17:00:00+07:00"), due("2022-07-20T17:00:00Z"))).toBe(false);
    // Another source's event under the same id is another event.
    const other = { ...b, source: "other" };
    expect(foldEvents([received, a, other]).ordered).toHaveLength(3);
  });

  it("applies only the owner's events, and a granted source's", () => {
    const owned = { ...received, source: "A" };
    const resolvedByB = {
      ...ev("b1", "dossier.resolved", "2022-07-05T10:00:00+07:00"),
      source: "B",
    } as DossierEvent;
    (resolvedByB.data as { outcome: string }).outcome = "approved";
    const state = projectDossier("D1", [resolvedByB, owned], settings);
    expect(state.owner).toBe("A");
    expect(state.closedAt).toBeUndefined();
    expect(state.anomalies).toEqual([
      { kind: "other_source", eventId: "b1", type: "dossier.resolved", at: instant(resolvedByB.occurredAt) },
    ]);
    const granted = projectDossier("D1", [resolvedByB, owned], {
      ...settings,
      admits: (source, _id, unitId) => source === "B" && unitId === "u1",
    });
    expect(granted.closedAt).toBe(instant(resolvedByB.occurredAt));
    expect(granted.anomalies).toEqual([]);
  });
});

describe("SLA state at an instant", () => {
  const state = projectDossier("D1", [received], settings);
  it("is on track, near due within one working day, then overdue", () => {
    expect(slaAt(state, instant("2022-07-07T10:00:00+07:00"), calendar).state).toBe("on_track");
    const near = slaAt(state, instant("2022-07-11T08:00:00+07:00"), calendar);
    expect(near).toEqual({ state: "near_due", workingTimeLeftMs: 7 * H });
    const over = slaAt(state, instant("2022-07-12T09:00:00+07:00"), calendar);
    expect(over).toEqual({ state: "overdue", workingTimeLeftMs: -2 * H });
  });

  it("takes a configurable near-due threshold", () => {
    const at = instant("2022-07-08T10:00:00+07:00");
    expect(slaAt(state, at, calendar).state).toBe("on_track");
    expect(slaAt(state, at, calendar, { nearDueMs: 16 * H }).state).toBe("near_due");
  });

  it("is paused while a supplement is awaited, and closed after resolution", () => {
    const paused = projectDossier(
      "D1",
      [received, ev("p", "dossier.supplement_requested", "2022-07-05T08:00:00+07:00")],
      settings,
    );
    expect(slaAt(paused, instant("2022-08-01T08:00:00+07:00"), calendar).state).toBe("paused");
    const closed = projectDossier(
      "D1",
      [received, ev("z", "dossier.resolved", "2022-07-06T08:00:00+07:00", { outcome: "approved" })],
      settings,
    );
    expect(slaAt(closed, instant("2022-08-01T08:00:00+07:00"), calendar).state).toBe("closed");
  });
});
