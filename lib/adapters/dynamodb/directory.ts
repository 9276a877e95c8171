import { GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { StoredCredential } from "../../app/ports";
import { type Contact, type IntegrationGrant, type Unit, UnitDirectory } from "../../domain/units";
import { TableAccess } from "./cursors";
import { apiKeyKey, INTEGRATIONS_SK, LEADERSHIP_SK, rateKey, SUPPRESSED_PK, UNIT_PK } from "./keys";

/**
 * Who the office is and who may talk to it: the unit directory (with leadership contacts and
 * integration grants), the API keys (stored by hash) and their rate windows, and the addresses
 * never written to again.
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

export class ApiKeys extends TableAccess {
  /** Stores a key's credential under its hash. */
  async put(hash: string, credential: Omit<StoredCredential, "hash">): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        // Absent fields stay absent (the document client refuses undefined values).
        Item: {
          ...apiKeyKey(hash),
          ...Object.fromEntries(Object.entries(credential).filter(([, v]) => v !== undefined)),
        },
      }),
    );
  }

  /** The credential stored under a key's hash, if any. */
  async get(hash: string): Promise<StoredCredential | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: apiKeyKey(hash) }));
    const item = out.Item;
    if (!item) return undefined;
    return {
      hash: item.sk as string,
      name: item.name as string,
      role: item.role as string,
      source: item.source as string,
      ratePerSecond: item.ratePerSecond === undefined ? undefined : Number(item.ratePerSecond),
      units: Array.isArray(item.units) ? (item.units as string[]) : undefined,
    };
  }
}

export class Rates extends TableAccess {
  /**
   * Counts one request in `bucket`'s window of one `second` (epoch seconds) and answers how many
   * it holds now. The window item expires by TTL two minutes later.
   */
  async hit(bucket: string, second: number): Promise<number> {
    const out = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: rateKey(bucket, second),
        UpdateExpression: "ADD #n :one SET expiresAt = :exp",
        ExpressionAttributeNames: { "#n": "n" },
        ExpressionAttributeValues: { ":one": 1, ":exp": second + 120 },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(out.Attributes?.n ?? 0);
  }
}

export class Suppression extends TableAccess {
  /** An address SES reported as bounced or complained about: never written to again. */
  async suppress(email: string, reason: string, at: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: SUPPRESSED_PK, sk: email.toLowerCase(), reason, at },
      }),
    );
  }

  async addresses(): Promise<Set<string>> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": SUPPRESSED_PK },
    });
    return new Set(items.map((i) => i.sk as string));
  }
}
