import { calendarResult } from "./calendar/result";
import type { DossierState } from "./dossier-state";
import { type EventOf, flag, type Step } from "./projection-step";
import { apologyBreachFrom, tooManyAppointments } from "./rules";
import { instant } from "./time";

/**
 * The projection's new appointments (./projection.ts): a deadline extended with its apology
 * letter, a second one, one given too late, and the letter judged against its deadline
 * (docs/rules.md R4). The clock they are judged on is ./pauses.ts's.
 */

/** A new appointment with its apology; a second one, or one given too late, is an anomaly. */
export function extendDeadline(step: Step<EventOf<"dossier.deadline_extended">>): void {
  const { state, event, at: t } = step;
  state.extensions.push({
    at: t,
    newDueAt: instant(event.data.newDueAt),
    apologyIssued: event.data.apologyIssued,
    eventId: event.eventId,
  });
  // One new appointment only: the rule set's (Decree 61/2018/NĐ-CP Art. 19, point to verify:
  // "không quá một lần"; kept by the 2025-07-01 set of Decree 118/2025/NĐ-CP; rules.ts, docs/rules.md
  // R4).
  if (tooManyAppointments(state.receivedAt ?? t, state.extensions.length)) flag(step, "second_extension");
  // A new appointment given after the KPI due instant is given too late, the monitor's reading
  // (docs/rules.md R4) of the decree's "chậm nhất một ngày trước ngày hết hạn" for the apology
  // and the new appointment (Decree 61/2018/NĐ-CP Art. 19, point to verify; kept by the 2025-07-01 set of
  // Decree 118/2025/NĐ-CP: lib/domain/rules.ts): it stops nothing.
  // Like a late pause it leaves the dossier overdue (the KPI due instant never moves) and is
  // the same anomaly; its alert is `late_apology` (with the apology; without, `apology_missed`
  // stays), which judges the letter by the decree's day (rules.ts `apologyBreachFrom`).
  // While the clock is stopped (a pause begun in time) the time left is kept and the due instant has
  // not moved yet: an extension then is judged at the pause's start, not against the old instant.
  const judgedAt = clockTime(state, t);
  if (state.kpiDueAt !== undefined && judgedAt > state.kpiDueAt) flag(step, "late_supplement_request");
  if (event.data.apologyIssued && state.extensions.filter((e) => e.apologyIssued).length === 1)
    judgeApology(step);
  state.appointmentAt = instant(event.data.newDueAt);
}

/**
 * The apology letter (the first extension that carries one) sent after its deadline, "chậm nhất
 * một ngày trước ngày hết hạn" (Decree 61/2018/NĐ-CP Art. 19, point to verify; docs/rules.md R4):
 * the anomaly `late_apology`, counted in its period, and the alert of that name. Judged by the
 * decree's words (`apologyBreachFrom`: late from the start of the due day, the day the period's last instant falls in; the reminders'
 * working-day reading is stricter), at the letter's instant against the due instant the dossier had
 * then; while the clock is stopped the time left is kept, so the letter is judged at the pause's
 * start. A pause that moves the due instant later does not make a late letter timely.
 */
function judgeApology(step: Step<EventOf<"dossier.deadline_extended">>): void {
  const { state, settings, at: t } = step;
  const { kpiDueAt, receivedAt } = state;
  const lateFrom =
    kpiDueAt === undefined || receivedAt === undefined
      ? undefined
      : calendarResult(() => apologyBreachFrom(kpiDueAt, receivedAt, settings.calendar));
  if (!lateFrom?.ok) state.apologyUnjudged = true;
  else if (lateFrom.value !== undefined && clockTime(state, t) >= lateFrom.value) flag(step, "late_apology");
}

/** The instant the dossier's clock stands at when `t` comes: `t`, or while it is stopped, the pause's start. */
const clockTime = (state: DossierState, t: number) =>
  state.clockStopped ? (state.pauses.at(-1)?.from ?? t) : t;
