import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DigestQueue } from "../../app/ports";
import type { PendingAlert } from "../../domain/records";
import { localDate } from "../../domain/time";
import { conditionFailed, TableAccess } from "./cursors";
import {
  ALERTS_PK,
  alertHistoryKey,
  alertSk,
  digestKey,
  digestLanguageKey,
  leaseKey,
  sentStampAttribute,
} from "./keys";

/**
 * How long a language's mark is kept: longer than any closure of the office (Tết: up to ten days),
 * since the next try at a digest that failed after SES took an email comes with the next opening's
 * sweep (docs/rules.md "When digests go"). A recorded digest's marks are deleted at once, so they
 * never pile up.
 */
const LANGUAGE_MARK_SECONDS = 30 * 86_400;

/**
 * A sent digest's alert keys, as its record keeps them: gzipped (74 bytes a key for a seed unit's
 * desk copy, more with a province's unit ids, so a group of 6,000 alerts, a province's one-stop
 * desk on a first sweep, would be over DynamoDB's 400 KB item in plain text), or, past
 * {@link DIGEST_KEYS_MAX_BYTES} even so, their count and digest only.
 */
const DIGEST_KEYS_MAX_BYTES = 300_000;
function carriedAlerts(keys: readonly string[]) {
  const z = gzipSync(keys.join("\n"));
  return z.length <= DIGEST_KEYS_MAX_BYTES
    ? { alertCount: keys.length, alertsZ: z }
    : { alertCount: keys.length, alertsSha256: createHash("sha256").update(keys.join("\n")).digest("hex") };
}

/**
 * An alert's id as a language's mark keeps it: 16 characters of its hash, not the id (about 100
 * bytes), so the mark of a group of thousands of alerts stays well within an item.
 */
const markOf = (alertId: string) => createHash("sha256").update(alertId).digest("base64url").slice(0, 16);

/**
 * The alert queue: alerts raised (written by the apply transaction, ./dossier-items.ts) wait in one
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

/**
 * The dossier's alert history entry for a raised alert (a transaction item of the apply's commit,
 * beside {@link pendingAlertPut}): written once, its first `raisedAt` kept, and kept once sent.
 */
export function alertHistoryUpdate(
  tableName: string,
  dossierId: string,
  alert: Pick<PendingAlert, "kind" | "key" | "raisedAt" | "unitId" | "mark">,
) {
  return {
    TableName: tableName,
    Key: alertHistoryKey(dossierId, alert.mark ?? alert.kind, alert.key),
    UpdateExpression:
      "SET kind = :kind, #key = :key, raisedAt = if_not_exists(raisedAt, :at), unitId = if_not_exists(unitId, :unit)",
    ExpressionAttributeNames: { "#key": "key" },
    ExpressionAttributeValues: {
      ":kind": alert.kind,
      ":key": alert.key,
      ":at": alert.raisedAt,
      ":unit": alert.unitId,
    },
  };
}

export class AlertQueue extends TableAccess implements DigestQueue {
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
  acquireLease(group: string, owner: string, now: number, until: number): Promise<boolean> {
    return this.takeLease(leaseKey(group), owner, now, until);
  }

  /** Gives the lease back, if `owner` still holds it. */
  releaseLease(group: string, owner: string): Promise<void> {
    return this.giveLeaseBack(leaseKey(group), owner);
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
          ...carriedAlerts(args.alerts.map((a) => alertSk(a))),
        },
      }),
    );
    // Before the pending alerts go: a digest sent again after a crash stamps them again, unchanged.
    await Promise.all(args.alerts.map((a) => this.stampSent(a, args.sentAt)));
    await this.writeBatches(
      args.alerts.map((a) => ({ DeleteRequest: { Key: { pk: ALERTS_PK, sk: alertSk(a) } } })),
    );
  }

  /**
   * Removes pending alerts unsent (lib/app/stale-alerts.ts): each history entry is stamped
   * `droppedAt` first, so the dossier's page says it was not sent, and why.
   */
  async dropPending(alerts: readonly PendingAlert[], at: number): Promise<void> {
    await Promise.all(alerts.map((a) => this.stampHistory(a, "droppedAt", at)));
    await this.writeBatches(
      alerts.map((a) => ({ DeleteRequest: { Key: { pk: ALERTS_PK, sk: alertSk(a) } } })),
    );
  }

  async sentInLanguage(mark: string, alertIds: readonly string[]): Promise<Set<string>> {
    const { pk, sk } = digestLanguageKey(mark);
    // A query of the one key (send-alerts reads its partitions by Query only).
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk = :sk",
        ExpressionAttributeValues: { ":pk": pk, ":sk": sk },
        ConsistentRead: true,
      }),
    );
    const sent = out.Items?.[0]?.alerts;
    const marks = new Set(sent instanceof Set ? (sent as Set<string>) : []);
    // A mark written before ids were hashed (kept two days) holds the ids themselves.
    return new Set(alertIds.filter((id) => marks.has(markOf(id)) || marks.has(id)));
  }

  async markSentInLanguage(mark: string, alertIds: readonly string[], at: number): Promise<void> {
    if (alertIds.length === 0) return;
    // Added to the ids already there (a string set): an earlier run's email in this language stays counted.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: digestLanguageKey(mark),
        UpdateExpression: "ADD alerts :ids SET sentAt = :at, expiresAt = :exp",
        ExpressionAttributeValues: {
          ":ids": new Set(alertIds.map(markOf)),
          ":at": at,
          ":exp": Math.floor(at / 1000) + LANGUAGE_MARK_SECONDS,
        },
      }),
    );
  }

  async clearSentInLanguage(marks: readonly string[]): Promise<void> {
    // One delete a language (one or two a digest): send-alerts' only batch writes are the queue's.
    await Promise.all(
      marks.map((m) =>
        this.client.send(new DeleteCommand({ TableName: this.tableName, Key: digestLanguageKey(m) })),
      ),
    );
  }

  /** Stamps a sent alert on its dossier's history entry (none for alerts raised before it was kept). */
  private stampSent(alert: PendingAlert, sentAt: number): Promise<void> {
    return this.stampHistory(alert, sentStampAttribute(alert.recipient), sentAt);
  }

  /** Sets `field` of the alert's history entry once, if the entry is there. */
  private async stampHistory(alert: PendingAlert, field: string, at: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: alertHistoryKey(alert.dossier.dossierId, alert.mark ?? alert.kind, alert.key),
          UpdateExpression: `SET ${field} = if_not_exists(${field}, :at)`,
          ConditionExpression: "attribute_exists(pk)",
          ExpressionAttributeValues: { ":at": at },
        }),
      );
    } catch (e) {
      if (!conditionFailed(e)) throw e;
    }
  }
}
