import { validOn } from "../../lib/domain/agencies";
import type { AgencyDirectoryFile } from "../../lib/domain/agency-file";
import { SEED_PROCEDURES } from "../../lib/domain/catalog";
import type { DossierEvent } from "../../lib/domain/events/schema";
import {
  addDays,
  DAY_MS,
  formatInstant,
  type LocalDate,
  MINUTE_MS,
  startOfLocalDate,
  weekday,
} from "../../lib/domain/time";
import { mulberry32, type Rng } from "../scenarios/rng";

/**
 * Dossier events for a province's directory (events/units/province-sample.json): `dossiers`
 * dossiers received on working-day mornings and afternoons between `from` and `to`, each at a unit
 * valid on its day (so a merged commune's units stop receiving on 2025-07-01 and the new communes'
 * start), most resolved within days, some late, some still open, a few withdrawn or paused for a
 * supplement, some rated. Deterministic for a seed. For the province's local stack and its
 * bench; the seed scenario's realism is dev/scenarios/seed-2022-q3.ts's, not this.
 */
export interface ProvinceEventsOptions {
  directory: Pick<AgencyDirectoryFile, "units">;
  seed: number;
  from: LocalDate;
  /** Last day of receipts, inclusive. */
  to: LocalDate;
  dossiers: number;
  /** No event after this instant (default: none dropped). */
  until?: number;
}

const FORM_LEVEL = {
  province: "province",
  "provincial-department": "province",
  "vertical-agency": "province",
  district: "district",
  "district-department": "district",
  commune: "commune",
} as const;

/** The seeded generator, and a pick from a list drawn from it. */
interface Draw {
  rnd: Rng;
  pick<T>(list: readonly T[]): T;
}

interface UnitOnDay {
  id: string;
  level: keyof typeof FORM_LEVEL;
}

export function provinceEvents(options: ProvinceEventsOptions): DossierEvent[] {
  const rnd = mulberry32(options.seed);
  const draw: Draw = { rnd, pick: <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)] as T };
  const days = workingDays(options.from, options.to);
  if (days.length === 0) return [];
  const validUnits = unitsValidOn(options.directory);
  const events: DossierEvent[] = [];
  const width = String(options.dossiers).length;
  for (let i = 0; i < options.dossiers; i++) {
    const day = draw.pick(days);
    const units = validUnits(day);
    if (units.length === 0) continue;
    const dossierId = `P-${day.replaceAll("-", "")}-${String(i).padStart(width, "0")}`;
    for (const e of dossierLife(draw, dossierId, day, draw.pick(units)))
      if (options.until === undefined || Date.parse(e.occurredAt) <= options.until) events.push(e);
  }
  return events;
}

/** Monday to Friday from `from` to `to`, both included (holidays are not left out). */
function workingDays(from: LocalDate, to: LocalDate): LocalDate[] {
  const days: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (weekday(d) >= 1 && weekday(d) <= 5) days.push(d);
  return days;
}

/** The units valid on a day, each day's list worked out once. */
function unitsValidOn(directory: ProvinceEventsOptions["directory"]): (day: LocalDate) => UnitOnDay[] {
  const unitsOn = new Map<LocalDate, UnitOnDay[]>();
  return (day) => {
    let list = unitsOn.get(day);
    if (!list) {
      list = directory.units.filter((u) => validOn(u, day)).map((u) => ({ id: u.id, level: u.level }));
      unitsOn.set(day, list);
    }
    return list;
  };
}

/**
 * One dossier's events, from its receipt at `unit` on `day` to its fate. The draws are made in a
 * fixed order (procedure, time of day, channel, fate, …), which the seed's output depends on.
 */
function dossierLife(draw: Draw, dossierId: string, day: LocalDate, unit: UnitOnDay): DossierEvent[] {
  const procedure = draw.pick(SEED_PROCEDURES);
  let n = 0;
  const base = (at: number) => ({
    eventId: `${dossierId}.e${n++}`,
    occurredAt: formatInstant(Math.floor(at / MINUTE_MS) * MINUTE_MS),
    dossierId,
  });
  // 07:30–11:30 or 13:30–16:30, to the minute.
  const morning = draw.rnd() < 0.6;
  const minutes = morning ? 450 + Math.floor(draw.rnd() * 240) : 810 + Math.floor(draw.rnd() * 180);
  const receivedAt = startOfLocalDate(day) + minutes * MINUTE_MS;
  const received: DossierEvent = {
    ...base(receivedAt),
    type: "dossier.received",
    data: {
      unitId: unit.id,
      procedureCode: procedure.code,
      channel: draw.rnd() < 0.35 ? "online" : draw.rnd() < 0.03 ? "postal" : "direct",
      domain: procedure.domain,
      level: FORM_LEVEL[unit.level],
      ...(procedure.days !== undefined
        ? { processingDays: procedure.days }
        : { processingHours: procedure.hours }),
    },
  };
  const span = (procedure.days ?? (procedure.hours ?? 8) / 8) * 1.4 * DAY_MS;
  return [received, ...fate(draw.rnd, base, receivedAt, span)];
}

/**
 * What becomes of a dossier received at `receivedAt` with `span` to resolve it in: a supplement
 * round for 8 in 100, resolved for 80 in 100 (about one in ten late, one in five rated), withdrawn
 * for 3 in 100, and the rest still open.
 */
function fate(
  rnd: Rng,
  base: (at: number) => Pick<DossierEvent, "eventId" | "occurredAt" | "dossierId">,
  receivedAt: number,
  span: number,
): DossierEvent[] {
  const events: DossierEvent[] = [];
  let t = receivedAt;
  const roll = rnd();
  if (roll < 0.08) {
    t += rnd() * span * 0.5;
    events.push({ ...base(t), type: "dossier.supplement_requested", data: { pauseKind: "supplement" } });
    t += (1 + rnd() * 6) * DAY_MS;
    events.push({ ...base(t), type: "dossier.supplement_received", data: {} });
  }
  if (roll < 0.8) {
    // Resolved: mostly within the period, about one in ten late.
    t += rnd() < 0.9 ? rnd() * span * 0.7 : span * (1.1 + rnd());
    events.push({
      ...base(t),
      type: "dossier.resolved",
      data: { outcome: rnd() < 0.95 ? "approved" : "denied" },
    });
    if (rnd() < 0.2)
      events.push({ ...base(t + DAY_MS), type: "dossier.rated", data: { score: 1 + Math.floor(rnd() * 5) } });
  } else if (roll < 0.83) {
    t += rnd() * span;
    events.push({ ...base(t), type: "dossier.withdrawn", data: {} });
  }
  return events;
}
