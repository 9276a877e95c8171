import { type Agency, type AgencyTree, buildAgencyTree, type FormerPaths } from "./agencies";
import { inheritedUnits, parseAgencyDirectory } from "./agency-file";
import type { LocalDate } from "./time";
import { type Contact, type IntegrationGrant, parseUnitDirectory, type Unit, UnitDirectory } from "./units";

/**
 * The unit directory with its agency tree, as the store gives it back: the flat
 * {@link UnitDirectory} every handler already reads, plus the agencies and the tree built from
 * them once. A directory stored without agencies is one office holding every unit
 * (lib/domain/agencies.ts), so the seed's directory means what it meant.
 */
export class AgencyUnitDirectory extends UnitDirectory {
  private built: AgencyTree | undefined;
  constructor(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[],
    readonly agencies: readonly Agency[],
    /** Where earlier imports' trees kept units' counters (former-paths.ts). */
    readonly formerPaths: FormerPaths = {},
  ) {
    super(units, leadership, integrations);
  }
  /** The agency tree, built on first use. */
  get tree(): AgencyTree {
    this.built ??= buildAgencyTree({
      units: this.units,
      leadership: this.leadership,
      agencies: this.agencies,
      formerPaths: this.formerPaths,
    });
    return this.built;
  }
}

const trees = new WeakMap<UnitDirectory, AgencyTree>();

/** The agency tree of any directory: its own, or, for a flat one, the one office holding every unit. */
export function agencyTreeOf(directory: UnitDirectory): AgencyTree {
  if (directory instanceof AgencyUnitDirectory) return directory.tree;
  let tree = trees.get(directory);
  if (!tree) {
    tree = buildAgencyTree({ units: directory.units, leadership: directory.leadership });
    trees.set(directory, tree);
  }
  return tree;
}

/**
 * A directory file read: the flat directory as it stands on the day it was read for (what a reader
 * holds), the agencies, and the file's own units and leadership, which `units import` and the local
 * stack's first start store, so that each read inherits as of its own day.
 */
export interface DirectoryToStore {
  units: Unit[];
  leadership: Contact[];
  integrations: IntegrationGrant[];
  agencies: Agency[];
  own: { units: Unit[]; leadership: Contact[] };
}

/**
 * Parses a directory file, with or without `agencies`, naming every bad field (throws like
 * `parseUnitDirectory`). `units` have what they inherit from their agencies on `at`
 * (`inheritedUnits`: thresholds, one-stop desk, escalations), as the consumer, the sweep and the
 * digests read them; `own` is what is stored, and the store inherits again on each read's day
 * (lib/adapters/dynamodb/units.ts), so a commune merged after the import escalates to its new
 * leadership from the merger's day, not to the retired commune's.
 */
export function parseDirectoryFile(data: unknown, at: LocalDate): DirectoryToStore {
  const parsed = parseAgencyDirectory(data);
  if (!parsed.ok)
    throw new Error(`unit directory: ${parsed.error.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  const { agencies = [], ...flat } = parsed.value;
  // The flat checks the tree does not make (a unit twice, a grant naming no unit).
  parseUnitDirectory(flat);
  const inherited = inheritedUnits(parsed.value, at);
  return {
    units: inherited.units,
    leadership: inherited.leadership,
    integrations: inherited.integrations ?? [],
    agencies,
    own: { units: [...flat.units], leadership: [...flat.leadership] },
  };
}
