import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SuppressedAddresses, SuppressionList } from "../../app/ports";
import { TableAccess } from "./cursors";
import { SUPPRESSED_PK } from "./keys";

/** The addresses never written to again (SES bounces and complaints). */

export class Suppression extends TableAccess implements SuppressionList, SuppressedAddresses {
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
