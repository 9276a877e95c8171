import { describe, expect, it } from "vitest";
import { stageGuidance } from "../../lib/domain/alert-guidance";
import { markKey } from "../../lib/domain/alert-marks";
import {
  type AlertFacts,
  alertFactsOf,
  alertTimeline,
  STAGE_KINDS,
  type Stage,
  timelineStages,
  timelineThresholds,
} from "../../lib/domain/alerts";
import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { projectDossier } from "../../lib/domain/projection";
import { apologyDeadlineOf, RULE_SETS, ruleSetFor } from "../../lib/domain/rules";
import { formatInstant, instant, MINUTE_MS } from "../../lib/domain/time";

const cal = WorkingCalendar.official();
const at = (s: string) => instant(s);
const t = timelineThresholds(undefined, cal);

// Online, Friday 2022-07-08 17:01, 3 working days: deemed received Monday 07:00, due Thu 17:00.
const arrived = at("2022-07-08T17:01:00+07:00");
const receivedAt = cal.receiptInstant(arrived);
const due = cal.dueFrom(arrived, { days: 3 });
const open: AlertFacts = {
  receivedAt,
  kpiDueAt: due,
  paused: false,
  closed: false,
  extensions: [],
  supplementRequestsAt: [],
  latePausesAt: [],
};

const kinds = (stages: readonly Stage[]) => stages.map((s) => s.kind);
const whenOf = (facts: AlertFacts, kind: string) =>
  timelineStages(facts, cal, t).stages.find((s) => s.kind === kind)?.at;

/** Sweeps at each instant, in order, keeping marks as the store does; every raise, with its instant. */
function sweep(facts: AlertFacts | ((now: number) => AlertFacts), instants: readonly number[]) {
  const marks: Record<string, number> = {};
  const raised: { kind: string; now: number }[] = [];
  for (const now of instants) {
    const f = typeof facts === "function" ? facts(now) : facts;
    const plan = alertTimeline(f, marks, now, cal, t);
    for (const s of plan.raise) {
      marks[markKey(s.kind, f.unitId)] = s.key;
      raised.push({ kind: s.kind, now });
    }
  }
  return raised;
}
const every = (from: string, to: string, minutes: number) => {
  const out: number[] = [];
  for (let x = at(from); x <= at(to); x += minutes * MINUTE_MS) out.push(x);
  return out;
};

