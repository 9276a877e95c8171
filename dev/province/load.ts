import { validOn } from "../../lib/domain/agencies";
import type { WorkingCalendar } from "../../lib/domain/calendar/calendar";
import { type Procedure, SEED_PROCEDURES } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import {
  addDays,
  HOUR_MS,
  type LocalDate,
  localDate,
  MINUTE_MS,
  startOfLocalDate,
} from "../../lib/domain/time";
import { type Unit, UnitDirectory } from "../../lib/domain/units";
import { levelOfUnit } from "../../lib/http/dvcqg-snapshot";
import { mulberry32, type Rng } from "../scenarios/rng";

/**
 * A province's load at one instant, for the bench's province section: `open` dossiers
 * still open at `at`, as a province that has run for a while holds them, and a history of closed
 * dossiers since `from` (a few per unit and quarter) so that every unit has its counters in every
 * quarter of the history. Deterministic for a seed; every event at or before `at`.
 *
 * The open dossiers come from a steady flow: receipts spread evenly over working time, each
 * dossier taking a share of its allowed time (most within it, about one in seven late, a few stuck
 * for long); those still open at `at` and short of their first alert are kept (see
 * {@link openDossiers}), so the older an open dossier, the rarer, as in a real office. Their
 * procedures are the seed catalog's with a period in days or hours.
 */
export interface ProvinceLoadOptions {
  units: readonly Unit[];
  calendar: WorkingCalendar;
  seed: number;
  /** The instant the load is as of. */
  at: number;
  /** Dossiers open at `at`. */
  open: number;
  /** The history's first day. */
  from: LocalDate;
  /** Closed dossiers per unit and calendar quarter (in which the unit is valid) of the history. */
  closedPerUnitQuarter: number;
  /**
   * The order of the dossiers in the load: `unit` (default) lists each unit's dossiers together, as
   * one unit's export would, so that the import packs a unit's dossiers with its few counter items
   * in one transaction; `drawn` keeps them in the order drawn (units mixed: most dossiers of a
   * transaction add to a counter item of their own, and concurrent transactions share some).
   */
  order?: "unit" | "drawn";
}

/** Procedures with a period in days or hours (same-day ones left out: their timeline is another). */
const PROCEDURES = SEED_PROCEDURES.filter((p) => p.days !== undefined || p.hours !== undefined);

/** The share of its allowed time a dossier takes: 55 % early, 30 % near the end, 10 % late, 5 % stuck. */
function shareTaken(rnd: Rng): number {
  const r = rnd();
  if (r < 0.55) return 0.1 + rnd() * 0.6;
  if (r < 0.85) return 0.7 + rnd() * 0.3;
  if (r < 0.95) return 1 + rnd() * 0.6;
  return 1.6 + rnd() * 2.4;
}

interface Drawn {
  unit: Unit;
  procedure: Procedure;
  receivedAt: number;
}

function receivedEvent(d: Drawn, dossierId: string, units: UnitDirectory, rnd: Rng): DossierEvent {
  const level = levelOfUnit(units, d.unit.id);
  return {
    eventId: `${dossierId}.e0`,
    type: "dossier.received",
    occurredAt: new Date(d.receivedAt).toISOString(),
    dossierId,
    data: {
      unitId: d.unit.id,
      procedureCode: d.procedure.code,
      channel: rnd() < 0.35 ? "online" : "direct",
      domain: d.procedure.domain,
      ...(level ? { level } : {}),
      ...(d.procedure.days !== undefined
        ? { processingDays: d.procedure.days }
        : { processingHours: d.procedure.hours as number }),
    },
  };
}

/** The working time a procedure allows. */
function allowedMs(p: Procedure, calendar: WorkingCalendar): number {
  return p.days !== undefined ? p.days * calendar.workingDayMs : (p.hours as number) * HOUR_MS;
}

/**
 * When a dossier received at `receivedAt` is near due (its first alert): its due instant less 16
 * working hours, or half the time allowed when that is shorter (lib/domain/alerts.ts defaults).
 */
function nearDueAt(p: Procedure, receivedAt: number, calendar: WorkingCalendar): number {
  const due = calendar.dueFrom(receivedAt, p.days !== undefined ? { days: p.days } : { hours: p.hours });
  const half = Math.round(calendar.workingTimeBetween(receivedAt, due) / 2 / MINUTE_MS) * MINUTE_MS;
  return calendar.deadlineBefore(due, Math.min(16 * HOUR_MS, half));
}

/**
 * The dossiers open at `at`, drawn from the steady flow until `open` of them are still open and
 * short of their first alert (near due): a table a running sweep has kept up with holds the
 * others with their alerts raised, which an import cannot give them (the sweep raises them), so
 * they are left out and counted in `olderLeftOut`. `receipts` is the flow's size: every dossier
 * drawn, kept or not, received over the last 60 working days.
 */
