import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { TableAccess } from "./cursors";
import { rateKey } from "./keys";

/** The API keys' rate windows, one item per key and second. */

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
