import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { CommitArgs, CommitRefusal } from "../../app/ports";
import { mergeDeltas } from "../../domain/counting";
import type { DossierEvent } from "../../domain/events/schema";
import { alertSnapshot, type DossierRecord, NO_UNIT, type PendingAlert } from "../../domain/records";
import { err, ok, type Result } from "../../domain/result";
import { alertHistoryUpdate, pendingAlertPut } from "./alerts";
import { counterAttributeCount, counterUpdate, MAX_COUNTER_ATTRIBUTES } from "./counters";
import { conditionFailed } from "./cursors";
import { dossierIdOfKey, dossierIndexes, dossierKey, type Item } from "./keys";
import { decodeLog, encodeLog, LOG_ATTRIBUTE } from "./log-codec";

/**
 * The dossier item as written and read (lib/adapters/dynamodb/dossiers.ts writes it): its bytes
 * and their bound, its log, the condition it is written under, the transaction a change makes (the
 * dossiers' puts, their counters, the alerts raised), and what a refused write means.
 */

/**
 * The largest dossier item written, its compressed log included. DynamoDB refuses items over
 * 400 KB; a seed dossier's is about 300 bytes, and 500 events of the seed's kinds about 10 KB. A
 * write that would pass this is quarantined with the reason instead of failing forever, well
 * before DynamoDB's own bound (and a transaction's 4 MB).
 */
export const MAX_DOSSIER_ITEM_BYTES = 256 * 1024;

/** The size of an item as DynamoDB counts it, near enough: attribute names plus values. */
export function itemBytes(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    n += Buffer.byteLength(k);
    if (v instanceof Uint8Array) n += v.length;
    else n += typeof v === "string" ? Buffer.byteLength(v) : Buffer.byteLength(JSON.stringify(v));
  }
  return n;
}

/**
 * An item past DynamoDB's (or this store's) bound. Thrown by the item builders below and turned
 * into the port's `item_too_large` refusal by the methods that take them (`commit`, bulk `itemsOf`).
 */
export class ItemTooLargeError extends Error {}

/** `build()`, or the item it would not build as the port's refusal. */
export function itemsOrRefusal<T>(build: () => T): Result<T, { kind: "item_too_large"; message: string }> {
  try {
    return ok(build());
  } catch (e) {
    if (e instanceof ItemTooLargeError) return err({ kind: "item_too_large", message: e.message });
    throw e;
  }
}

/**
 * A dossier item: the record, its compressed log, its key and its index attributes. Checked
 * before writing, since an item DynamoDB refuses would fail every later event of the dossier:
 * throws {@link ItemTooLargeError} past {@link MAX_DOSSIER_ITEM_BYTES}.
 */
export function dossierItem(record: DossierRecord, log: readonly DossierEvent[]): Item {
  const item: Item = { ...record, ...dossierKey(record.dossierId), [LOG_ATTRIBUTE]: encodeLog(log) };
  const bytes = itemBytes(item);
  if (bytes > MAX_DOSSIER_ITEM_BYTES)
    throw new ItemTooLargeError(
      `the dossier's item would be ${bytes} bytes with its ${log.length} events, more than ${MAX_DOSSIER_ITEM_BYTES}`,
    );
  return Object.assign(item, dossierIndexes(record));
}

/** The log a dossier item holds, or `undefined` for an item written before the log moved inside. */
export function logOfItem(item: Item): DossierEvent[] | undefined {
  const bytes = item[LOG_ATTRIBUTE];
  return bytes instanceof Uint8Array ? decodeLog(dossierIdOfKey(item), bytes) : undefined;
}

/**
 * A cancelled commit's expected cause, as the port's refusal; undefined for anything else. The
 * transaction's first items are the dossiers' puts, in the order of `changes`: a refusal names the
 * dossiers whose own put was refused.
 */