export function openDossiers(
  o: ProvinceLoadOptions,
  rnd: Rng,
  units: UnitDirectory,
): { events: DossierEvent[]; receipts: number; olderLeftOut: number } {
  const valid = o.units.filter((u) => validOn(u, localDate(o.at)));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const horizonDays = 60;
  const events: DossierEvent[] = [];
  const width = String(o.open).length;
  let receipts = 0;
  let olderLeftOut = 0;
  for (let n = 0; n < o.open; receipts++) {
    const procedure = pick(PROCEDURES);
    const allowed = allowedMs(procedure, o.calendar);
    const age = Math.floor((rnd() * horizonDays * o.calendar.workingDayMs) / MINUTE_MS) * MINUTE_MS;
    if (age >= shareTaken(rnd) * allowed) continue;
    const receivedAt = o.calendar.subtractWorkingTime(o.at, age);
    if (nearDueAt(procedure, receivedAt, o.calendar) <= o.at) {
      olderLeftOut++;
      continue;
    }
    const dossierId = `PV-${String(n++).padStart(width, "0")}`;
    const d = { unit: pick(valid), procedure, receivedAt };
    events.push(receivedEvent(d, dossierId, units, rnd));
    // One in 25 waits for the applicant's supplement (its clock paused).
    if (rnd() < 0.04 && age > HOUR_MS)
      events.push({
        eventId: `${dossierId}.e1`,
        type: "dossier.supplement_requested",
        occurredAt: new Date(d.receivedAt + HOUR_MS).toISOString(),
        dossierId,
        data: { pauseKind: "supplement" },
      });
  }
  return { events, receipts: receipts / horizonDays, olderLeftOut };
}

/** The history: closed dossiers, `closedPerUnitQuarter` per unit and quarter, each closed before `at`. */
export function closedDossiers(o: ProvinceLoadOptions, rnd: Rng, units: UnitDirectory): DossierEvent[] {
  const events: DossierEvent[] = [];
  // Receipts end 40 days before `at`, so that every one of them is closed by then.
  const last = addDays(localDate(o.at), -40);
  let n = 0;
  for (const [start, end] of quarters(o.from, last)) {
    const days: LocalDate[] = [];
    for (let d = start; d <= end; d = addDays(d, 1)) if (o.calendar.isWorkingDay(d)) days.push(d);
    for (const unit of o.units) {
      const open = days.filter((d) => validOn(unit, d));
      for (let k = 0; open.length > 0 && k < o.closedPerUnitQuarter; k++) {
        const day = open[Math.floor(rnd() * open.length)] as LocalDate;
        const procedure = PROCEDURES[Math.floor(rnd() * PROCEDURES.length)] as Procedure;
        // 07:01 to 16:00 of that day, in office hours.
        const minutes = 1 + Math.floor(rnd() * 419);
        const receivedAt = o.calendar.addWorkingTime(startOfLocalDate(day), minutes * MINUTE_MS);
        const dossierId = `PH-${start.slice(0, 7)}-${n++}`;
        events.push(receivedEvent({ unit, procedure, receivedAt }, dossierId, units, rnd));
        const took = (0.2 + rnd()) * allowedMs(procedure, o.calendar);
        events.push({
          eventId: `${dossierId}.e1`,
          type: "dossier.resolved",
          occurredAt: new Date(Math.min(o.calendar.addWorkingTime(receivedAt, took), o.at)).toISOString(),
          dossierId,
          data: { outcome: "approved" },
        });
      }
    }
  }
  return events;
}

/** The calendar quarters from the one holding `from` to the one holding `last`, clipped to both. */
function quarters(from: LocalDate, last: LocalDate): [LocalDate, LocalDate][] {
  const out: [LocalDate, LocalDate][] = [];
  let year = Number(from.slice(0, 4));
  let q = Math.floor((Number(from.slice(5, 7)) - 1) / 3);
  for (;;) {
    const start = `${year}-${String(q * 3 + 1).padStart(2, "0")}-01`;
    if (start > last) return out;
    const next = q === 3 ? `${year + 1}-01-01` : `${year}-${String(q * 3 + 4).padStart(2, "0")}-01`;
    const end = addDays(next, -1);
    out.push([start < from ? from : start, end > last ? last : end]);
    [year, q] = q === 3 ? [year + 1, 0] : [year, q + 1];
  }
}

/** The events, each dossier's in their order, the dossiers of one unit together (units in first-seen order). */
function byUnit(events: readonly DossierEvent[]): DossierEvent[] {
  const unitOf = new Map<string, string>();
  for (const e of events) if (e.type === "dossier.received") unitOf.set(e.dossierId, e.data.unitId);
  const groups = new Map<string, DossierEvent[]>();
  for (const e of events) {
    const unit = unitOf.get(e.dossierId) ?? "";
    const group = groups.get(unit);
    if (group) group.push(e);
    else groups.set(unit, [e]);
  }
  return [...groups.values()].flat();
}

/** The province's load: the closed history, then the open dossiers, and the flow they come from. */
export function provinceLoad(o: ProvinceLoadOptions): {
  events: DossierEvent[];
  /** Dossiers received per working day in the flow the open ones come from. */
  receiptsPerWorkingDay: number;
  /** Open dossiers of that flow past their first alert, left out (see {@link openDossiers}). */
  olderLeftOut: number;
} {
  const rnd = mulberry32(o.seed);
  const units = new UnitDirectory(o.units, []);
  const closed = closedDossiers(o, rnd, units);
  const open = openDossiers(o, rnd, units);
  const events = [...closed, ...open.events];
  return {
    events: o.order === "drawn" ? events : byUnit(events),
    receiptsPerWorkingDay: Math.round(open.receipts),
    olderLeftOut: open.olderLeftOut,
  };
}
