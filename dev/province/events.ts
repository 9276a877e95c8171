import { type AgencyDirectoryFile, validOn } from "../../lib/domain/agencies";
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
import { mulberry32 } from "../scenarios/rng";

/**
 * Dossier events for a province's directory (events/units/province-sample.json): `dossiers`
 * dossiers received on working-day mornings and afternoons between `from` and `to`, each at a unit
 * valid on its day (so a merged commune's units stop receiving on 2025-07-01 and the new communes'
 * start), most resolved within days, some late, some still open, a few withdrawn or paused for a
 * supplement, some rated. Deterministic for a seed. For the province's local stack and its bench
 * (issue 23); the seed scenario's realism is dev/scenarios/seed-2022-q3.ts's, not this.
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

export function provinceEvents(options: ProvinceEventsOptions): DossierEvent[] {
  const rnd = mulberry32(options.seed);
  const minute = (ms: number) => Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const days: LocalDate[] = [];
  for (let d = options.from; d <= options.to; d = addDays(d, 1))
    if (weekday(d) >= 1 && weekday(d) <= 5) days.push(d);
  if (days.length === 0) return [];
  const unitsOn = new Map<LocalDate, { id: string; level: keyof typeof FORM_LEVEL }[]>();
  const validUnits = (day: LocalDate) => {
    let list = unitsOn.get(day);
    if (!list) {
      list = options.directory.units
        .filter((u) => validOn(u, day))
        .map((u) => ({ id: u.id, level: u.level }));
      unitsOn.set(day, list);
    }
    return list;
  };
  const events: DossierEvent[] = [];
  const width = String(options.dossiers).length;
  for (let i = 0; i < options.dossiers; i++) {
    const day = pick(days);
    const units = validUnits(day);
    if (units.length === 0) continue;
    const unit = pick(units);
    const procedure = pick(SEED_PROCEDURES);
    const dossierId = `P-${day.replaceAll("-", "")}-${String(i).padStart(width, "0")}`;
    // 07:30–11:30 or 13:30–16:30, to the minute.
    const morning = rnd() < 0.6;
    const minutes = morning ? 450 + Math.floor(rnd() * 240) : 810 + Math.floor(rnd() * 180);
    const receivedAt = startOfLocalDate(day) + minutes * MINUTE_MS;
    let n = 0;
    const base = (at: number) => ({
      eventId: `${dossierId}.e${n++}`,
      occurredAt: formatInstant(minute(at)),
      dossierId,
    });
    const dossier: DossierEvent[] = [
      {
        ...base(receivedAt),
        type: "dossier.received",
        data: {
          unitId: unit.id,
          procedureCode: procedure.code,
          channel: rnd() < 0.35 ? "online" : rnd() < 0.03 ? "postal" : "direct",
          domain: procedure.domain,
          level: FORM_LEVEL[unit.level],
          ...(procedure.days !== undefined
            ? { processingDays: procedure.days }
            : { processingHours: procedure.hours }),
        },
      },
    ];
    const span = (procedure.days ?? (procedure.hours ?? 8) / 8) * 1.4 * DAY_MS;
    let t = receivedAt;
    const fate = rnd();
    if (fate < 0.08) {
      t += rnd() * span * 0.5;
      dossier.push({ ...base(t), type: "dossier.supplement_requested", data: { pauseKind: "supplement" } });
      t += (1 + rnd() * 6) * DAY_MS;
      dossier.push({ ...base(t), type: "dossier.supplement_received", data: {} });
    }
    if (fate < 0.8) {
      // Resolved: mostly within the period, about one in ten late.
      t += rnd() < 0.9 ? rnd() * span * 0.7 : span * (1.1 + rnd());
      dossier.push({
        ...base(t),
        type: "dossier.resolved",
        data: { outcome: rnd() < 0.95 ? "approved" : "denied" },
      });
      if (rnd() < 0.2)
        dossier.push({
          ...base(t + DAY_MS),
          type: "dossier.rated",
          data: { score: 1 + Math.floor(rnd() * 5) },
        });
    } else if (fate < 0.83) {
      t += rnd() * span;
      dossier.push({ ...base(t), type: "dossier.withdrawn", data: {} });
    }
    for (const e of dossier)
      if (options.until === undefined || Date.parse(e.occurredAt) <= options.until) events.push(e);
  }
  return events;
}
