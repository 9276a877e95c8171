import { describe, expect, it } from "vitest";
import { CalendarYearMissingError, WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { CalendarDataSchema, parseOfficeHours } from "../../lib/domain/calendar/calendar-data";
import { formatInstant, instant } from "../../lib/domain/time";

const cal = WorkingCalendar.official();
const at = (s: string) => instant(s);
const H = 3_600_000;

describe("official days off, year by year", () => {
  const cases: Record<string, { off: string[]; working: string[] }> = {
    "2022": {
      off: [
        "2022-01-03",
        "2022-01-31",
        "2022-02-04",
        "2022-04-11",
        "2022-05-02",
        "2022-05-03",
        "2022-09-01",
        "2022-09-02",
      ],
      working: ["2022-01-04", "2022-02-07", "2022-04-12", "2022-05-04", "2022-09-05", "2022-06-06"],
    },
    "2023": {
      off: ["2023-01-02", "2023-01-20", "2023-01-26", "2023-05-01", "2023-05-03", "2023-09-01", "2023-09-04"],
      working: ["2023-01-03", "2023-01-19", "2023-01-27", "2023-05-04", "2023-09-05"],
    },
    "2024": {
      off: [
        "2024-01-01",
        "2024-02-08",
        "2024-02-14",
        "2024-04-18",
        "2024-04-29",
        "2024-05-01",
        "2024-09-02",
        "2024-09-03",
      ],
      working: ["2024-02-15", "2024-04-19", "2024-05-02", "2024-05-04", "2024-09-04"],
    },
    "2025": {
      off: [
        "2025-01-01",
        "2025-01-27",
        "2025-01-31",
        "2025-04-07",
        "2025-04-30",
        "2025-05-02",
        "2025-09-01",
        "2025-09-02",
      ],
      working: ["2025-01-24", "2025-02-03", "2025-04-08", "2025-04-26", "2025-05-05", "2025-09-03"],
    },
    "2026": {
      off: [
        "2026-01-02",
        "2026-02-16",
        "2026-02-20",
        "2026-04-27",
        "2026-05-01",
        "2026-08-31",
        "2026-09-01",
        "2026-09-02",
      ],
      working: [
        "2026-01-05",
        "2026-01-10",
        "2026-02-23",
        "2026-04-28",
        "2026-05-04",
        "2026-08-22",
        "2026-09-03",
      ],
    },
  };
  for (const [year, { off, working }] of Object.entries(cases)) {
    it(`${year}: days off and make-up working days`, () => {
      for (const d of off) expect(cal.isWorkingDay(d), d).toBe(false);
      for (const d of working) expect(cal.isWorkingDay(d), d).toBe(true);
    });
  }

  it("leaves out the unconfirmed 2025-02-08 make-up Saturday", () => {
    expect(cal.isWorkingDay("2025-02-08")).toBe(false);
  });

  it("names the document behind every year", () => {
    const docs = cal.documents();
    expect(docs.map((d) => d.year)).toEqual([2022, 2023, 2024, 2025, 2026]);
    for (const d of docs) expect(d.document.length).toBeGreaterThan(20);
  });

  it("treats ordinary weekends as days off", () => {
    expect(cal.isWorkingDay("2022-06-11")).toBe(false);
    expect(cal.isWorkingDay("2022-06-12")).toBe(false);
  });
});

describe("due instants", () => {
  it("answers the Tết example of docs/calendar.md", () => {
    const due = cal.dueFrom(at("2023-01-13T10:00:00+07:00"), { days: 5 });
    expect(formatInstant(due)).toBe("2023-01-27T17:00:00+07:00");
  });

  it("does not count the day of receipt, even when received before opening", () => {
    expect(formatInstant(cal.dueFrom(at("2022-06-06T06:00:00+07:00"), { days: 1 }))).toBe(
      "2022-06-07T17:00:00+07:00",
    );
    expect(formatInstant(cal.dueFrom(at("2022-06-10T16:59:00+07:00"), { days: 1 }))).toBe(
      "2022-06-13T17:00:00+07:00",
    );
  });

  it("counts hours through office hours, across lunch", () => {
    expect(formatInstant(cal.dueFrom(at("2023-01-16T10:00:00+07:00"), { hours: 4 }))).toBe(
      "2023-01-16T16:00:00+07:00",
    );
    expect(formatInstant(cal.dueFrom(at("2023-01-16T11:30:00+07:00"), { hours: 1 }))).toBe(
      "2023-01-16T14:30:00+07:00",
    );
  });

  it("counts hours across nights, before opening and after closing", () => {
    expect(formatInstant(cal.dueFrom(at("2023-01-16T16:00:00+07:00"), { hours: 4 }))).toBe(
      "2023-01-17T10:00:00+07:00",
    );
    expect(formatInstant(cal.dueFrom(at("2023-01-16T06:00:00+07:00"), { hours: 2 }))).toBe(
      "2023-01-16T09:00:00+07:00",
    );
    expect(formatInstant(cal.dueFrom(at("2023-01-16T18:00:00+07:00"), { hours: 2 }))).toBe(
      "2023-01-17T09:00:00+07:00",
    );
  });

  it("counts hours across a holiday", () => {
    expect(formatInstant(cal.dueFrom(at("2023-01-19T16:00:00+07:00"), { hours: 2 }))).toBe(
      "2023-01-27T08:00:00+07:00",
    );
  });

  it("takes a fractional number of days as working hours", () => {
    expect(formatInstant(cal.dueFrom(at("2023-01-16T07:00:00+07:00"), { days: 0.5 }))).toBe(
      "2023-01-16T11:00:00+07:00",
    );
  });
});

describe("working time and pauses", () => {
  it("counts a pause from Friday 16:00 to Monday 08:00 as 2 working hours", () => {
    expect(cal.workingTimeBetween(at("2023-02-03T16:00:00+07:00"), at("2023-02-06T08:00:00+07:00"))).toBe(
      2 * H,
    );
  });

  it("counts a full working day as 8 hours and lunch as nothing", () => {
    expect(cal.workingTimeBetween(at("2023-02-06T00:00:00+07:00"), at("2023-02-07T00:00:00+07:00"))).toBe(
      8 * H,
    );
    expect(cal.workingTimeBetween(at("2023-02-06T11:30:00+07:00"), at("2023-02-06T13:30:00+07:00"))).toBe(0);
    expect(cal.workingTimeBetween(at("2023-02-06T12:00:00+07:00"), at("2023-02-06T12:00:00+07:00"))).toBe(0);
  });

  it("moves a due instant by the working time of a pause", () => {
    const due = at("2023-02-07T17:00:00+07:00");
    const moved = cal.addWorkingTime(due, 2 * H);
    expect(formatInstant(moved)).toBe("2023-02-08T09:00:00+07:00");
    expect(cal.addWorkingTime(due, 0)).toBe(due);
  });

  it("subtracts working time across nights and holidays", () => {
    expect(formatInstant(cal.subtractWorkingTime(at("2023-01-27T17:00:00+07:00"), 8 * H))).toBe(
      "2023-01-27T07:00:00+07:00",
    );
    expect(formatInstant(cal.subtractWorkingTime(at("2023-01-27T08:00:00+07:00"), 2 * H))).toBe(
      "2023-01-19T16:00:00+07:00",
    );
    expect(formatInstant(cal.subtractWorkingTime(at("2023-01-16T14:00:00+07:00"), 1 * H))).toBe(
      "2023-01-16T11:00:00+07:00",
    );
  });

  it("is the inverse of adding working time", () => {
    const start = at("2022-06-06T10:17:00+07:00");
    for (const h of [0.5, 3, 8, 17, 40, 123]) {
      const end = cal.addWorkingTime(start, h * H);
      expect(cal.workingTimeBetween(start, end)).toBe(h * H);
    }
  });
});

describe("an open office", () => {
  it("is open within a working session, not at its close, at lunch, at night or on a day off", () => {
    const open = (t: string) => cal.isOpen(at(`${t}+07:00`));
    expect(open("2023-02-06T07:00:00")).toBe(true);
    expect(open("2023-02-06T11:29:59")).toBe(true);
    expect(open("2023-02-06T11:30:00")).toBe(false);
    expect(open("2023-02-06T13:30:00")).toBe(true);
    expect(open("2023-02-06T16:59:59")).toBe(true);
    // At the close the office has closed, though a dossier received then counts as that day's.
    expect(open("2023-02-06T17:00:00")).toBe(false);
    expect(cal.isWithinOfficeHours(at("2023-02-06T17:00:00+07:00"))).toBe(true);
    expect(open("2023-02-06T06:59:59")).toBe(false);
    expect(open("2023-02-04T09:00:00")).toBe(false); // a Saturday
    expect(open("2023-01-23T09:00:00")).toBe(false); // Tết
  });

  it("is open Monday to Friday in office hours in a year without data, never a failure", () => {
    // 2027 has no data in the shipped calendar: 2027-01-04 is a Monday, 2027-01-09 a Saturday.
    expect(() => cal.isWorkingDay("2027-01-04")).toThrow(CalendarYearMissingError);
    expect(cal.isOpen(at("2027-01-04T09:00:00+07:00"))).toBe(true);
    expect(cal.isOpen(at("2027-01-04T17:00:00+07:00"))).toBe(false);
    expect(cal.isOpen(at("2027-01-09T09:00:00+07:00"))).toBe(false);
  });
});

describe("years without data", () => {
  it("is an error that says so for a 2027 deadline", () => {
    expect(() => cal.dueFrom(at("2026-12-28T09:00:00+07:00"), { days: 10 })).toThrow(
      CalendarYearMissingError,
    );
    expect(() => cal.dueFrom(at("2026-12-28T09:00:00+07:00"), { days: 10 })).toThrow(
      /no working-day calendar for 2027/,
    );
  });

  it("tells how many days of data are left, and which year is missing", () => {
    expect(cal.coverageFrom(at("2026-11-30T09:00:00+07:00"))).toEqual({ missingYear: 2027, daysLeft: 31 });
    expect(cal.coverageFrom(at("2026-12-31T23:59:00+07:00"))).toEqual({ missingYear: 2027, daysLeft: 0 });
    expect(cal.coverageFrom(at("2024-03-01T09:00:00+07:00")).missingYear).toBe(2027);
    const with2027 = WorkingCalendar.official([
      {
        years: {
          "2027": { document: "Thông báo lịch nghỉ 2027", daysOff: ["2027-01-01"], makeUpWorkingDays: [] },
        },
      },
    ]);
    expect(with2027.coverageFrom(at("2026-11-30T09:00:00+07:00"))).toEqual({
      missingYear: 2028,
      daysLeft: 396,
    });
  });

  it("computes 2026 deadlines that stay in 2026", () => {
    expect(formatInstant(cal.dueFrom(at("2026-12-21T09:00:00+07:00"), { days: 5 }))).toBe(
      "2026-12-28T17:00:00+07:00",
    );
  });
});

describe("deployment overrides", () => {
  it("adds a new holiday (24 November) without a release", () => {
    const custom = WorkingCalendar.official([
      {
        years: {
          "2026": {
            document: "Nghị quyết về Ngày Văn hóa Việt Nam 24/11",
            daysOff: ["2026-11-24"],
            makeUpWorkingDays: [],
          },
        },
      },
    ]);
    expect(cal.isWorkingDay("2026-11-24")).toBe(true);
    expect(custom.isWorkingDay("2026-11-24")).toBe(false);
    expect(custom.isWorkingDay("2026-02-16")).toBe(false);
    expect(custom.documents().find((d) => d.year === 2026)?.document).toMatch(/24\/11/);
  });

  it("adds a year in full, and replaces one", () => {
    const custom = WorkingCalendar.official([
      {
        years: {
          "2027": {
            document: "Thông báo lịch nghỉ 2027",
            daysOff: ["2027-01-01", "2027-02-04..2027-02-12"],
            makeUpWorkingDays: [],
          },
        },
      },
      { years: { "2022": { document: "tỉnh X", daysOff: [], makeUpWorkingDays: [], mode: "replace" } } },
    ]);
    expect(custom.isWorkingDay("2027-02-08")).toBe(false);
    expect(custom.isWorkingDay("2027-02-15")).toBe(true);
    expect(custom.isWorkingDay("2022-09-02")).toBe(true);
  });

  it("takes other office hours", () => {
    const custom = WorkingCalendar.official([], parseOfficeHours("07:30-11:30,13:00-17:00"));
    expect(custom.workingDayMs).toBe(8 * H);
    expect(() => parseOfficeHours("17:00-07:00")).toThrow(/increasing/);
  });

  it("refuses a range of days written backwards, which would hold no day", () => {
    const year = { document: "tỉnh X", makeUpWorkingDays: [] };
    const parse = (daysOff: string[]) =>
      CalendarDataSchema.safeParse({ years: { "2026": { ...year, daysOff } } });
    const backwards = parse(["2026-11-25..2026-11-24"]);
    expect(backwards.success).toBe(false);
    expect(backwards.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["years.2026.daysOff.0", "a range's first day must not be after its last"],
    ]);
    expect(parse(["2026-11-24..2026-11-25", "2026-11-27..2026-11-27"]).success).toBe(true);
  });
});
