import type { LocalDate } from "./time";
import { type Contact, ContactSchema, type Unit, UnitSchema } from "./units";
import * as z from "./zod";

/**
 * The agency tree of a province: province → agencies (departments, communes; districts
 * for periods before 2025-07-01) → units. Since 2025-07-01 Vietnam has 34 provinces (Resolution
 * 202/2025/QH15; events/units/README.md "The agency tree") and local government at two levels,
 * province and commune, with no districts (Law 72/2025/QH15 on the Organisation of Local
 * Government, Art. 2 and Art. 51(3), to verify; docs/rules.md "Rule sets by date"). Merged
 * communes end on 2025-06-30 and name their successors.
 *
 * The directory file keeps its shape (`units`, `leadership`, `integrations`) and gains an optional
 * `agencies` list. Without it the tree is one office: a root {@link OFFICE_NODE_ID} holding every
 * unit, led by the directory's `leadership` (the seed's directory means what it meant before).
 * With it, exactly one agency has no parent (the root, usually the province), a unit's `parentId`
 * names the agency it belongs to (none: the root), and agency and unit ids share one namespace.
 *
 * Dates are local dates (Asia/Ho_Chi_Minh), `validTo` inclusive, like the units' own.
 */

/** The root's id when the directory lists no agencies: the whole office. */
export const OFFICE_NODE_ID = "office";

const Id = z.string().check(z.minLength(1), z.maxLength(64));
const DateField = UnitSchema.shape.validFrom;

export const AgencySchema = z.strictObject({
  id: Id,
  nameVi: z.string().check(z.minLength(1), z.maxLength(200)),
  nameEn: z.string().check(z.minLength(1), z.maxLength(200)),
  /** The same levels as units: `province`, `provincial-department`, `district`, `commune`, … */
  level: UnitSchema.shape.level,
  parentId: z.optional(Id),
  validFrom: DateField,
  validTo: DateField,
  /**
   * Where its dossiers roll up from the day after `validTo` (a merger: the new commune). The first
   * valid one takes them: a dossier's counts are never split.
   */
  successorIds: z.optional(z.array(Id).check(z.minLength(1), z.maxLength(20))),
  /** Its leadership (KPI email, escalations); absent: its parent's. The root's default is the directory's `leadership`. */
  leadership: z.optional(z.array(ContactSchema).check(z.minLength(1), z.maxLength(20))),
  /** Its one-stop desk; absent: its parent's. */
  oneStopDesk: z.optional(z.array(ContactSchema).check(z.minLength(1), z.maxLength(10))),
  /** Its alert thresholds, field by field over its parent's (a unit's own win). */
  thresholds: UnitSchema.shape.thresholds,
});
export type Agency = z.infer<typeof AgencySchema>;

type Thresholds = NonNullable<Unit["thresholds"]>;

/** A node of the tree: an agency or a unit, with what the tree needs of it. */
export interface TreeNode {
  id: string;
  kind: "agency" | "unit";
  nameVi: string;
  nameEn: string;
  level: Unit["level"];
  /** Its parent agency in the directory (the root has none; a unit without one hangs under the root). */
  parentId?: string;
  validFrom?: LocalDate;
  validTo?: LocalDate;
  successorIds: readonly string[];
  leadership?: readonly Contact[];
  oneStopDesk?: readonly Contact[];
  thresholds?: Thresholds;
}

/** Whether a node is valid on the local date `at` (open ends: always). */
export function validOn(node: { validFrom?: LocalDate; validTo?: LocalDate }, at: LocalDate): boolean {
  return (
    (node.validFrom === undefined || node.validFrom <= at) &&
    (node.validTo === undefined || at <= node.validTo)
  );
}

/**
 * A path (root first, agencies only) an earlier import's tree kept a unit's counters under, for the
 * periods rolled up from `from` until `until` (exclusive): former-paths.ts.
 */
