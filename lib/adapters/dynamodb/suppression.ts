import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SuppressedAddresses, SuppressionAdmin, SuppressionList } from "../../app/ports";
import { TableAccess } from "./cursors";
import { SUPPRESSED_PK } from "./keys";

/** The addresses never written to again (SES bounces and complaints). */

export class Suppression
  extends TableAccess
  implements SuppressionList, SuppressedAddresses, SuppressionAdmin
{
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

  /** Every suppressed address, with SES's reason and when (the CLI's `suppressed list`). */
  async list(): Promise<{ email: string; reason: string; at: number }[]> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": SUPPRESSED_PK },
    });
    return items.map((i) => ({ email: i.sk as string, reason: i.reason as string, at: i.at as number }));
  }

  /** Written to again (the CLI's `suppressed remove`): whether it was suppressed. */
  async remove(email: string): Promise<boolean> {
    const out = await this.client.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: SUPPRESSED_PK, sk: email.toLowerCase() },
        ReturnValues: "ALL_OLD",
      }),
    );
    return out.Attributes !== undefined;
  }
}
