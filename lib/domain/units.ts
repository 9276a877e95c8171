import { type TimelineThresholds, timelineThresholds } from "./alerts";
import type { WorkingCalendar } from "./calendar/calendar";
import { isLocalDate } from "./time";
import * as z from "./zod";

/**
 * The directory of units (docs/calendar.md "Units"): departments, agencies and communes with their
 * level, parent, validity, contacts and alert thresholds. Loaded from a file, stored in DynamoDB.
 */

const Email = z.email();
export const ContactSchema = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(120)),
  email: Email,
  locale: z.optional(z.enum(["vi", "en"])),
});
export type Contact = z.infer<typeof ContactSchema>;

const DateSchema = z.string().check(z.refine(isLocalDate, "expected a date YYYY-MM-DD"));

/**
 * A unit's id. The store keys the directory's own items `#leadership`, `#integrations` and
 * `#agency#<id>` beside the units' ids, so a unit id may not begin with `#`.
 */
const UnitIdSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((id) => !id.startsWith("#"), "must not begin with '#' (the directory keys its own items so)"),
);

export const UnitSchema = z.strictObject({
  id: UnitIdSchema,
  nameVi: z.string().check(z.minLength(1), z.maxLength(200)),
  nameEn: z.string().check(z.minLength(1), z.maxLength(200)),
  level: z.enum([
    "province",
    "provincial-department",
    "district",
    "district-department",
    "commune",
    "vertical-agency",
  ]),
  parentId: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  validFrom: z.optional(DateSchema),
  validTo: z.optional(DateSchema),
  successorIds: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64)))),
  head: ContactSchema,
  // One email goes to a list whole, and SES takes at most 50 recipients an email: a longer list's
  // digests would be refused at every send.
  deputies: z._default(
    z.array(ContactSchema).check(z.maxLength(49, "at most 49 (with the head, SES's 50 recipients an email)")),
    [],
  ),
  /** Who hears of this unit's long-overdue dossiers (office leadership by default). */
  escalation: z._default(
    z.array(ContactSchema).check(z.maxLength(50, "at most 50 (SES's recipients an email)")),
    [],
  ),
  /**
   * The one-stop desk (Bộ phận Một cửa) that hands this unit's dossiers to and from applicants. The
   * processing office must notify it in writing when a dossier will be late (Decree 61/2018/NĐ-CP
   * Art. 19, point to verify; docs/rules.md R4) and it hears of a second supplement request (R3),
   * so it gets those stages in a digest of its own (lib/domain/alerts.ts `recipientsOf`). Absent:
   * the unit alone.
   */
  oneStopDesk: z.optional(z.array(ContactSchema).check(z.minLength(1), z.maxLength(10))),
  locale: z._default(z.enum(["vi", "en"]), "vi"),
  thresholds: z.optional(
    z.strictObject({
      /** Near due this much working time before the KPI due instant (default 16 h: 2 working days). */
      nearDueWorkingHours: z.optional(z.number().check(z.positive(), z.maximum(400))),
      /**
       * Near due at most this share of the time allowed (receipt to lawful due instant), when that
       * is shorter than `nearDueWorkingHours` (default 0.5): a short procedure is not near due
       * at the first sweep after receipt. 1 keeps the working-hours threshold alone.
       */
      nearDueShareOfPeriod: z.optional(z.number().check(z.positive(), z.maximum(1))),
      /** The apology reminder comes this long before the apology deadline (default 4 working hours). */
      apologyLeadWorkingHours: z.optional(z.number().check(z.positive(), z.maximum(80))),
      escalationWorkingDays: z.optional(z.number().check(z.positive(), z.maximum(100))),
      possiblyClosedWorkingDays: z.optional(z.number().check(z.positive(), z.maximum(400))),
    }),
  ),
});
export type Unit = z.infer<typeof UnitSchema>;

/**
 * What an integration may write beyond the dossiers it created (README "Trust boundaries").
 * `units`: it may also write to dossiers of these units, and its own `received`/`transferred` may
 * name only these units; `"*"`: of every unit (a province's thousand units are past the list's 500:
 * a feedback system posting complaints about every unit's dossiers, which indicator 5.4 counts).
 * `dossierPrefixes`: it may write to dossiers whose id starts with one of these, and only
 * integrations granted such a prefix may create dossiers under it (so a predictable id, like the
 * portal adapter's, cannot be claimed first by someone else).
 */