export interface FormerPath {
  path: string[];
  from: LocalDate;
  until?: LocalDate;
}
/** Each unit's former paths, by unit id. */
export type FormerPaths = Readonly<Record<string, readonly FormerPath[]>>;

/** Whether a former path's range covers `day`. */
export const covers = (r: FormerPath, day: LocalDate) =>
  r.from <= day && (r.until === undefined || day < r.until);

/**
 * The tree in memory. Structural links (a node's `parentId`) say where a node sits; the reporting
 * links at a date `at` say where its dossiers count: a node not valid at `at` hands them to its
 * first successor when it has ended and has one (a merged commune to its new commune), else to its
 * parent (an abolished district's own offices to the province); the root takes whatever is left.
 * So every dossier counts under exactly one chain of nodes valid at `at`, and none is lost.
 */
export class AgencyTree {
  readonly rootId: string;
  /** Whether the directory lists no agencies: the tree is one office holding every unit. */
  readonly flat: boolean;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly kids = new Map<string, string[]>();
  private readonly paths = new Map<LocalDate, Map<string, string[]>>();

  constructor(
    units: readonly Unit[],
    agencies: readonly Agency[],
    leadership: readonly Contact[],
    private readonly former: FormerPaths = {},
  ) {
    const root = agencies.find((a) => a.parentId === undefined);
    this.rootId = root?.id ?? OFFICE_NODE_ID;
    this.flat = !root;
    if (!root)
      this.nodes.set(OFFICE_NODE_ID, {
        id: OFFICE_NODE_ID,
        kind: "agency",
        nameVi: "Cơ quan",
        nameEn: "Office",
        level: "province",
        successorIds: [],
        leadership,
      });
    for (const a of agencies)
      this.nodes.set(a.id, {
        id: a.id,
        kind: "agency",
        nameVi: a.nameVi,
        nameEn: a.nameEn,
        level: a.level,
        parentId: a.parentId,
        validFrom: a.validFrom,
        validTo: a.validTo,
        successorIds: a.successorIds ?? [],
        leadership: a.leadership ?? (a.id === this.rootId && leadership.length ? leadership : undefined),
        oneStopDesk: a.oneStopDesk,
        thresholds: a.thresholds,
      });
    for (const u of units) {
      // Without agencies a unit's `parentId` names an organisation outside the directory: the office.
      const parentId =
        root && u.parentId !== undefined && this.nodes.has(u.parentId) ? u.parentId : this.rootId;
      this.nodes.set(u.id, {
        id: u.id,
        kind: "unit",
        nameVi: u.nameVi,
        nameEn: u.nameEn,
        level: u.level,
        parentId,
        validFrom: u.validFrom,
        validTo: u.validTo,
        successorIds: u.successorIds ?? [],
        oneStopDesk: u.oneStopDesk,
        thresholds: u.thresholds,
      });
    }
    for (const n of this.nodes.values())
      if (n.parentId !== undefined) this.kids.set(n.parentId, [...(this.kids.get(n.parentId) ?? []), n.id]);
  }

  get(id: string): TreeNode | undefined {
    return this.nodes.get(id);
  }
  /**
   * Where earlier imports' trees kept the counters of units that roll up into `agency` at `at`, by
   * unit: the paths (root first) other than the one this tree gives (former-paths.ts).
   */
  formerPathsUnder(agency: string, at: LocalDate): { unit: string; path: string[] }[] {
    return Object.keys(this.former)
      .filter((unit) => this.rollUpPath(unit, at).includes(agency))
      .flatMap((unit) => this.formerPathsOf(unit, at).map((path) => ({ unit, path })));
  }
  /** The paths (root first) earlier imports' trees kept unit `unitId`'s counters under on `at`. */
  formerPathsOf(unitId: string, at: LocalDate): string[][] {
    return (this.former[unitId] ?? []).filter((r) => covers(r, at)).map((r) => [...r.path]);
  }
  /** Every unit's former paths on `at`. */
  formerPathsAt(at: LocalDate): { unit: string; path: string[] }[] {
    return Object.keys(this.former).flatMap((unit) =>
      this.formerPathsOf(unit, at).map((path) => ({ unit, path })),
    );
  }
  has(id: string): boolean {
    return this.nodes.has(id);
  }
  /** Every node, agencies and units, in directory order (the office root first when implicit). */
  all(): TreeNode[] {
    return [...this.nodes.values()];
  }
  /** The agencies, whatever their validity. */
  agencies(): TreeNode[] {
    return this.all().filter((n) => n.kind === "agency");
  }
  /** The directory's children of a node (agencies and units), whatever their validity. */
  children(id: string): readonly string[] {
    return this.kids.get(id) ?? [];
  }

