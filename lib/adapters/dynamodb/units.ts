import type { Contact, IntegrationGrant, Unit } from "../../domain/units";
import { UnitDirectory } from "../../domain/units";
import { TableAccess } from "./cursors";
import { INTEGRATIONS_SK, LEADERSHIP_SK, UNIT_PK } from "./keys";

/**
 * Who the office is: the unit directory, with leadership contacts and integration grants, one item
 * per unit under one partition.
 */

export class Directory extends TableAccess {
  /** Stores the unit directory (one item per unit, the leadership contacts and the grants). */
  async put(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
  ): Promise<void> {
    const items = [
      { pk: UNIT_PK, sk: LEADERSHIP_SK, body: JSON.stringify(leadership) },
      { pk: UNIT_PK, sk: INTEGRATIONS_SK, body: JSON.stringify(integrations) },
      ...units.map((u) => ({ pk: UNIT_PK, sk: u.id, body: JSON.stringify(u) })),
    ];
    await this.writeBatches(items.map((Item) => ({ PutRequest: { Item } })));
  }

  async get(): Promise<UnitDirectory> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const leadership = items.find((i) => i.sk === LEADERSHIP_SK);
    const integrations = items.find((i) => i.sk === INTEGRATIONS_SK);
    return new UnitDirectory(
      items
        .filter((i) => i.sk !== LEADERSHIP_SK && i.sk !== INTEGRATIONS_SK)
        .map((i) => JSON.parse(i.body as string) as Unit),
      leadership ? (JSON.parse(leadership.body as string) as Contact[]) : [],
      integrations ? (JSON.parse(integrations.body as string) as IntegrationGrant[]) : [],
    );
  }
}
