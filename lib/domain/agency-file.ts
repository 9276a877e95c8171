import { type Agency, AgencySchema, AgencyTree, buildAgencyTree, validOn } from "./agencies";
import { err, ok, type Problem, type Result } from "./result";
import { addDays, type LocalDate } from "./time";
import { type Unit, type UnitDirectoryFile, UnitDirectorySchema } from "./units";
import * as z from "./zod";

/**
 * The directory file with its agency tree (lib/domain/agencies.ts says what the tree is): its
 * schema, everything wrong with it as a tree (each problem naming its field), and the flat unit
 * directory it comes to once each unit has inherited from its agencies.
 */

/** The unit directory file with its optional agency tree, checked as a tree (see {@link treeProblems}). */
export const AgencyDirectorySchema = z
  .extend(UnitDirectorySchema, {
    /** The agency tree; absent: one office holding every unit. */
    agencies: z.optional(z.array(AgencySchema).check(z.maxLength(5000))),
  })
  .check(
    z.superRefine((file, ctx) => {
      for (const p of treeProblems(file)) ctx.addIssue({ code: "custom", path: p.path, message: p.message });
    }),
  );
export type AgencyDirectoryFile = z.infer<typeof AgencyDirectorySchema>;

interface PathProblem {
  path: (string | number)[];
  message: string;
}

const span = (n: { validFrom?: string; validTo?: string }) => `${n.validFrom ?? "…"}..${n.validTo ?? "…"}`;

type Span = { validFrom?: string; validTo?: string };
type Path = (string | number)[];

/**
 * Everything wrong with a directory as a tree, each naming its field: an unknown parent, a cycle,
 * a successor that does not exist or is not valid the day its predecessor ends, validity ending
 * before it starts, two agencies of one parent with the same name valid at once (one agency
 * entered twice), and an agency or unit under a parent not valid for the whole of its own validity.
 */
export function treeProblems(file: { units: readonly Unit[]; agencies?: readonly Agency[] }): PathProblem[] {
  const problems: PathProblem[] = [];
  const agencies = file.agencies ?? [];
  const unitIds = new Set(file.units.map((u) => u.id));
  const byId = agenciesById(agencies, unitIds, problems);
  rootProblems(agencies, problems);
  agencies.forEach((a, i) => {
    const path = ["agencies", i];
    spanProblems(a, path, problems);
    if (a.parentId !== undefined) {
      const parent = byId.get(a.parentId);
      if (!parent)
        problems.push({
          path: [...path, "parentId"],
          message: unitIds.has(a.parentId)
            ? `${a.parentId} is a unit, not an agency`
            : `no agency ${a.parentId}`,
        });
      else underProblems(a, parent, path, `agency ${a.id}`, problems);
    }
    successorProblems(a, path, (s) => byId.get(s), problems);
  });
  cycleProblems(agencies, byId, problems);
  twiceEnteredProblems(agencies, problems);
  // A directory without agencies is checked as it always was (its units' dates and successors
  // were never checked, and a file that loaded must still load).
  if (agencies.length === 0) return problems;
  unitProblems(file.units, byId, problems);
  if (problems.length === 0) loopProblems(file.units, agencies, problems);
  return problems;
}

/** The agencies by id; an id given twice, or also a unit's, is a problem. */
function agenciesById(
  agencies: readonly Agency[],
  unitIds: ReadonlySet<string>,
  problems: PathProblem[],
): Map<string, Agency> {
  const byId = new Map<string, Agency>();
  agencies.forEach((a, i) => {
    if (byId.has(a.id)) problems.push({ path: ["agencies", i, "id"], message: `${a.id} appears twice` });
    else if (unitIds.has(a.id))
      problems.push({ path: ["agencies", i, "id"], message: `${a.id} is also a unit's id` });
    byId.set(a.id, a);
  });
  return byId;
}

/** A tree has exactly one root: the one agency without a parent. */
function rootProblems(agencies: readonly Agency[], problems: PathProblem[]): void {
  const roots = agencies.filter((a) => a.parentId === undefined);
  if (agencies.length > 0 && roots.length !== 1)
    problems.push({
      path: ["agencies"],
      message: `expected exactly one agency without a parent (the root), found ${roots.length}${roots.length ? `: ${roots.map((r) => r.id).join(", ")}` : ""}`,
    });
}

/** Validity that ends before it starts. */
function spanProblems(n: Span, path: Path, problems: PathProblem[]): void {
  if (n.validFrom !== undefined && n.validTo !== undefined && n.validFrom > n.validTo)
    problems.push({
      path: [...path, "validTo"],
      message: `validTo ${n.validTo} is before validFrom ${n.validFrom}`,
    });
}

/** The child's validity must lie within its parent's. */
function underProblems(child: Span, parent: Agency, path: Path, what: string, problems: PathProblem[]): void {
  const startsBefore =
    parent.validFrom !== undefined && (child.validFrom === undefined || child.validFrom < parent.validFrom);
  const endsAfter =
    parent.validTo !== undefined && (child.validTo === undefined || child.validTo > parent.validTo);
  if (startsBefore || endsAfter)
    problems.push({
      path: [...path, "parentId"],
      message: `${what} is valid ${span(child)} but agency ${parent.id} only ${span(parent)}`,
    });
}

