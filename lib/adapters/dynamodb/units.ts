import type { DirectoryReader, DirectoryWriter } from "../../app/ports";
import type { Agency, FormerPaths } from "../../domain/agencies";
import { AgencyUnitDirectory } from "../../domain/agency-directory";
import { inheritedUnits } from "../../domain/agency-file";
import { formerPathsAfter } from "../../domain/former-paths";
import { type LocalDate, localDate } from "../../domain/time";
import type { Contact, IntegrationGrant, Unit } from "../../domain/units";
import { TableAccess } from "./cursors";
import { AGENCY_SK_PREFIX, FORMER_PATHS_SK, INTEGRATIONS_SK, LEADERSHIP_SK, UNIT_PK } from "./keys";

/**
 * Who the office is: the unit directory, with leadership contacts and integration grants, one item
 * per unit under one partition, and the agency tree's agencies (issue 23), one item each beside them.
 */

/** Items of the directory's partition by id, the later list's winning (an import overwrites, never deletes). */
const byId = <T extends { id: string }>(stored: readonly T[], imported: readonly T[]) => [
  ...new Map([...stored, ...imported].map((x) => [x.id, x])).values(),
];

export class Directory extends TableAccess implements DirectoryReader, DirectoryWriter {
  /**
   * Stores the unit directory (one item per unit and per agency, the leadership contacts and the
   * grants), and where the tree stored before kept units' counters that this one places elsewhere
   * (former-paths.ts), so that an agency's figures still find them.
   */
  async put(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
    agencies: readonly Agency[] = [],
  ): Promise<void> {
    const before = await this.stored();
    // What a read will find once this is written: the items stored before that it does not overwrite.
    const after = { units: byId(before.units, units), leadership, agencies: byId(before.agencies, agencies) };
    const former = formerPathsAfter(before.agencies.length ? before : undefined, after, before.formerPaths);
    // Written when there is something to keep, or to clear what was kept.
    const keep = Object.keys(former).length > 0 || Object.keys(before.formerPaths).length > 0;
    const items = [
      { pk: UNIT_PK, sk: LEADERSHIP_SK, body: JSON.stringify(leadership) },
      { pk: UNIT_PK, sk: INTEGRATIONS_SK, body: JSON.stringify(integrations) },
      ...(keep ? [{ pk: UNIT_PK, sk: FORMER_PATHS_SK, body: JSON.stringify(former) }] : []),
      ...units.map((u) => ({ pk: UNIT_PK, sk: u.id, body: JSON.stringify(u) })),
      ...agencies.map((a) => ({ pk: UNIT_PK, sk: `${AGENCY_SK_PREFIX}${a.id}`, body: JSON.stringify(a) })),
    ];
    await this.writeBatches(items.map((Item) => ({ PutRequest: { Item } })));
  }

  /**
   * The directory on `at` (default today): with agencies, each unit inherits from them as the tree
   * stands that day (`inheritedUnits`). Units stored as the file names them are inherited afresh at
   * each read. Units stored already inherited (by an import before this was so) keep what the
   * import wrote into them, since a unit's own value comes before an agency's, and inherit on the
   * day only what they lacked; importing the file again makes them inherit in full.
   */
  async get(at: LocalDate = localDate(Date.now())): Promise<AgencyUnitDirectory> {
    const stored = await this.stored();
    const on = inheritedUnits(stored, at);
    return new AgencyUnitDirectory(
      on.units,
      on.leadership,
      stored.integrations,
      stored.agencies,
      stored.formerPaths,
    );
  }

  /** The directory's items as stored. */
  private async stored() {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const body = (sk: string) => {
      const item = items.find((i) => i.sk === sk);
      return item ? (JSON.parse(item.body as string) as unknown) : undefined;
    };
    const isAgency = (i: Record<string, unknown>) => (i.sk as string).startsWith(AGENCY_SK_PREFIX);
    const special = new Set([LEADERSHIP_SK, INTEGRATIONS_SK, FORMER_PATHS_SK]);
    return {
      units: items
        .filter((i) => !special.has(i.sk as string) && !isAgency(i))
        .map((i) => JSON.parse(i.body as string) as Unit),
      leadership: (body(LEADERSHIP_SK) ?? []) as Contact[],
      integrations: (body(INTEGRATIONS_SK) ?? []) as IntegrationGrant[],
      agencies: items.filter(isAgency).map((i) => JSON.parse(i.body as string) as Agency),
      formerPaths: (body(FORMER_PATHS_SK) ?? {}) as FormerPaths,
    };
  }
}
