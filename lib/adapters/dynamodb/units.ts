import type { DirectoryReader, DirectoryWriter } from "../../app/ports";
import type { Agency } from "../../domain/agencies";
import { AgencyUnitDirectory } from "../../domain/agency-directory";
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

  async get(): Promise<AgencyUnitDirectory> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const leadership = items.find((i) => i.sk === LEADERSHIP_SK);
    const integrations = items.find((i) => i.sk === INTEGRATIONS_SK);
    const isAgency = (i: Record<string, unknown>) => (i.sk as string).startsWith(AGENCY_SK_PREFIX);
    return new AgencyUnitDirectory(
      items
        .filter((i) => i.sk !== LEADERSHIP_SK && i.sk !== INTEGRATIONS_SK && !isAgency(i))
        .map((i) => JSON.parse(i.body as string) as Unit),
      leadership ? (JSON.parse(leadership.body as string) as Contact[]) : [],
      integrations ? (JSON.parse(integrations.body as string) as IntegrationGrant[]) : [],
      items.filter(isAgency).map((i) => JSON.parse(i.body as string) as Agency),
    );
  }
}