describe("the alert timeline (docs/rules.md R4)", () => {
  it("places each stage in working time before a Thursday 17:00 due instant", () => {
    expect(formatInstant(due)).toBe("2022-07-14T17:00:00+07:00");
    const apology = apologyDeadlineOf(due, receivedAt, cal) as number;
    expect(formatInstant(apology)).toBe("2022-07-13T17:00:00+07:00");
    expect(formatInstant(whenOf(open, "near_due") as number)).toBe("2022-07-12T17:00:00+07:00");
    expect(formatInstant(whenOf(open, "apology_due") as number)).toBe("2022-07-13T11:00:00+07:00");
    expect(whenOf(open, "apology_missed")).toBe(apology + 1);
    expect(whenOf(open, "overdue")).toBe(due + 1);
    expect(formatInstant(whenOf(open, "escalation") as number)).toBe("2022-07-18T17:00:00+07:00");
  });

  it("raises near_due two working days before, apology_due before Wed 17:00, apology_missed at Wed 17:00", () => {
    expect(alertTimeline(open, {}, at("2022-07-12T16:59:00+07:00"), cal, t)).toEqual({
      raise: [],
      next: at("2022-07-12T17:00:00+07:00"),
      noCalendar: [],
    });
    const tue = alertTimeline(open, {}, at("2022-07-12T17:00:00+07:00"), cal, t);
    expect(kinds(tue.raise)).toEqual(["near_due"]);
    expect(tue.next).toBe(at("2022-07-13T11:00:00+07:00"));
    const marks = { near_due: due };
    const wed = alertTimeline(open, marks, at("2022-07-13T11:00:00+07:00"), cal, t);
    expect(kinds(wed.raise)).toEqual(["apology_due"]);
    expect(wed.raise[0]?.to).toEqual(["unit", "one_stop_desk"]);
    // At 17:00 the apology is still in time; a millisecond later it is missed.
    const closing = alertTimeline(
      open,
      { ...marks, apology_due: due },
      at("2022-07-13T17:00:00+07:00"),
      cal,
      t,
    );
    expect(closing.raise).toEqual([]);
    expect(closing.next).toBe(at("2022-07-13T17:00:00+07:00") + 1);
    const after = alertTimeline(
      open,
      { ...marks, apology_due: due },
      at("2022-07-13T17:00:00+07:00") + 1,
      cal,
      t,
    );
    expect(kinds(after.raise)).toEqual(["apology_missed"]);
  });

  it("raises each stage once under overlapping and repeated sweeps", () => {
    const instants = every("2022-07-11T07:00:00+07:00", "2022-07-20T17:00:00+07:00", 7);
    // Overlapping sweeps: every instant twice, the second seeing the marks of the first.
    const raised = sweep(
      open,
      instants.flatMap((x) => [x, x]),
    );
    expect(raised.map((r) => r.kind)).toEqual([
      "near_due",
      "apology_due",
      "apology_missed",
      "overdue",
      "escalation",
    ]);
    expect(formatInstant(raised[2]?.now as number)).toBe("2022-07-13T17:06:00+07:00");
  });

  it("does not raise overtaken reminders late after a gap in sweeps", () => {
    const raised = sweep(open, [at("2022-07-11T09:00:00+07:00"), at("2022-07-14T18:00:00+07:00")]);
    expect(raised.map((r) => r.kind)).toEqual(["apology_missed", "overdue"]);
  });

  it("records an extension on Thursday 10:00 as a late apology, and stops the apology stages", () => {
    const thu10 = at("2022-07-14T10:00:00+07:00");
    const newDue = at("2022-07-19T17:00:00+07:00");
    const facts = (now: number): AlertFacts =>
      now >= thu10
        ? { ...open, extensions: [{ at: thu10, apologyIssued: true }], appointmentAt: newDue }
        : open;
    const raised = sweep(facts, every("2022-07-11T07:00:00+07:00", "2022-07-25T17:00:00+07:00", 30));
    expect(raised.map((r) => r.kind)).toEqual([
      "near_due",
      "apology_due",
      "apology_missed",
      "late_apology",
      "overdue",
      "escalation",
      "past_appointment",
    ]);
    const late = timelineStages(facts(thu10), cal, t).stages.find((s) => s.kind === "late_apology");
    // R4 names the one-stop desk for the apology stages only: a late apology is the unit's digest's.
    expect(late).toMatchObject({ key: thu10, at: thu10, to: ["unit"] });
  });

  it("takes an extension before the apology deadline as in time", () => {
    const wed10 = at("2022-07-13T10:00:00+07:00");
    const facts = {
      ...open,
      extensions: [{ at: wed10, apologyIssued: true }],
      appointmentAt: at("2022-07-19T17:00:00+07:00"),
    };
    const stages = kinds(timelineStages(facts, cal, t).stages);
    expect(stages).not.toContain("late_apology");
    expect(stages).not.toContain("apology_missed");
    expect(stages).not.toContain("near_due");
    expect(stages).toContain("overdue");
  });

  it("raises supplement_twice on a second request, while paused, once", () => {
    const first = at("2022-07-11T09:00:00+07:00");
    const second = at("2022-07-12T09:00:00+07:00");
    const facts = (now: number): AlertFacts =>
      now >= second
        ? { ...open, paused: true, supplementRequestsAt: [first, second] }
        : now >= first
          ? { ...open, paused: true, supplementRequestsAt: [first] }
          : open;
    const raised = sweep(facts, every("2022-07-11T07:00:00+07:00", "2022-07-12T17:00:00+07:00", 15));
    expect(raised).toEqual([{ kind: "supplement_twice", now: second }]);
  });

  it("raises extended_twice on a second new appointment", () => {
    const facts: AlertFacts = {
      ...open,
      extensions: [
        { at: at("2022-07-12T09:00:00+07:00"), apologyIssued: true },
        { at: at("2022-07-18T09:00:00+07:00"), apologyIssued: true },
      ],
      appointmentAt: at("2022-07-22T17:00:00+07:00"),
    };
    const plan = alertTimeline(facts, {}, at("2022-07-18T09:30:00+07:00"), cal, t);
    expect(kinds(plan.raise)).toEqual(["extended_twice", "overdue"]);
    expect(plan.raise[0]?.to).toEqual(["unit", "leadership"]);
  });

  it("raises nothing on a closed dossier, and only breaches on a paused one", () => {
    const late = at("2022-07-25T09:00:00+07:00");
    expect(alertTimeline({ ...open, closed: true }, {}, late, cal, t).raise).toEqual([]);
    expect(alertTimeline({ ...open, paused: true }, {}, late, cal, t)).toEqual({ raise: [], noCalendar: [] });
  });

  it("asks for no apology when the period is shorter than the lead", () => {
    const morning = at("2022-07-11T09:00:00+07:00");
    const short: AlertFacts = {
      ...open,
      receivedAt: morning,
      kpiDueAt: cal.dueFrom(morning, { hours: 4 }),
      extensions: [{ at: at("2022-07-11T12:00:00+07:00"), apologyIssued: true }],
    };
    expect(apologyDeadlineOf(short.kpiDueAt as number, morning, cal)).toBeUndefined();
    const stages = kinds(timelineStages(short, cal, t).stages);
    expect(stages).not.toContain("apology_due");
    expect(stages).not.toContain("late_apology");
    expect(stages).toContain("overdue");
  });

  it("keeps the other stages when one needs a year without calendar data", () => {
    const received = at("2026-12-28T09:00:00+07:00");
    const facts: AlertFacts = { ...open, receivedAt: received, kpiDueAt: cal.dueFrom(received, { days: 3 }) };
    const plan = alertTimeline(facts, {}, at("2026-12-31T17:00:00+07:00") + 1, cal, t);
    expect(plan.noCalendar).toEqual([2027]);
    expect(kinds(plan.raise)).toEqual(["apology_missed", "overdue"]);
  });

  it("lets a unit set its own thresholds", () => {
    const own = timelineThresholds({ nearDueWorkingHours: 8, apologyLeadWorkingHours: 8 }, cal);
    const stages = timelineStages(open, cal, own).stages;
    expect(formatInstant(stages.find((s) => s.kind === "near_due")?.at as number)).toBe(
      "2022-07-13T17:00:00+07:00",
    );
    expect(formatInstant(stages.find((s) => s.kind === "apology_due")?.at as number)).toBe(
      "2022-07-12T17:00:00+07:00",
    );
  });
});

