import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { PendingAlert } from "../../domain/records";
import { localDate } from "../../domain/time";
import { conditionFailed, TableAccess } from "./cursors";
import { ALERTS_PK, alertSk, digestKey, leaseKey } from "./keys";

/**
 * The alert queue: alerts raised (written by the apply transaction, ./dossiers.ts) wait in one
 * small partition until their digest is sent; a lease per digest group keeps two senders from
 * sending the same alerts; each sent digest is logged by day.
 */

/** The conditional put that raises an alert once (a transaction item of the apply's commit). */
export function pendingAlertPut(tableName: string, alert: PendingAlert) {
  return {
    TableName: tableName,
    Item: { pk: ALERTS_PK, sk: alertSk(alert), ...alert },
    ConditionExpression: "attribute_not_exists(pk)",
  };
}

export class AlertQueue extends TableAccess {
  /** Every alert waiting for a digest (a small partition: alerts leave it once sent). */
  async pending(): Promise<PendingAlert[]> {
    const items = await this.queryAll({
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": ALERTS_PK },
      ConsistentRead: true,
    });
    return items.map(({ pk: _pk, sk: _sk, ...rest }) => rest as unknown as PendingAlert);
  }

  /**
   * Takes the right to send one digest for `group` until `until`, so two overlapping senders never
   * send the same alerts twice. `false` when someone else holds it.
   */
  async acquireLease(group: string, owner: string, now: number, until: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...leaseKey(group), owner, until },
          ConditionExpression: "attribute_not_exists(pk) OR #until < :now",
          ExpressionAttributeNames: { "#until": "until" },
          ExpressionAttributeValues: { ":now": now },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  /** Gives the lease back, if `owner` still holds it. */
  async releaseLease(group: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: leaseKey(group),
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }

  /** Records a sent digest and removes its alerts from the pending ones. */
  async markDigestSent(args: {
    group: string;
    messageId: string;
    sentAt: number;
    recipients: string[];
    alerts: PendingAlert[];
  }): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...digestKey(localDate(args.sentAt), args.sentAt, args.group),
          group: args.group,
          messageId: args.messageId,
          sentAt: args.sentAt,
          recipientCount: args.recipients.length,
          alerts: args.alerts.map((a) => alertSk(a)),
        },
      }),
    );
    await this.writeBatches(
      args.alerts.map((a) => ({ DeleteRequest: { Key: { pk: ALERTS_PK, sk: alertSk(a) } } })),
    );
  }
}
