import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { ReportArchive } from "../../app/ports";
import { conditionFailed, TableAccess } from "./cursors";
import { issuedKey, periodPk, SNAPSHOT_PREFIX, snapshotSk } from "./keys";

/**
 * Issued reports and snapshots, in the period's partition: the report frozen when a period closes
 * (once), and the report of each weekly email, so a later period can compare at the same point.
 */
export class Reports extends TableAccess implements ReportArchive {
  /** Freezes a period's report as issued; `false` if it was already closed. */
  async putIssued(periodName: string, report: unknown, issuedAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...issuedKey(periodName), issuedAt, report: JSON.stringify(report) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  async getIssued<T>(periodName: string): Promise<{ issuedAt: number; report: T } | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: issuedKey(periodName), ConsistentRead: true }),
    );
    if (!out.Item) return undefined;
    return { issuedAt: out.Item.issuedAt as number, report: JSON.parse(out.Item.report as string) as T };
  }

  /** Keeps the report of a weekly email, `offsetMs` into its period. */
  async putSnapshot(periodName: string, offsetMs: number, report: unknown): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: periodPk(periodName),
          sk: snapshotSk(offsetMs),
          offsetMs,
          report: JSON.stringify(report),
        },
      }),
    );
  }

  /** The snapshot of a period taken closest to (and not after) `offsetMs` into it. */
  async snapshotAt<T>(
    periodName: string,
    offsetMs: number,
  ): Promise<{ offsetMs: number; report: T } | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues: {
          ":pk": periodPk(periodName),
          ":a": SNAPSHOT_PREFIX,
          ":b": snapshotSk(offsetMs),
        },
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const item = out.Items?.[0];
    return item
      ? { offsetMs: item.offsetMs as number, report: JSON.parse(item.report as string) as T }
      : undefined;
  }
}