describe("an extension without the apology letter", () => {
  const wed10 = at("2022-07-13T10:00:00+07:00");
  const thu10 = at("2022-07-14T10:00:00+07:00");
  const appointmentAt = at("2022-07-19T17:00:00+07:00");

  it("does not silence apology_missed: apologyIssued false before the deadline is no apology", () => {
    const without = { ...open, extensions: [{ at: wed10, apologyIssued: false }], appointmentAt };
    const withIt = { ...open, extensions: [{ at: wed10, apologyIssued: true }], appointmentAt };
    expect(kinds(timelineStages(without, cal, t).stages)).toContain("apology_missed");
    expect(kinds(timelineStages(withIt, cal, t).stages)).not.toContain("apology_missed");
    const raised = sweep(
      (now) => (now >= wed10 ? without : open),
      every("2022-07-11T07:00:00+07:00", "2022-07-14T12:00:00+07:00", 15),
    );
    expect(raised.map((r) => r.kind)).toEqual(["near_due", "apology_due", "apology_missed"]);
    expect(formatInstant(raised[2]?.now ?? 0)).toBe("2022-07-13T17:15:00+07:00");
  });

  it("records the letter that came late as late_apology, even after an extension without one", () => {
    const facts = {
      ...open,
      extensions: [
        { at: wed10, apologyIssued: false },
        { at: thu10, apologyIssued: true },
      ],
      appointmentAt,
    };
    const late = timelineStages(facts, cal, t).stages.find((s) => s.kind === "late_apology");
    expect(late).toMatchObject({ key: thu10, at: thu10 });
    // An extension without a letter after the deadline is not a late letter: no letter at all.
    const none = { ...open, extensions: [{ at: thu10, apologyIssued: false }], appointmentAt };
    expect(kinds(timelineStages(none, cal, t).stages)).not.toContain("late_apology");
    expect(kinds(timelineStages(none, cal, t).stages)).toContain("apology_missed");
  });
});

