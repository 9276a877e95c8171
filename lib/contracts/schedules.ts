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

export const SCHEDULES: readonly ScheduleDefinition[] = [
  {
    id: "SweepDeadlines",
    target: "sweep-deadlines",
    expression: "rate(15 minutes)",
    description: "Deadline sweep: time-driven KPI changes and department alerts, every 15 minutes",
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
 * (minutes and hours as numbers or *, day-of-week as a name, number or ?/*), read the way
 * EventBridge Scheduler reads it in the schedule's time zone.
 */
export function cronMatches(
  expression: string,
  local: { minute: number; hour: number; weekday: number; day: number },
): boolean {
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (!m) throw new Error(`not a cron expression: ${expression}`);
  const [, minute, hour, dom, , dow] = m as unknown as string[];
  const field = (f: string | undefined, v: number) =>
    f === "*" || f === "?" || (f ?? "").split(",").some((x) => Number(x) === v);
  const dowOk =
    dow === "?" ||
    dow === "*" ||
    (dow ?? "").split(",").some((x) => DAYS.indexOf(x) === local.weekday || Number(x) - 1 === local.weekday);
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
