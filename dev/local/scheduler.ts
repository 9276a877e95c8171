import { cronMatches, rateMs, SCHEDULES } from "../../lib/contracts/schedules";
import { localDate, localMinutes, OFFSET_MS } from "../../lib/domain/time";
import type { DemoClock } from "./clock";

export interface SchedulerOptions {
  clock: DemoClock;
  /** Runs a schedule's target now. */
  fire: (scheduleId: string) => Promise<unknown>;
  onError: (e: unknown) => void;
  /** Called on every tick with the demo clock's time, before the schedules. */
  tick?: (now: number) => void;
}

/** A cron expression whose minutes are a start and a step (`cron(0/15 * * * ? *)`). */
const everyFewMinutes = (expression: string) => /^cron\(\d+\/\d+ /.test(expression);

/**
 * The local scheduler: the deployed schedules (lib/contracts/schedules.ts), cron expressions read
 * in Asia/Ho_Chi_Minh, on the demo clock, which it starts. A schedule still running is not fired
 * again. Returns the function that stops it.
 */
export function startScheduler(options: SchedulerOptions): () => void {
  const { clock, fire, onError } = options;
  const now = clock.now;
  const lastRate = new Map<string, number>();
  let lastMinute = Math.floor(now() / 60_000);
  const busy = new Set<string>();
  const run = (id: string) => {
    if (busy.has(id)) return;
    busy.add(id);
    void fire(id)
      .catch(onError)
      .finally(() => busy.delete(id));
  };
  clock.start();
  // What runs every few minutes (the sweep) runs once at the start too, so a fresh stack's alerts
  // do not wait for the clock's next quarter hour.
  for (const s of SCHEDULES)
    if (s.expression.startsWith("rate(") || everyFewMinutes(s.expression)) {
      lastRate.set(s.id, now());
      run(s.id);
    }
  const timer = setInterval(() => {
    const t = now();
    options.tick?.(t);
    for (const s of SCHEDULES) {
      if (s.expression.startsWith("rate(")) {
        if (t - (lastRate.get(s.id) ?? t) >= rateMs(s.expression)) {
          lastRate.set(s.id, t);
          run(s.id);
        }
        continue;
      }
      for (let m = lastMinute + 1; m <= Math.floor(t / 60_000); m++) {
        const at = m * 60_000;
        const local = {
          minute: localMinutes(at) % 60,
          hour: Math.floor(localMinutes(at) / 60),
          weekday: new Date(at + OFFSET_MS).getUTCDay(),
          day: Number(localDate(at).slice(8)),
        };
        if (cronMatches(s.expression, local)) run(s.id);
      }
    }
    lastMinute = Math.floor(t / 60_000);
  }, 250);
  return () => clearInterval(timer);
}
