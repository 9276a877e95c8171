import * as z from "zod";
import type { WorkingCalendar } from "./calendar/calendar";
import { isLocalDate } from "./time";

/**
 * The directory of units (calendar.md "Units"): departments, agencies and communes with their
 * level, parent, validity, contacts and alert thresholds. Loaded from a file, stored in DynamoDB.
 */

const Email = z.email();
export const ContactSchema = z.strictObject({
  name: z.string().min(1).max(120),
  email: Email,
  locale: z.enum(["vi", "en"]).optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

const DateSchema = z.string().refine(isLocalDate, "expected a date YYYY-MM-DD");

export const UnitSchema = z.strictObject({
  id: z.string().min(1).max(64),
  nameVi: z.string().min(1).max(200),
  nameEn: z.string().min(1).max(200),
  level: z.enum([
    "province",
    "provincial-department",
    "district",
    "district-department",
    "commune",
    "vertical-agency",
  ]),
  parentId: z.string().min(1).max(64).optional(),
  validFrom: DateSchema.optional(),
  validTo: DateSchema.optional(),
  successorIds: z.array(z.string().min(1).max(64)).optional(),
  head: ContactSchema,
  deputies: z.array(ContactSchema).default([]),
  /** Who hears of this unit's long-overdue dossiers (office leadership by default). */
  escalation: z.array(ContactSchema).default([]),
  locale: z.enum(["vi", "en"]).default("vi"),
  thresholds: z
    .strictObject({
      nearDueWorkingHours: z.number().positive().max(400).optional(),
      escalationWorkingDays: z.number().positive().max(100).optional(),
      possiblyClosedWorkingDays: z.number().positive().max(400).optional(),
    })
    .optional(),
});
export type Unit = z.infer<typeof UnitSchema>;

export const UnitDirectorySchema = z.strictObject({
  $comment: z.string().optional(),
  /** Office leadership: escalations and KPI emails. */
  leadership: z.array(ContactSchema).min(1),
  units: z.array(UnitSchema).min(1),
});
export type UnitDirectoryFile = z.infer<typeof UnitDirectorySchema>;

/** Alert thresholds in working time (calendar.md, issue defaults). */
export interface Thresholds {
  nearDueMs: number;
  escalationMs: number;
  possiblyClosedMs: number;
}

export const DEFAULT_THRESHOLDS = {
  nearDueWorkingHours: 8,
  escalationWorkingDays: 2,
  possiblyClosedWorkingDays: 10,
};

export function thresholdsOf(unit: Unit | undefined, calendar: WorkingCalendar): Thresholds {
  const t = { ...DEFAULT_THRESHOLDS, ...unit?.thresholds };
  return {
    nearDueMs: t.nearDueWorkingHours * 3_600_000,
    escalationMs: t.escalationWorkingDays * calendar.workingDayMs,
    possiblyClosedMs: t.possiblyClosedWorkingDays * calendar.workingDayMs,
  };
}

/** The directory in memory: what the sweep and the digests look units up in. */
export class UnitDirectory {
  private readonly byId: Map<string, Unit>;
  constructor(
    readonly units: readonly Unit[],
    readonly leadership: readonly Contact[],
  ) {
    this.byId = new Map(units.map((u) => [u.id, u]));
  }
  get(id: string | undefined): Unit | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }
  static empty(): UnitDirectory {
    return new UnitDirectory([], []);
  }
}

/** Parses a directory file, naming every bad field. */
export function parseUnitDirectory(data: unknown): UnitDirectoryFile {
  const parsed = UnitDirectorySchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new Error(`unit directory: ${problems.join("; ")}`);
  }
  const ids = new Set<string>();
  for (const u of parsed.data.units) {
    if (ids.has(u.id)) throw new Error(`unit directory: units: ${u.id} appears twice`);
    ids.add(u.id);
  }
  return parsed.data;
}
