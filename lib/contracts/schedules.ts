/**
 * The schedules, defined once: EventBridge Scheduler deploys them (infra/) and the local stack's
 * scheduler fires the same ones. Times are local: Asia/Ho_Chi_Minh.
 */
export const SCHEDULE_TIME_ZONE = "Asia/Ho_Chi_Minh";

export interface ScheduleDefinition {
  id: string;
  /** The function it invokes (a key of the stack's functions). */
  target: "sweep-deadlines" | "kpi-report";
  /** The event the function receives. */
  input?: Record<string, unknown>;
  /** EventBridge Scheduler expression. */
  expression: string;
  description: string;
}

/** How often the deadline sweep runs: at :00, :15, :30 and :45 of every hour. */
export const SWEEP_INTERVAL_MS = 15 * 60_000;

export const SCHEDULES: readonly ScheduleDefinition[] = [
  {
    id: "SweepDeadlines",
    target: "sweep-deadlines",
    // On the clock's quarter hours, not `rate(15 minutes)`, whose firings keep the minute the
    // schedule was created at: the morning's digests go at 07:00 and 13:30 sharp (docs/rules.md R4).
    expression: "cron(0/15 * * * ? *)",
    description: "Deadline sweep: time-driven KPI changes and department alerts, every quarter hour",
  },
  {
    id: "WeeklyKpiReport",
    target: "kpi-report",
    expression: "cron(30 7 ? * MON *)",
    input: { kind: "weekly" },
    description: "Leadership KPI email, Mondays at 07:30",
  },
  {
    id: "PeriodClose",
    target: "kpi-report",
    expression: "cron(30 0 * * ? *)",
    input: { kind: "close" },
    description: "Closes a period that has ended (once) and sends its KPI email, daily at 00:30",
  },
];

const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/**
 * Whether a `cron(...)` expression fires at a local minute: the subset the project's schedules use
 * (minutes and hours as numbers, lists, a start and a step, or *; day-of-week as a name, number or
 * ?/*), read the way
 * EventBridge Scheduler reads it in the schedule's time zone.
 */
export function cronMatches(
  expression: string,
  local: { minute: number; hour: number; weekday: number; day: number },
): boolean {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!m) throw new Error(`not a cron expression: ${expression}`);
  const [, minute, hour, dom, month, dow, year] = m as unknown as string[];
  // What the schedules here do not use (`*/15`, a range, a month, `MON#1`) is refused, never read
  // as a schedule that never fires.
  const refuse = (x: string) => {
    throw new Error(`${expression}: the local scheduler reads numbers, lists and start/step only, not ${x}`);
  };
  for (const f of [month, year]) if (f !== "*" && f !== "?") refuse(f ?? "");
  // A value, a list, or a start and a step (`0/15`: 0, 15, 30, 45).
  const field = (f: string | undefined, v: number) =>
    f === "*" ||
    f === "?" ||
    (f ?? "").split(",").some((x) => {
      if (!/^\d+(\/[1-9]\d*)?$/.test(x)) refuse(x);
      const [start, step] = x.split("/").map(Number) as [number, number | undefined];
      return step === undefined ? start === v : v >= start && (v - start) % step === 0;
    });
  const weekday = (x: string) => {
    const i = DAYS.indexOf(x);
    if (i >= 0) return i;
    if (!/^[1-7]$/.test(x)) refuse(x);
    return Number(x) - 1;
  };
  const dowOk =
    dow === "?" || dow === "*" || (dow ?? "").split(",").some((x) => weekday(x) === local.weekday);
  return field(minute, local.minute) && field(hour, local.hour) && field(dom, local.day) && dowOk;
}

/** Milliseconds between firings of a `rate(...)` expression (the local scheduler's reading). */
export function rateMs(expression: string): number {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!m) throw new Error(`not a rate expression: ${expression}`);
  const unit = (m[2] as string).startsWith("minute")
    ? 60_000
    : (m[2] as string).startsWith("hour")
      ? 3_600_000
      : 86_400_000;
  return Number(m[1]) * unit;
}