/** A node with successors ends, and each successor exists and is valid the day after it ends. */
function successorProblems(
  n: { id: string; validTo?: string; successorIds?: readonly string[] },
  path: Path,
  exists: (id: string) => Span | undefined,
  problems: PathProblem[],
): void {
  const successors = n.successorIds ?? [];
  if (successors.length > 0 && n.validTo === undefined)
    problems.push({ path: [...path, "validTo"], message: "a node with successors must end (validTo)" });
  successors.forEach((s, j) => {
    const succ = exists(s);
    if (!succ) problems.push({ path: [...path, "successorIds", j], message: `no such node ${s}` });
    else if (s === n.id) problems.push({ path: [...path, "successorIds", j], message: "its own successor" });
    else if (n.validTo !== undefined && !validOn(succ, addDays(n.validTo, 1)))
      problems.push({
        path: [...path, "successorIds", j],
        message: `${s} is valid ${span(succ)}, not on ${addDays(n.validTo, 1)}, the day after ${n.id} ends`,
      });
  });
}

/** Cycles along parents, each reported at its own members. */
function cycleProblems(
  agencies: readonly Agency[],
  byId: ReadonlyMap<string, Agency>,
  problems: PathProblem[],
): void {
  agencies.forEach((a, i) => {
    const seen = [a.id];
    for (let p = a.parentId; p !== undefined; p = byId.get(p)?.parentId) {
      if (p === a.id) {
        problems.push({ path: ["agencies", i, "parentId"], message: `cycle: ${[...seen, p].join(" → ")}` });
        break;
      }
      if (seen.includes(p)) break; // a cycle above, reported at its own members
      seen.push(p);
    }
  });
}

/** One agency entered twice: same parent, same name, overlapping validity. */
function twiceEnteredProblems(agencies: readonly Agency[], problems: PathProblem[]): void {
  const byParentName = new Map<string, number[]>();
  agencies.forEach((a, i) => {
    const key = `${a.parentId ?? ""}\u0000${a.nameVi}`;
    byParentName.set(key, [...(byParentName.get(key) ?? []), i]);
  });
  for (const list of byParentName.values()) {
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const a = agencies[list[x] as number] as Agency;
        const b = agencies[list[y] as number] as Agency;
        const overlap =
          (a.validTo === undefined || b.validFrom === undefined || b.validFrom <= a.validTo) &&
          (b.validTo === undefined || a.validFrom === undefined || a.validFrom <= b.validTo);
        if (overlap)
          problems.push({
            path: ["agencies", list[y] as number, "validFrom"],
            message: `${b.id} (${span(b)}) overlaps ${a.id} (${span(a)}): same name under the same parent`,
          });
      }
  }
}

/** Each unit's validity, its parent agency, and its successors among the units. */
function unitProblems(
  units: readonly Unit[],
  byId: ReadonlyMap<string, Agency>,
  problems: PathProblem[],
): void {
  const unitById = new Map(units.map((u) => [u.id, u]));
  units.forEach((u, i) => {
    const path = ["units", i];
    spanProblems(u, path, problems);
    if (u.parentId !== undefined) {
      const parent = byId.get(u.parentId);
      if (!parent)
        problems.push({
          path: [...path, "parentId"],
          message: unitById.has(u.parentId)
            ? `${u.parentId} is a unit: a unit's parent is an agency`
            : `no agency ${u.parentId}`,
        });
      else underProblems(u, parent, path, `unit ${u.id}`, problems);
    }
    successorProblems(u, path, (s) => unitById.get(s), problems);
  });
}

/** Parents and successors together must never lead back to where they started: the first loop found. */
function loopProblems(units: readonly Unit[], agencies: readonly Agency[], problems: PathProblem[]): void {
  const tree = new AgencyTree(units, agencies, []);
  const dates = new Set<string>();
  for (const a of agencies) {
    if (a.validFrom) dates.add(a.validFrom);
    if (a.validTo) dates.add(addDays(a.validTo, 1));
  }
  for (const at of dates)
    for (const a of agencies)
      try {
        tree.ancestors(a.id, at);
      } catch (e) {
        problems.push({
          path: ["agencies", agencies.indexOf(a), "successorIds"],
          message: (e as Error).message,
        });
        return;
      }
}

/** Parses a directory file with its agency tree, every problem named by its field. */
export function parseAgencyDirectory(data: unknown): Result<AgencyDirectoryFile, Problem[]> {
  const parsed = AgencyDirectorySchema.safeParse(data);
  if (parsed.success) return ok(parsed.data);
  return err(
    parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(file)",
      message: i.message,
    })),
  );
}

/**
 * The directory as the flat reader sees it (`UnitDirectory`, which the consumer, the sweep and the
 * digests use), with what each unit inherits from its agencies written into it, as the tree stands
 * on `at` (the day the directory is read for: lib/adapters/dynamodb/units.ts): thresholds field by field, the one-stop desk, and, for a unit whose
 * agency is not the root, escalations to that agency's leadership when it names none (a commune's
 * long-overdue dossiers go to its chairman, not the province's). A directory without agencies
 * comes back as it was: the seed's means what it meant.
 */
export function inheritedUnits(file: AgencyDirectoryFile, at: LocalDate): UnitDirectoryFile {
  const { agencies, ...flat } = file;
  if (!agencies?.length) return flat;
  const tree = buildAgencyTree(file);
  const units = file.units.map((u): Unit => {
    const thresholds = tree.effectiveThresholds(u.id, at);
    const desk = tree.effectiveOneStopDesk(u.id, at);
    const agency = tree.reportingNode(u.id, at);
    const leadership = agency === tree.rootId ? [] : tree.effectiveLeadership(agency, at);
    return {
      ...u,
      ...(Object.keys(thresholds).length ? { thresholds } : {}),
      ...(desk.length ? { oneStopDesk: [...desk] } : {}),
      escalation: u.escalation.length ? u.escalation : [...leadership],
    };
  });
  return { ...flat, leadership: [...tree.effectiveLeadership(tree.rootId)], units };
}
