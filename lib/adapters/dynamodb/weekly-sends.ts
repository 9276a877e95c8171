import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { WeeklySend, WeeklySendLog } from "../../app/ports";
import { conditionFailed, TableAccess } from "./cursors";
import { weeklySendKey } from "./keys";

/** Kept a little over a year: long enough to answer "was it sent", then DynamoDB TTL removes it. */
const KEEP_SECONDS = 400 * 86_400;

/** The weekly KPI emails sent, one item each (docs/kpis.md "The weekly emails"). */
export class WeeklySends extends TableAccess implements WeeklySendLog {
  claim(send: WeeklySend, at: number, leaseMs: number): Promise<boolean> {
    return this.putClaim(
      send,
      at,
      at + leaseMs,
      "attribute_not_exists(pk) OR (attribute_not_exists(sentAt) AND leaseUntil < :at)",
      {
        ":at": at,
      },
    );
  }

  renew(send: WeeklySend, claimedAt: number, at: number, leaseMs: number): Promise<boolean> {
    return this.putClaim(
      send,
      claimedAt,
      at + leaseMs,
      "claimedAt = :claimedAt AND attribute_not_exists(sentAt)",
      {
        ":claimedAt": claimedAt,
      },
    );
  }

  /** Writes a claim made at `claimedAt`, held until `leaseUntil`, if `condition` holds; whether it did. */
  private async putClaim(
    send: WeeklySend,
    claimedAt: number,
    leaseUntil: number,
    condition: string,
    values: Record<string, number>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...weeklySendKey(send),
            claimedAt,
            leaseUntil,
            expiresAt: Math.floor(claimedAt / 1000) + KEEP_SECONDS,
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  async sent(send: WeeklySend, messageId: string | undefined, at: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...weeklySendKey(send),
          sentAt: at,
          // No address was left to send to (all suppressed): marked all the same, nothing to retry.
          ...(messageId ? { messageId } : { noRecipient: true }),
          expiresAt: Math.floor(at / 1000) + KEEP_SECONDS,
        },
      }),
    );
  }

  async release(send: WeeklySend, claimedAt: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: weeklySendKey(send),
          // Only this run's claim, never sent: a run whose lease passed and whose email another run
          // then took over and sent must not take that run's mark away.
          ConditionExpression: "claimedAt = :at AND attribute_not_exists(sentAt)",
          ExpressionAttributeValues: { ":at": claimedAt },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }
}
