import { describe, expect, it } from "vitest";
import { cronMatches, SCHEDULES, SWEEP_INTERVAL_MS } from "../../lib/contracts/schedules";

const at = (hour: number, minute: number, weekday = 1) => ({ hour, minute, weekday, day: 7 });
const sweep = SCHEDULES.find((s) => s.id === "SweepDeadlines")?.expression ?? "";

describe("the schedules' cron expressions, read as EventBridge Scheduler reads them", () => {
  it("runs the sweep on the clock's quarter hours: the morning's digests go at 07:00 and 13:30 sharp", () => {
    const fired = Array.from({ length: 60 }, (_, m) => m).filter((m) => cronMatches(sweep, at(7, m)));
    expect(fired).toEqual([0, 15, 30, 45]);
    expect(cronMatches(sweep, at(13, 30, 3))).toBe(true);
    expect(fired.length * SWEEP_INTERVAL_MS).toBe(3_600_000);
  });

  it("reads steps, lists and values", () => {
    expect(cronMatches("cron(5/20 * * * ? *)", at(0, 45))).toBe(true);
    expect(cronMatches("cron(5/20 * * * ? *)", at(0, 0))).toBe(false);
    expect(cronMatches("cron(30 7 ? * MON *)", at(7, 30, 1))).toBe(true);
    expect(cronMatches("cron(30 7 ? * MON *)", at(7, 30, 2))).toBe(false);
    expect(cronMatches("cron(0,30 8 * * ? *)", at(8, 30))).toBe(true);
    // What it does not read is refused, never taken as a schedule that never fires.
    expect(() => cronMatches("cron(*/15 * * * ? *)", at(0, 15))).toThrow(/not \*\/15/);
    expect(() => cronMatches("cron(0-10 * * * ? *)", at(0, 5))).toThrow(/not 0-10/);
    expect(() => cronMatches("cron(0 8 ? * MON-FRI *)", at(8, 0))).toThrow(/not MON-FRI/);
    expect(() => cronMatches("cron(0 8 ? JAN MON *)", at(8, 0))).toThrow(/not JAN/);
    expect(() => cronMatches("cron(0/15/7 * * * ? *)", at(0, 0))).toThrow(/not 0\/15\/7/);
    expect(() => cronMatches("cron(30,, * * * ? *)", at(0, 0))).toThrow(/not $/);
  });
});