export function commitRefusalOf(e: unknown, changes: readonly CommitArgs[]): CommitRefusal | undefined {
  const cancelled =
    e instanceof TransactionCanceledException || (e as Error).name === "TransactionCanceledException";
  // A plain put meeting another writer's transaction on the same item is refused with
  // TransactionConflictException, which the SDK does not retry: the same race as a changed
  // version, so the dossier is read again rather than the message failed.
  const conflict = (e as Error).name === "TransactionConflictException";
  if (!cancelled && !conflict && !conditionFailed(e)) return undefined;
  const reasons = cancelled ? ((e as TransactionCanceledException).CancellationReasons ?? []) : [];
  const refused = (r: { Code?: string }) =>
    r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict";
  if (cancelled && !reasons.some(refused)) return undefined;
  // The dossiers' version checks, or an alert another sweep raised first: read again.
  const ids = cancelled
    ? changes.filter((_, i) => reasons[i] && refused(reasons[i])).map((c) => c.record.dossierId)
    : changes.map((c) => c.record.dossierId);
  const named = ids.length ? ids : changes.map((c) => c.record.dossierId);
  return {
    kind: "version_conflict",
    message:
      named.length === 1
        ? `dossier ${named[0]} changed since it was read`
        : `${named.length} dossiers (${named.slice(0, 3).join(", ")}${named.length > 3 ? ", …" : ""}) changed since they were read, or their counters were being written`,
    dossierIds: ids,
  };
}

/** The condition a dossier item is written under: new, or still at the version read. */
export const versionCondition = (previousVersion: number) =>
  previousVersion === 0
    ? { ConditionExpression: "attribute_not_exists(pk)" }
    : { ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": previousVersion } };

/** An item of a commit's transaction. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/**
 * The transaction's items: the dossiers' puts first (in order: a cancellation's reasons are read
 * by index), then the counter deltas summed per item, then the alerts. Throws
 * {@link ItemTooLargeError} for an item past the bound, or an update naming too many attributes.
 */
export function commitItems(tableName: string, changes: readonly CommitArgs[]): TransactItem[] {
  const items: TransactItem[] = changes.map(({ record, log, previousVersion }) => ({
    Put: {
      TableName: tableName,
      Item: dossierItem(record, log),
      ...versionCondition(previousVersion),
    },
  }));
  const deltas =
    changes.length === 1 ? (changes[0]?.deltas ?? []) : mergeDeltas(changes.flatMap((c) => c.deltas));
  for (const d of deltas) {
    const attributes = counterAttributeCount(d);
    if (attributes > MAX_COUNTER_ATTRIBUTES)
      throw new ItemTooLargeError(
        `a counter update of ${attributes} attributes, more than ${MAX_COUNTER_ATTRIBUTES}`,
      );
    items.push({ Update: counterUpdate(tableName, d) });
  }
  for (const { record, alerts } of changes) items.push(...alertItems(tableName, record, alerts ?? []));
  return items;
}

/** A raised alert's items: pending in the queue (and the desk's copy), and in the dossier's history. */
function alertItems(
  tableName: string,
  record: DossierRecord,
  alerts: NonNullable<CommitArgs["alerts"]>,
): TransactItem[] {
  const items: TransactItem[] = [];
  for (const { trigger, raisedAt } of alerts) {
    const alert: PendingAlert = {
      unitId: record.unitId ?? NO_UNIT,
      kind: trigger.kind,
      key: trigger.key,
      raisedAt,
      dossier: alertSnapshot(record),
      ...(trigger.mark !== undefined && { mark: trigger.mark }),
    };
    items.push({ Put: pendingAlertPut(tableName, alert) });
    // The dossier's own record of it, kept once the digest has sent it (its timeline).
    items.push({ Update: alertHistoryUpdate(tableName, record.dossierId, alert) });
    // The desk's copy in the same transaction: both are raised, or neither.
    if (trigger.oneStopDesk)
      items.push({ Put: pendingAlertPut(tableName, { ...alert, recipient: "one_stop_desk" }) });
    // Leadership's copy, for a stage that is the unit's and leadership's (docs/rules.md R4).
    if (trigger.leadership)
      items.push({ Put: pendingAlertPut(tableName, { ...alert, recipient: "leadership" }) });
  }
  return items;
}
