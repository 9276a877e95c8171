import { gunzipSync, gzipSync } from "node:zlib";
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { ReportArchive } from "../../app/ports";
import { conditionFailed, TableAccess } from "./cursors";
import { issuedKey, periodPk, SNAPSHOT_PREFIX, snapshotSk } from "./keys";

/**
 * A report as an item holds it: gzipped JSON (`z`, binary). The synthetic province's quarter is
 * about 590 KB of JSON for its 1,086 units, over DynamoDB's 400 KB item, and 27 KB gzipped. Items written
 * before kept the JSON as text (`report`), which is still read.
 */
const reportAttributes = (report: unknown) => ({ z: gzipSync(JSON.stringify(report)) });
function reportOf<T>(item: Record<string, unknown>): T {
  const z = item.z;
  const json = z instanceof Uint8Array ? gunzipSync(z).toString("utf8") : (item.report as string);
  return JSON.parse(json) as T;
}

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
          Item: { ...issuedKey(periodName), issuedAt, ...reportAttributes(report) },
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
    return { issuedAt: out.Item.issuedAt as number, report: reportOf<T>(out.Item) };
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
          ...reportAttributes(report),
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
    return item ? { offsetMs: item.offsetMs as number, report: reportOf<T>(item) } : undefined;
  }
}
