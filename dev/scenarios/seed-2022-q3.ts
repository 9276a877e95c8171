import { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { type Procedure, SEED_PROCEDURES } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { explicitPeriod, periodBounds } from "../../lib/domain/periods";
import {
  DAY_MS,
  formatInstant,
  HOUR_MS,
  localDate,
  MINUTE_MS,
  startOfLocalDate,
} from "../../lib/domain/time";
import type { ScenarioName } from "./names";
import { mulberry32, pick, type Rng, shuffleInPlace } from "./rng";
import { ONE_STOP_DESK, SEED_UNITS, type SeedUnit } from "./seed-office";

/**
 * `seed-2022-q3`: a realistic, deterministic data set for the seed report's window
 * 2022-06-06 .. 2022-09-05, built so that its report is exactly the seed's figures: received 5,520
 * (direct 5,518, online 2), resolved 4,745 (on time or early 4,400, late 345), pending 775 (within
 * the deadline 660, overdue 115). Late and overdue dossiers pile up in land; social-protection
 * dossiers handed over at communes are never closed. Around them: transfers (from the one-stop
 * desk, and inter-agency), supplement pauses, apology extensions (and a few second ones),
 * duplicates, orphans, dossiers closed before the window, events and new dossiers after it, and
 * the seed's 64 kiosk ratings from 2022-08-05 (no complaints, as the seed records none).
 * The seed changes every detail but none of the figures.
 */

export const SEED_PERIOD = explicitPeriod("2022-06-06", "2022-09-05", "seed-2022-q3");

type Category = "ok" | "late" | "overdue" | "within";

interface Options {
  seed?: number;
}

const PROCEDURES = new Map(SEED_PROCEDURES.map((p) => [p.code, p]));
const CALENDAR = WorkingCalendar.official();
const { start: WS, end: WE } = periodBounds(SEED_PERIOD);
const AGENCY = "000.30.32.H48";
/**
 * The seed report (Bình Sơn district office, quarter III 2022): the electronic rating devices at
 * the one-stop desk were installed and put into use on 05/08/2022, and recorded 64 ratings in the
 * quarter. It records no complaint (phản ánh, kiến nghị) about dossiers, so the scenario has none.
 */
const RATINGS_FROM = startOfLocalDate("2022-08-05");
const RATINGS_IN_WINDOW = 64;

class Builder {
  readonly events: DossierEvent[] = [];
  /** Kiosk ratings emitted in the window (at most {@link RATINGS_IN_WINDOW}). */
  ratings = 0;
  private seq = 0;
  private readonly perDay = new Map<string, number>();
  constructor(readonly rng: Rng) {}

  dossierId(receivedAt: number): string {
    const day = localDate(receivedAt);
    const n = (this.perDay.get(day) ?? 0) + 1;
    this.perDay.set(day, n);
    return `${AGENCY}-${day.slice(2).replaceAll("-", "")}-${String(n).padStart(4, "0")}`;
  }

  emit(dossierId: string, at: number, type: DossierEvent["type"], data: object, prefix = "igate"): void {
    this.seq++;
    this.events.push({
      eventId: `${prefix}-${String(this.seq).padStart(6, "0")}`,
      type,
      occurredAt: formatInstant(at),
      dossierId,
      data,
    } as DossierEvent);
  }

  /** A working instant in [a, b], on a whole minute; `undefined` when there is no working time in between. */
  workingInstant(a: number, b: number): number | undefined {
    const wt = CALENDAR.workingTimeBetween(a, b);
    if (wt < MINUTE_MS) return undefined;
    const offset = Math.floor((this.rng() * wt) / MINUTE_MS) * MINUTE_MS;
    return Math.min(b, CALENDAR.addWorkingTime(a, Math.max(offset, MINUTE_MS)));
  }
}

function ceilMinute(ms: number): number {
  return Math.ceil(ms / MINUTE_MS) * MINUTE_MS;
}

interface Plan {
  unit: SeedUnit;
  procedure: Procedure;
  category: Category;
  online: boolean;
  /** Social-protection dossier handed over at a commune and never closed in the software. */
  neverClosed: boolean;
}

/** Receipt, pause and due instant of a dossier, chosen for its category. */
interface Timing {
  receivedAt: number;
  baseDue: number;
  pause?: { from: number; to: number; explicitDue: boolean };
  kpiDue: number;
  /** For `within` dossiers paused across the window's end. */
  pausedAtEnd?: number;
}

function chooseTiming(b: Builder, plan: Plan): Timing | undefined {
  const { rng } = b;
  const period = { days: plan.procedure.days, hours: plan.procedure.hours, sameDay: plan.procedure.sameDay };
  let receivedAt: number | undefined;
  if (plan.category === "within") {
    // Received late enough that its due instant falls after the window, or paused across its end.
    const span = (plan.procedure.days ?? 1) * 1.6 + 4;
    receivedAt = b.workingInstant(Math.max(WS, WE - span * DAY_MS), WE - 2 * HOUR_MS);
  } else {
    receivedAt = b.workingInstant(WS, WE - 2 * HOUR_MS);
  }
  if (receivedAt === undefined) return undefined;
  const baseDue = CALENDAR.dueFrom(receivedAt, period, { cutoff: plan.procedure.cutoff });
  const timing: Timing = { receivedAt, baseDue, kpiDue: baseDue };
  if (plan.category === "within") {
    if (baseDue > WE) return timing;
    // Asked within the processing time: a request after the due instant would make the dossier
    // overdue for the national index (2.1 judges a waiting dossier at its request).
    const from = b.workingInstant(receivedAt + HOUR_MS, Math.min(baseDue, WE) - HOUR_MS);
    if (from === undefined) return undefined;
    timing.pausedAtEnd = from;
    return timing;
  }
  const pauseShare = plan.procedure.domain === "dat-dai" ? 0.2 : 0.1;
  if (plan.procedure.days !== undefined && rng() < pauseShare) {
    const from = b.workingInstant(receivedAt + HOUR_MS, Math.min(baseDue, WE - 3 * DAY_MS));
    if (from !== undefined) {
      const to = ceilMinute(
        CALENDAR.addWorkingTime(from, Math.ceil(rng() * 5) * CALENDAR.workingDayMs * 0.9),
      );
      const kpiDue = CALENDAR.addWorkingTime(baseDue, CALENDAR.workingTimeBetween(from, to));
      timing.pause = { from, to, explicitDue: rng() < 0.3 };
      timing.kpiDue = kpiDue;
    }
  }
  return timing;
}

/** The instant the dossier is resolved, or `undefined` when it stays pending at the window's end. */
function chooseResolution(b: Builder, plan: Plan, t: Timing): number | null | undefined {
  const after = Math.max(t.receivedAt, t.pause?.to ?? 0) + 30 * MINUTE_MS;
  switch (plan.category) {
    case "ok": {
      if (t.kpiDue <= after) return undefined;
      // Most resolve well ahead; some on the due date itself.
      const onDueDate = b.rng() < 0.25 ? Math.max(after, startOfLocalDate(localDate(t.kpiDue))) : after;
      return b.workingInstant(onDueDate, Math.min(t.kpiDue, WE));
    }
    case "late": {
      if (t.kpiDue >= WE - DAY_MS) return undefined;
      const lateBy = (1 + Math.floor(b.rng() * 8)) * CALENDAR.workingDayMs;
      return b.workingInstant(
        Math.max(after, t.kpiDue + MINUTE_MS),
        Math.min(CALENDAR.addWorkingTime(t.kpiDue, lateBy), WE),
      );
    }
    case "overdue":
      return t.kpiDue < WE - HOUR_MS && (t.pause?.to ?? 0) < WE ? null : undefined;
    case "within":
      return null;
  }
}

function generateDossier(b: Builder, plan: Plan): boolean {
  const { rng } = b;
  const timing = chooseTiming(b, plan);
  if (!timing) return false;
  const resolvedAt = chooseResolution(b, plan, timing);
  if (resolvedAt === undefined) return false;
  const { receivedAt, pause, kpiDue } = timing;
  const id = b.dossierId(receivedAt);
  const viaDesk = rng() < 0.3;
  const interAgency = plan.unit.id === "cn-vpdk-dat-dai" && !viaDesk && rng() < 0.12;
  const handOver = CALENDAR.addWorkingTime(receivedAt, (1 + Math.floor(rng() * 90)) * MINUTE_MS);
  const transfers = (viaDesk || interAgency) && handOver < Math.min(resolvedAt ?? WE, WE, pause?.from ?? WE);
  const firstUnit = !transfers ? plan.unit.id : viaDesk ? ONE_STOP_DESK.id : "phong-tnmt";
  const explicit = plan.procedure.days !== undefined && rng() < 0.5;
  b.emit(id, receivedAt, "dossier.received", {
    unitId: firstUnit,
    procedureCode: plan.procedure.code,
    channel: plan.online ? "online" : "direct",
    ...(explicit
      ? { dueAt: formatInstant(timing.baseDue) }
      : plan.procedure.days !== undefined
        ? { processingDays: plan.procedure.days }
        : plan.procedure.hours !== undefined
          ? { processingHours: plan.procedure.hours }
          : {}),
    domain: plan.procedure.domain,
    level: "district",
  });
  if (transfers) {
    b.emit(id, handOver, "dossier.transferred", {
      toUnitId: plan.unit.id,
      ...(interAgency ? { interAgency: true } : {}),
    });
  }
  if (pause) {
    b.emit(id, pause.from, "dossier.supplement_requested", { reason: "Thiếu bản sao giấy tờ theo quy định" });
    b.emit(
      id,
      pause.to,
      "dossier.supplement_received",
      pause.explicitDue ? { dueAt: formatInstant(kpiDue) } : {},
    );
  }
  if (timing.pausedAtEnd !== undefined) {
    b.emit(id, timing.pausedAtEnd, "dossier.supplement_requested", { reason: "Bổ sung hồ sơ" });
    const back = b.workingInstant(WE + 1, WE + 12 * DAY_MS) ?? WE + 2 * DAY_MS;
    b.emit(id, back, "dossier.supplement_received", {});
  }
  // Apology letters with a new appointment for dossiers that run late, sent about a day ahead.
  const late = plan.category === "late" || plan.category === "overdue";
  if (late && rng() < 0.75) {
    const notice = Math.max(receivedAt + 10 * MINUTE_MS, kpiDue - DAY_MS, pause?.to ?? 0);
    if (notice < Math.min(resolvedAt ?? WE, WE)) {
      const newDue = CALENDAR.addWorkingDays(kpiDue, 3 + Math.floor(rng() * 5));
      b.emit(id, notice + MINUTE_MS, "dossier.deadline_extended", {
        newDueAt: formatInstant(newDue),
        apologyIssued: rng() < 0.9,
      });
      if (rng() < 0.06 && newDue + DAY_MS < Math.min(resolvedAt ?? WE, WE)) {
        b.emit(id, newDue - 2 * HOUR_MS, "dossier.deadline_extended", {
          newDueAt: formatInstant(CALENDAR.addWorkingDays(newDue, 5)),
          apologyIssued: true,
        });
      }
    }
  }
  let closedAt = resolvedAt;
  if (resolvedAt === null) {
    // Pending at the window's end: most are resolved in the following weeks; social-protection
    // dossiers handed over at communes are never closed in the software.
    if (!plan.neverClosed && rng() < 0.8) {
      const from = Math.max(WE + 1, timing.pausedAtEnd !== undefined ? WE + 13 * DAY_MS : WE + 1);
      closedAt = b.workingInstant(from, from + 30 * DAY_MS) ?? null;
      if (closedAt !== null && rng() < 0.03) {
        b.emit(id, closedAt, "dossier.withdrawn", { reason: "Người nộp rút hồ sơ" });
        return true;
      }
      if (closedAt !== null) b.emit(id, closedAt, "dossier.resolved", { outcome: "approved" });
    }
  } else {
    b.emit(id, resolvedAt, "dossier.resolved", { outcome: rng() < 0.97 ? "approved" : "denied" });
  }
  if (closedAt !== null && closedAt !== undefined && rng() < 0.85) {
    const returnedAt = CALENDAR.addWorkingTime(closedAt, (30 + Math.floor(rng() * 600)) * MINUTE_MS);
    b.emit(id, returnedAt, "dossier.returned", {});
    if (rng() < 0.35) {
      // The draws stay as they were, so every other detail of the scenario stays the same; only
      // ratings the seed report records are emitted (see RATINGS_FROM).
      const score = pick(rng, [5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 2, 1]);
      const ratedAt = returnedAt + 3 * MINUTE_MS;
      if (ratedAt >= RATINGS_FROM && ratedAt <= WE && b.ratings < RATINGS_IN_WINDOW) {
        b.ratings++;
        b.emit(id, ratedAt, "dossier.rated", { score, channel: "kiosk" }, "kiosk");
      }
    }
    // A few back-office systems keep sending after the close: kept and reported as anomalies.
    if (rng() < 0.004) b.emit(id, returnedAt + DAY_MS, "dossier.transferred", { toUnitId: ONE_STOP_DESK.id });
  }
  return true;
}

/** Dossiers received and closed before the window: counted in none of its figures. */
function generateBefore(b: Builder, count: number): void {
  const from = startOfLocalDate("2022-04-18");
  const until = startOfLocalDate("2022-06-03") + 17 * HOUR_MS;
  for (let i = 0; i < count; i++) {
    const unit = pick(b.rng, SEED_UNITS);
    const procedure = PROCEDURES.get(pick(b.rng, unit.procedures)) as Procedure;
    const receivedAt = b.workingInstant(from, from + 30 * DAY_MS) as number;
    const due = CALENDAR.dueFrom(receivedAt, procedure);
    const closedAt = b.workingInstant(receivedAt + HOUR_MS, Math.min(due + 3 * DAY_MS, until));
    if (closedAt === undefined) continue;
    const id = b.dossierId(receivedAt);
    b.emit(id, receivedAt, "dossier.received", {
      unitId: unit.id,
      procedureCode: procedure.code,
      channel: "direct",
      ...(procedure.days !== undefined
        ? { processingDays: procedure.days }
        : procedure.hours !== undefined
          ? { processingHours: procedure.hours }
          : {}),
      domain: procedure.domain,
      level: "district",
    });
    if (b.rng() < 0.05) b.emit(id, closedAt, "dossier.withdrawn", {});
    else b.emit(id, closedAt, "dossier.resolved", { outcome: "approved" });
  }
}

/** New dossiers received after the window (the next period's). */
function generateAfter(b: Builder, count: number): void {
  for (let i = 0; i < count; i++) {
    const unit = pick(b.rng, SEED_UNITS);
    const procedure = PROCEDURES.get(pick(b.rng, unit.procedures)) as Procedure;
    const receivedAt = b.workingInstant(WE + 1, WE + 14 * DAY_MS) as number;
    const id = b.dossierId(receivedAt);
    b.emit(id, receivedAt, "dossier.received", {
      unitId: unit.id,
      procedureCode: procedure.code,
      channel: b.rng() < 0.05 ? "online" : "direct",
      domain: procedure.domain,
      level: "district",
    });
    const due = CALENDAR.dueFrom(receivedAt, procedure);
    const resolvedAt = b.workingInstant(receivedAt + HOUR_MS, due);
    if (resolvedAt !== undefined && b.rng() < 0.6)
      b.emit(id, resolvedAt, "dossier.resolved", { outcome: "approved" });
  }
}

/** Events of dossiers the monitor never saw received (back-fill gaps): kept as orphans, not counted. */
function generateOrphans(b: Builder): void {
  for (let i = 1; i <= 4; i++) {
    const at = b.workingInstant(WS, WE) as number;
    const id = `${AGENCY}-220501-${String(9000 + i)}`;
    if (i % 2) b.emit(id, at, "dossier.rated", { score: 4, channel: "kiosk" }, "kiosk");
    else b.emit(id, at, "dossier.resolved", { outcome: "approved" });
  }
}

/** The events of the scenario, in delivery order: mostly by time, some late, some twice. */
export function seed2022Q3(options: Options = {}): DossierEvent[] {
  const rng = mulberry32(options.seed ?? 2022);
  const b = new Builder(rng);
  generateBefore(b, 180);
  const plans: Plan[] = [];
  for (const unit of SEED_UNITS) {
    const { received, late, overdue, within } = unit.plan;
    const categories: Category[] = [
      ...Array<Category>(late).fill("late"),
      ...Array<Category>(overdue).fill("overdue"),
      ...Array<Category>(within).fill("within"),
      ...Array<Category>(received - late - overdue - within).fill("ok"),
    ];
    for (const category of categories) {
      const procedure = PROCEDURES.get(pick(rng, unit.procedures)) as Procedure;
      plans.push({ unit, procedure, category, online: false, neverClosed: false });
    }
  }
  // The two online dossiers of the quarter: household-business registrations resolved in time.
  const online = plans.filter((p) => p.unit.id === "phong-tckh" && p.category === "ok").slice(0, 2);
  for (const p of online) p.online = true;
  // Social-protection dossiers handed over at communes and never closed in the software.
  for (const p of plans
    .filter((p) => p.unit.id === "phong-ldtbxh" && p.category === "overdue")
    .slice(0, 20)) {
    p.neverClosed = true;
  }
  shuffleInPlace(rng, plans);
  for (const plan of plans) {
    let done = false;
    for (let attempt = 0; attempt < 200 && !done; attempt++) done = generateDossier(b, plan);
    if (!done)
      throw new Error(`seed scenario: could not place a ${plan.category} dossier of ${plan.unit.id}`);
  }
  generateAfter(b, 150);
  generateOrphans(b);

  const ordered = [...b.events].sort((x, y) => Date.parse(x.occurredAt) - Date.parse(y.occurredAt));
  // At-least-once delivery: about 3% of events come twice, the copy up to 500 places away.
  const out: DossierEvent[] = [];
  for (const event of ordered) {
    out.push(event);
    if (rng() < 0.03)
      out.splice(Math.floor(out.length - 1 - rng() * Math.min(out.length - 1, 500)), 0, event);
  }
  // Back-filled events arrive out of order: move 1% of them to a random earlier position.
  for (let i = 0; i < out.length / 100; i++) {
    const from = Math.floor(rng() * out.length);
    const [moved] = out.splice(from, 1);
    if (moved) out.splice(Math.floor(rng() * (from + 1)), 0, moved);
  }
  return out;
}

export const SCENARIOS: Record<ScenarioName, typeof seed2022Q3> = {
  "seed-2022-q3": seed2022Q3,
};
export type { ScenarioName };
