import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { StoredCredential } from "../../app/ports";
import { TableAccess } from "./cursors";
import { apiKeyKey, sourceScopeKey } from "./keys";

/** Who may talk to the office: the API keys, stored by hash. */

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
    return out.Item && credentialOf(out.Item);
  }

  /**
   * Revokes the key stored under `hash`: its item deleted, so the handlers refuse it once their
   * (eventually consistent) reads see it gone, usually within a second. Answers whether there was one.
   */
  async delete(hash: string): Promise<boolean> {
    const out = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: apiKeyKey(hash), ReturnValues: "ALL_OLD" }),
    );
    return out.Attributes !== undefined;
  }

  /**
   * Binds an integration source to its agency scope (`*`: the whole office) for good: the first
   * binding stands, revoked keys or not. Answers the scope it is bound to, when another.
   */
  async bindSource(source: string, scope: string): Promise<string | undefined> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...sourceScopeKey(source), scope },
          ConditionExpression: "attribute_not_exists(pk) OR #scope = :scope",
          ExpressionAttributeNames: { "#scope": "scope" },
          ExpressionAttributeValues: { ":scope": scope },
        }),
      );
      return undefined;
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw e;
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: sourceScopeKey(source), ConsistentRead: true }),
      );
      return String(out.Item?.scope ?? "");
    }
  }

  /** Every stored key's credential: the keys' partition, read whole. */
  async list(): Promise<StoredCredential[]> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": apiKeyKey("").pk },
    });
    return items.map(credentialOf);
  }
}

function credentialOf(item: Record<string, unknown>): StoredCredential {
  return {
    hash: item.sk as string,
    name: item.name as string,
    role: item.role as string,
    source: item.source as string,
    ratePerSecond: item.ratePerSecond === undefined ? undefined : Number(item.ratePerSecond),
    units: Array.isArray(item.units) ? (item.units as string[]) : undefined,
    agencies: Array.isArray(item.agencies) ? (item.agencies as string[]) : undefined,
  };
}