describe("near due as a share of the time allowed", () => {
  const mon9 = at("2022-07-11T09:00:00+07:00");
  const facts = (period: { days?: number; hours?: number; sameDay?: boolean }): AlertFacts => {
    const due = cal.dueFrom(mon9, period);
    return { ...open, receivedAt: mon9, kpiDueAt: due, baseDueAt: due };
  };
  const nearDue = (f: AlertFacts, th = t) =>
    formatInstant(timelineStages(f, cal, th).stages.find((s) => s.kind === "near_due")?.at as number);

  it("is half the time allowed for a short procedure, so the first sweep after receipt raises nothing", () => {
    // 8 working hours from Mon 09:00: due Tue 09:00; near due 4 working hours before, Mon 15:00.
    expect(nearDue(facts({ hours: 8 }))).toBe("2022-07-11T15:00:00+07:00");
    // The same day: due Mon 17:00 (6 working hours); near due 3 before, Mon 14:00.
    expect(nearDue(facts({ sameDay: true }))).toBe("2022-07-11T14:00:00+07:00");
    const first = alertTimeline(facts({ hours: 8 }), {}, mon9 + 15 * MINUTE_MS, cal, t);
    expect(kinds(first.raise)).toEqual([]);
  });

  it("keeps the unit's 2 working days for a period of 4 working days or more", () => {
    // 10 working days from Mon 09:00: due Mon 07-25 17:00, near due Thu 07-21 17:00.
    expect(nearDue(facts({ days: 10 }))).toBe("2022-07-21T17:00:00+07:00");
    expect(nearDue(facts({ days: 4 }))).toBe("2022-07-13T17:00:00+07:00");
  });

  it("follows the unit's share, and the working-hours threshold when that is shorter", () => {
    const quarter = timelineThresholds({ nearDueShareOfPeriod: 0.25 }, cal);
    // 2 working hours before Tue 09:00 is Tue's opening, read as Mon's close (deadlineBefore).
    expect(nearDue(facts({ hours: 8 }), quarter)).toBe("2022-07-11T17:00:00+07:00");
    const hours = timelineThresholds({ nearDueWorkingHours: 1, nearDueShareOfPeriod: 1 }, cal);
    expect(nearDue(facts({ hours: 8 }), hours)).toBe("2022-07-12T08:00:00+07:00");
  });

  it("measures the time allowed from receipt to the lawful due instant, not to one moved by a pause", () => {
    const f = facts({ hours: 8 });
    const moved = { ...f, kpiDueAt: cal.addWorkingTime(f.kpiDueAt as number, 8 * 3_600_000) };
    // Due Wed 09:00 after a day's pause: still 4 working hours before it (half of the 8 allowed), Tue 15:00.
    expect(nearDue(moved)).toBe("2022-07-12T15:00:00+07:00");
  });
});

describe("facts from a projected dossier", () => {
  const ev = (eventId: string, type: DossierEvent["type"], occurredAt: string, data: object = {}) =>
    ({ eventId, type, occurredAt, dossierId: "D1", data }) as DossierEvent;

  it("reads the facts the timeline needs", () => {
    const state = projectDossier(
      "D1",
      [
        ev("r", "dossier.received", "2022-07-11T08:00:00+07:00", {
          unitId: "u",
          procedureCode: "p",
          channel: "direct",
          processingDays: 3,
        }),
        ev("s1", "dossier.supplement_requested", "2022-07-12T09:00:00+07:00"),
        ev("s1r", "dossier.supplement_received", "2022-07-12T10:00:00+07:00"),
        ev("s2", "dossier.supplement_requested", "2022-07-13T09:00:00+07:00"),
      ],
      { calendar: cal },
    );
    const facts = alertFactsOf(state) as AlertFacts;
    expect(facts.paused).toBe(true);
    expect(facts.supplementRequestsAt).toEqual([
      at("2022-07-12T09:00:00+07:00"),
      at("2022-07-13T09:00:00+07:00"),
    ]);
    const plan = alertTimeline(facts, {}, at("2022-07-13T09:05:00+07:00"), cal, t);
    expect(kinds(plan.raise)).toEqual(["supplement_twice"]);
    expect(alertFactsOf(projectDossier("D2", [], { calendar: cal }))).toBeUndefined();
  });
});

describe("what to do, for the digest", () => {
  it("says it in Vietnamese with diacritics and in English, for every stage", () => {
    for (const set of RULE_SETS) {
      for (const kind of STAGE_KINDS) {
        const g = stageGuidance(kind, set);
        expect(g.vi, kind).toMatch(/[ạảãàáâậầấẩẫăắằặẳẵđêềếểễệôồốổỗộơờớởỡợưừứửữự]/);
        expect(g.en.length, kind).toBeGreaterThan(20);
      }
    }
  });

  it("names the apology document of the dossier's rule set", () => {
    const before = stageGuidance("apology_due", ruleSetFor(at("2025-06-30T09:00:00+07:00")));
    const after = stageGuidance("apology_due", ruleSetFor(at("2025-07-01T09:00:00+07:00")));
    expect(before.vi).toMatch(/phiếu xin lỗi và hẹn lại ngày trả kết quả/);
    expect(after.vi).toMatch(/văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết/);
  });
});

describe("pauses begun after the due instant", () => {
  it("raise one late_supplement_request each, two told between sweeps included", () => {
    const first = at("2022-07-15T09:00:00+07:00");
    const second = at("2022-07-19T09:00:00+07:00");
    const facts: AlertFacts = { ...open, latePausesAt: [first, second] };
    const { raise } = alertTimeline(facts, {}, at("2022-07-20T09:00:00+07:00"), cal, t);
    expect(raise.filter((s) => s.kind === "late_supplement_request").map((s) => s.at)).toEqual([
      first,
      second,
    ]);
  });
});
