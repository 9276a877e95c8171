/**
 * The schedules, defined once: EventBridge Scheduler deploys them (infra/) and the local stack's
 * scheduler fires the same ones. Times are local: Asia/Ho_Chi_Minh.
 */
export const SCHEDULE_TIME_ZONE = "Asia/Ho_Chi_Minh";

export interface ScheduleDefinition {
  id: string;
  /** The function it invokes (a key of the stack's functions). */
  target: "sweep-deadlines";
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
];

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