export const IntegrationGrantSchema = z.strictObject({
  source: z.string().check(z.minLength(1), z.maxLength(128)),
  units: z.optional(
    z.union([
      z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(500)),
      z.literal("*"),
    ]),
  ),
  dossierPrefixes: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(50)),
  ),
});
export type IntegrationGrant = z.infer<typeof IntegrationGrantSchema>;

export const UnitDirectorySchema = z.strictObject({
  $comment: z.optional(z.string()),
  /** Office leadership: escalations and KPI emails. */
  leadership: z
    .array(ContactSchema)
    .check(z.minLength(1), z.maxLength(50, "at most 50 (SES's recipients an email)")),
  units: z.array(UnitSchema).check(z.minLength(1)),
  /** Grants to integrations (none: each writes only the dossiers it created). */
  integrations: z.optional(z.array(IntegrationGrantSchema).check(z.maxLength(200))),
});
export type UnitDirectoryFile = z.infer<typeof UnitDirectorySchema>;

/** Alert thresholds in working time (docs/rules.md R4; defaults in alerts.ts). */
export type Thresholds = TimelineThresholds;

/** A unit's thresholds, its directory entry over the defaults that leave time to act (docs/rules.md R4). */
export function thresholdsOf(unit: Unit | undefined, calendar: WorkingCalendar): Thresholds {
  return timelineThresholds(unit?.thresholds, calendar);
}

/** The directory in memory: what the consumer, the sweep and the digests look units and grants up in. */
export class UnitDirectory {
  private readonly byId: Map<string, Unit>;
  private readonly grants: Map<string, IntegrationGrant>;
  constructor(
    readonly units: readonly Unit[],
    readonly leadership: readonly Contact[],
    readonly integrations: readonly IntegrationGrant[] = [],
  ) {
    this.byId = new Map(units.map((u) => [u.id, u]));
    this.grants = new Map(integrations.map((g) => [g.source, g]));
  }
  get(id: string | undefined): Unit | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }
  has(id: string): boolean {
    return this.byId.has(id);
  }
  /** The one-stop desk's contacts of a unit (none when the directory names none, or lacks the unit). */
  oneStopDeskOf(id: string | undefined): readonly Contact[] {
    return this.get(id)?.oneStopDesk ?? [];
  }
  grantOf(source: string | undefined): IntegrationGrant | undefined {
    return source === undefined ? undefined : this.grants.get(source);
  }
  /** Whether `source` is granted the dossier's unit or a prefix of its id (it need not own it). */
  admits(source: string | undefined, dossierId: string, unitId: string | undefined): boolean {
    const g = this.grantOf(source);
    if (!g) return false;
    if (unitId !== undefined && (g.units === "*" || g.units?.includes(unitId))) return true;
    return g.dossierPrefixes?.some((p) => dossierId.startsWith(p)) ?? false;
  }
  /**
   * Whether `source` may create (send the `received` of) this dossier id: an id under a prefix
   * granted to any integration is reserved to the integrations granted a prefix of it.
   */
  mayCreate(source: string | undefined, dossierId: string): boolean {
    const claimed = this.integrations.some((g) => g.dossierPrefixes?.some((p) => dossierId.startsWith(p)));
    if (!claimed) return true;
    return this.grantOf(source)?.dossierPrefixes?.some((p) => dossierId.startsWith(p)) ?? false;
  }
  /**
   * Whether an event of `source` for this dossier id could ever be applied, whoever receives it:
   * it may create it ({@link mayCreate}), or a unit grant may admit it once the dossier's unit is
   * known. False only for an id reserved to other integrations, from a source with no unit grant.
   */
  mayEverWrite(source: string | undefined, dossierId: string): boolean {
    const units = this.grantOf(source)?.units;
    return this.mayCreate(source, dossierId) || units === "*" || (units?.length ?? 0) > 0;
  }
  /** Whether `source` may name `unitId` in its `received`/`transferred` (no `units` list: any unit). */
  mayName(source: string | undefined, unitId: string): boolean {
    const units = this.grantOf(source)?.units;
    return units === undefined || units === "*" || units.includes(unitId);
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
  const sources = new Set<string>();
  for (const g of parsed.data.integrations ?? []) {
    if (sources.has(g.source)) throw new Error(`unit directory: integrations: ${g.source} appears twice`);
    sources.add(g.source);
    for (const u of g.units === "*" ? [] : (g.units ?? []))
      if (!ids.has(u)) throw new Error(`unit directory: integrations: ${g.source}: no unit ${u}`);
  }
  return parsed.data;
}
