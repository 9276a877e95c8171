import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { calendarResult, WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { formatInstant, instant } from "../../lib/domain/time";

// The calendar under the rules of docs/rules.md (R1 receipt, R2 fractions, R6 missing years) and the
// deadlines alerts count back from; the data and working-time basics are in calendar.test.ts.
const cal = WorkingCalendar.official();
const at = (s: string) => instant(s);
const H = 3_600_000;

describe("receipt instant (docs/rules.md R1)", () => {
  const due = (received: string, days: number, options?: Parameters<typeof cal.dueFrom>[2]) =>
    formatInstant(cal.dueFrom(at(received), { days }, options));

  it("counts an online dossier sent after Friday's close from the next session", () => {
    expect(due("2022-07-08T17:01:00+07:00", 3)).toBe("2022-07-14T17:00:00+07:00");
    expect(due("2022-07-08T16:59:00+07:00", 3)).toBe("2022-07-13T17:00:00+07:00");
    expect(due("2022-07-09T10:00:00+07:00", 1)).toBe("2022-07-12T17:00:00+07:00");
  });

  it("shows the deemed receipt instant", () => {
    expect(formatInstant(cal.receiptInstant(at("2022-07-08T17:01:00+07:00")))).toBe(
      "2022-07-11T07:00:00+07:00",
    );
    expect(formatInstant(cal.receiptInstant(at("2022-07-09T10:00:00+07:00")))).toBe(
      "2022-07-11T07:00:00+07:00",
    );
    // Lunch: the afternoon session. The close itself is still within the day's hours.
    expect(formatInstant(cal.receiptInstant(at("2022-07-08T12:10:00+07:00")))).toBe(
      "2022-07-08T13:30:00+07:00",
    );
    expect(formatInstant(cal.receiptInstant(at("2022-07-08T17:00:00+07:00")))).toBe(
      "2022-07-08T17:00:00+07:00",
    );
    // A holiday: Quốc khánh 2022 is 09-01..09-04.
    expect(formatInstant(cal.receiptInstant(at("2022-09-01T09:00:00+07:00")))).toBe(
      "2022-09-05T07:00:00+07:00",
    );
    expect(cal.receiptInstant(at("2022-07-09T10:00:00+07:00"), { afterHoursReceipt: "as-is" })).toBe(
      at("2022-07-09T10:00:00+07:00"),
    );
  });

  it("counts from the arrival instant when the deployment says as-is", () => {
    expect(due("2022-07-08T17:01:00+07:00", 3, { afterHoursReceipt: "as-is" })).toBe(
      "2022-07-13T17:00:00+07:00",
    );
    expect(due("2022-07-09T10:00:00+07:00", 1, { afterHoursReceipt: "as-is" })).toBe(
      "2022-07-11T17:00:00+07:00",
    );
  });

  it("applies a procedure's cut-off: after 15:00, received the next working day", () => {
    const hours = (received: string, h: number, cutoff?: string) =>
      formatInstant(cal.dueFrom(at(received), { hours: h }, { cutoff }));
    expect(hours("2022-07-08T15:01:00+07:00", 4, "15:00")).toBe("2022-07-11T11:00:00+07:00");
    expect(hours("2022-07-08T15:00:00+07:00", 4, "15:00")).toBe("2022-07-11T09:00:00+07:00");
    expect(hours("2022-07-08T15:01:00+07:00", 4)).toBe("2022-07-11T09:01:00+07:00");
    expect(due("2022-07-07T15:30:00+07:00", 1, { cutoff: "15:00" })).toBe("2022-07-11T17:00:00+07:00");
    expect(() => cal.receiptInstant(at("2022-07-07T15:30:00+07:00"), { cutoff: "3pm" })).toThrow(/HH:MM/);
  });
});

describe("fractional days (docs/rules.md R2)", () => {
  it("adds the fraction as office hours after the whole-day due", () => {
    expect(formatInstant(cal.dueFrom(at("2023-02-06T09:00:00+07:00"), { days: 1.5 }))).toBe(
      "2023-02-08T11:00:00+07:00",
    );
    expect(formatInstant(cal.dueFrom(at("2023-02-06T09:00:00+07:00"), { days: 1 }))).toBe(
      "2023-02-07T17:00:00+07:00",
    );
  });

  const instants = fc
    .integer({ min: at("2022-01-01T00:00:00+07:00"), max: at("2026-11-30T23:59:00+07:00") })
    .map((ms) => Math.floor(ms / 60_000) * 60_000);
  const mode = fc.constantFrom<"next-session" | "as-is">("next-session", "as-is");

  it("never gives an earlier due instant for more days", () => {
    fc.assert(
      fc.property(
        instants,
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        fc.double({ min: 0.01, max: 20, noNaN: true }),
        mode,
        (received, a, b, afterHoursReceipt) => {
          const [d1, d2] = a < b ? [a, b] : [b, a];
          const opts = { afterHoursReceipt };
          expect(cal.dueFrom(received, { days: d1 }, opts)).toBeLessThanOrEqual(
            cal.dueFrom(received, { days: d2 }, opts),
          );
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never gives an earlier due instant for whole days around a fraction", () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 0, max: 15 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (received, whole, fraction) => {
          const lower = cal.dueFrom(received, { days: whole + fraction });
          const upper = cal.dueFrom(received, { days: whole + 1 });
          expect(lower).toBeLessThanOrEqual(upper);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never gives an earlier due instant for more hours", () => {
    fc.assert(
      fc.property(
        instants,
        fc.double({ min: 0.01, max: 160, noNaN: true }),
        fc.double({ min: 0.01, max: 160, noNaN: true }),
        mode,
        (received, a, b, afterHoursReceipt) => {
          const [h1, h2] = a < b ? [a, b] : [b, a];
          const opts = { afterHoursReceipt };
          expect(cal.dueFrom(received, { hours: h1 }, opts)).toBeLessThanOrEqual(
            cal.dueFrom(received, { hours: h2 }, opts),
          );
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe("a year without data as a value (docs/rules.md R6)", () => {
  it("answers no_calendar with the year, and the due instant otherwise", () => {
    const missing = cal.tryDueFrom(at("2026-12-28T09:00:00+07:00"), { days: 10 });
    expect(missing).toMatchObject({ ok: false, error: { kind: "no_calendar", year: 2027 } });
    const found = cal.tryDueFrom(at("2026-12-21T09:00:00+07:00"), { days: 5 });
    expect(found).toEqual({ ok: true, value: at("2026-12-28T17:00:00+07:00") });
  });

  it("answers no_calendar for a receipt instant deemed into the missing year", () => {
    const r = calendarResult(() => cal.receiptInstant(at("2026-12-31T18:00:00+07:00")));
    expect(r).toMatchObject({ ok: false, error: { kind: "no_calendar", year: 2027 } });
  });

  it("throws on anything else", () => {
    expect(() => cal.tryDueFrom(at("2022-07-08T09:00:00+07:00"), {})).toThrow(/days, hours or sameDay/);
  });
});

describe("deadlines before a due instant", () => {
  it("gives the close of the day before rather than the next opening", () => {
    expect(formatInstant(cal.deadlineBefore(at("2022-07-14T17:00:00+07:00"), 8 * H))).toBe(
      "2022-07-13T17:00:00+07:00",
    );
    expect(formatInstant(cal.deadlineBefore(at("2022-07-14T17:00:00+07:00"), 16 * H))).toBe(
      "2022-07-12T17:00:00+07:00",
    );
    expect(formatInstant(cal.deadlineBefore(at("2022-07-13T17:00:00+07:00"), 4 * H))).toBe(
      "2022-07-13T11:00:00+07:00",
    );
    expect(formatInstant(cal.deadlineBefore(at("2022-07-14T09:00:00+07:00"), 8 * H))).toBe(
      "2022-07-13T09:00:00+07:00",
    );
    // Over a weekend: Monday 17:00 less a day is Friday 17:00.
    expect(formatInstant(cal.deadlineBefore(at("2022-07-11T17:00:00+07:00"), 8 * H))).toBe(
      "2022-07-08T17:00:00+07:00",
    );
  });
});
