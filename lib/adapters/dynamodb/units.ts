import type { DirectoryReader, DirectoryWriter } from "../../app/ports";
import type { Agency } from "../../domain/agencies";
import { AgencyUnitDirectory } from "../../domain/agency-directory";
import { inheritedUnits } from "../../domain/agency-file";
import { type LocalDate, localDate } from "../../domain/time";
import type { Contact, IntegrationGrant, Unit } from "../../domain/units";
import { TableAccess } from "./cursors";
import { AGENCY_SK_PREFIX, INTEGRATIONS_SK, LEADERSHIP_SK, UNIT_PK } from "./keys";

/**
 * Who the office is: the unit directory, with leadership contacts and integration grants, one item
 * per unit under one partition, and the agency tree's agencies (issue 23), one item each beside them.
 */

export class Directory extends TableAccess implements DirectoryReader, DirectoryWriter {
  /** Stores the unit directory (one item per unit and per agency, the leadership contacts and the grants). */
  async put(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
    agencies: readonly Agency[] = [],
  ): Promise<void> {
    const items = [
      { pk: UNIT_PK, sk: LEADERSHIP_SK, body: JSON.stringify(leadership) },
      { pk: UNIT_PK, sk: INTEGRATIONS_SK, body: JSON.stringify(integrations) },
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
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const leadership = items.find((i) => i.sk === LEADERSHIP_SK);
    const integrations = items.find((i) => i.sk === INTEGRATIONS_SK);
    const isAgency = (i: Record<string, unknown>) => (i.sk as string).startsWith(AGENCY_SK_PREFIX);
    const stored = {
      units: items
        .filter((i) => i.sk !== LEADERSHIP_SK && i.sk !== INTEGRATIONS_SK && !isAgency(i))
        .map((i) => JSON.parse(i.body as string) as Unit),
      leadership: leadership ? (JSON.parse(leadership.body as string) as Contact[]) : [],
      integrations: integrations ? (JSON.parse(integrations.body as string) as IntegrationGrant[]) : [],
      agencies: items.filter(isAgency).map((i) => JSON.parse(i.body as string) as Agency),
    };
    const on = inheritedUnits(stored, at);
    return new AgencyUnitDirectory(on.units, on.leadership, stored.integrations, stored.agencies);
  }
}