  /** The agency valid at `at` that takes the dossiers of agency `id` at `at` (see the class). */
  private resolve(id: string, at: LocalDate, seen: string[] = []): string {
    let current = id;
    for (;;) {
      if (seen.includes(current))
        throw new Error(`agency tree: cycle at ${at}: ${[...seen, current].join(" → ")}`);
      const node = this.nodes.get(current);
      if (!node || current === this.rootId) return this.rootId;
      if (validOn(node, at)) return current;
      seen.push(current);
      const ended = node.validTo !== undefined && at > node.validTo;
      const successor = ended ? node.successorIds.find((s) => this.nodes.has(s)) : undefined;
      current = successor ?? node.parentId ?? this.rootId;
    }
  }

  /**
   * The agency a dossier of unit `unitId` counts under at `at`: its parent agency, or where that
   * agency's dossiers went (its successor from the merger date). A unit the directory lacks, or
   * an agency id, counts under itself resolved the same way (an unknown id: the root).
   */
  reportingNode(unitId: string, at: LocalDate): string {
    const node = this.nodes.get(unitId);
    if (!node) return this.rootId;
    if (node.kind === "agency") return this.resolve(unitId, at);
    return this.resolve(node.parentId ?? this.rootId, at);
  }

  /** The agencies above node `id` at `at`, nearest first, the root last (the root has none). */
  ancestors(id: string, at: LocalDate): string[] {
    const out: string[] = [];
    let current = this.nodes.get(id)?.kind === "unit" ? this.reportingNode(id, at) : this.resolve(id, at);
    if (current !== id) out.push(current);
    while (current !== this.rootId) {
      const parent = this.nodes.get(current)?.parentId ?? this.rootId;
      const next = this.resolve(parent, at, [...out]);
      if (out.includes(next) || next === id)
        throw new Error(`agency tree: cycle at ${at}: ${[id, ...out, next].join(" → ")}`);
      out.push(next);
      current = next;
    }
    return out;
  }

  /** The chain a unit's dossiers count under at `at`: its reporting agency, then that agency's ancestors. */
  rollUpPath(unitId: string, at: LocalDate): string[] {
    // The tree never changes once built: paths are kept per date (a report walks every unit).
    let paths = this.paths.get(at);
    if (!paths) {
      paths = new Map();
      if (this.paths.size > 32) this.paths.clear();
      this.paths.set(at, paths);
    }
    let path = paths.get(unitId);
    if (!path) {
      const node = this.reportingNode(unitId, at);
      const above = paths.get(node) ?? [node, ...this.ancestors(node, at)];
      paths.set(node, above);
      path = above;
      paths.set(unitId, path);
    }
    return [...path];
  }

  /**
   * Whether unit `unitId` is under one of `agencies`: where its dossiers count at `at`, or where
   * the directory places it (so a merged commune's own key still reaches its own retired units).
   * What a key scoped to agencies is checked against.
   */
  isUnder(unitId: string, agencies: readonly string[], at: LocalDate): boolean {
    if (!this.nodes.has(unitId)) return agencies.includes(this.rootId);
    if (this.rollUpPath(unitId, at).some((n) => agencies.includes(n))) return true;
    return this.chain(unitId).some((n) => agencies.includes(n.id));
  }

  /**
   * Whether agency `id` is one of `agencies` or under one of them: where it reports at `at`, or
   * where the directory places it. What a key scoped to agencies may read.
   */
  isAgencyUnder(id: string, agencies: readonly string[], at: LocalDate): boolean {
    if (this.nodes.get(id)?.kind !== "agency") return false;
    const inScope = (a: string) => agencies.includes(a);
    return inScope(id) || this.ancestors(id, at).some(inScope) || this.chain(id).some((n) => inScope(n.id));
  }

  /**
   * What counts under agency `id` at `at`: the agencies valid at `at` below it (itself first) and
   * the units whose dossiers roll up into it, retired ones included (their carried-over dossiers).
   */
  subtree(id: string, at: LocalDate): { agencies: string[]; units: string[] } {
    const agencies: string[] = [];
    const units: string[] = [];
    for (const n of this.nodes.values()) {
      if (n.kind === "agency") {
        if (
          n.id === id
            ? validOn(n, at) || id === this.rootId
            : validOn(n, at) && this.ancestors(n.id, at).includes(id)
        )
          agencies.push(n.id);
      } else if (this.rollUpPath(n.id, at).includes(id)) units.push(n.id);
    }
    return { agencies, units };
  }

  /** The agencies and units directly under agency `id` at `at` (the sum of their reports is its report). */
  childrenAt(id: string, at: LocalDate): { agencies: string[]; units: string[] } {
    const agencies: string[] = [];
    const units: string[] = [];
    for (const n of this.nodes.values()) {
      if (n.kind === "agency") {
        if (n.id !== this.rootId && validOn(n, at) && this.ancestors(n.id, at)[0] === id) agencies.push(n.id);
      } else if (this.reportingNode(n.id, at) === id) units.push(n.id);
    }
    return { agencies, units };
  }

  /** Node `id` then its parents: the structural chain, or with `at` the reporting chain at `at`. */
  private chain(id: string, at?: LocalDate): TreeNode[] {
    const node = this.nodes.get(id);
    if (!node) return [];
    const ids: string[] = [];
    if (at !== undefined) {
      ids.push(id);
      if (node.kind === "unit") ids.push(...this.rollUpPath(id, at));
      else ids.push(...this.ancestors(id, at));
    } else {
      for (
        let c: string | undefined = id;
        c !== undefined && !ids.includes(c);
        c = this.nodes.get(c)?.parentId
      )
        ids.push(c);
      if (!ids.includes(this.rootId)) ids.push(this.rootId);
    }
    return [...new Set(ids)].map((i) => this.nodes.get(i)).filter((n): n is TreeNode => n !== undefined);
  }

  /** The leadership that hears of node `id`: its own, else its nearest ancestor's (`at`: as it reports then). */
  effectiveLeadership(id: string, at?: LocalDate): readonly Contact[] {
    return this.chain(id, at).find((n) => n.leadership?.length)?.leadership ?? [];
  }
  /** The one-stop desk of node `id`: its own, else its nearest ancestor's; none if no node names one. */
  effectiveOneStopDesk(id: string, at?: LocalDate): readonly Contact[] {
    return this.chain(id, at).find((n) => n.oneStopDesk?.length)?.oneStopDesk ?? [];
  }
  /** Node `id`'s alert thresholds: each field its own, else its nearest ancestor's (unset: the defaults, alerts.ts). */
  effectiveThresholds(id: string, at?: LocalDate): Thresholds {
    const merged: Thresholds = {};
    for (const n of this.chain(id, at).reverse()) Object.assign(merged, definedOnly(n.thresholds ?? {}));
    return merged;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The tree of a parsed directory file (a file without `agencies`: one office holding every unit). */
export function buildAgencyTree(directory: {
  units: readonly Unit[];
  leadership: readonly Contact[];
  agencies?: readonly Agency[];
  formerPaths?: FormerPaths;
}): AgencyTree {
  return new AgencyTree(
    directory.units,
    directory.agencies ?? [],
    directory.leadership,
    directory.formerPaths,
  );
}
