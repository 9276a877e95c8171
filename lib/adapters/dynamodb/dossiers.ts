import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  CommitArgs,
  CommitRefusal,
  DossierLog,
  DueChecks,
  PageResult,
  SlaLists,
  StoredEvents,
} from "../../app/ports";
import type { DossierEvent } from "../../domain/events/schema";
import {
  type AlertHistoryEntry,
  alertSnapshot,
  type DossierRecord,
  NO_UNIT,
  type PendingAlert,
  storableEvent,
  storedKey,
} from "../../domain/records";
import { err, ok, type Result } from "../../domain/result";
import type { SlaState } from "../../domain/sla";
import { alertHistoryUpdate, pendingAlertPut } from "./alerts";
import { counterUpdate } from "./counters";
import { conditionFailed, TableAccess } from "./cursors";
import {
  ALERT_HISTORY_PREFIX,
  DOSSIER_SK,
  dossierIdOfKey,
  dossierIndexes,
  dossierKey,
  dossierPk,
  EVENT_SK_PREFIX,
  eventOfKey,
  eventSk,
  type Item,
  recordOfItem,
  slaKeyOf,
  sweepPartition,
} from "./keys";
import { SWEEP_SHARDS, TABLE } from "./table";

/**
 * Dossiers and their event log: one partition per dossier, the dossier item (`DOSSIER`) and its
 * event records (`E#…`), written together in one transaction with the counters and alerts the
 * change makes; and the two sparse indexes over dossier items (the sweep's, the SLA lists').
 */

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const MAX_TRANSACTION_ITEMS = 100;
/** The first page of a dossier's partition when its log may be full: an ordinary dossier entire. */
const FIRST_PAGE = 64;
/**
 * The largest dossier item written. DynamoDB refuses items over 400 KB; a normal one is about
 * 2 KB. A write that would pass this is quarantined with the reason instead of failing forever.
 */
export const MAX_DOSSIER_ITEM_BYTES = 64 * 1024;
/** The largest event record written (a valid event is far smaller: its fields are bounded). */
export const MAX_EVENT_ITEM_BYTES = 32 * 1024;

/** The size of an item as DynamoDB counts it, near enough: attribute names plus values. */
function itemBytes(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    n +=
      Buffer.byteLength(k) +
      (typeof v === "string" ? Buffer.byteLength(v) : Buffer.byteLength(JSON.stringify(v)));
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
 * An event record: the event (without free-text reasons) under its identity in the dossier's
 * partition. Throws {@link ItemTooLargeError} past {@link MAX_EVENT_ITEM_BYTES}.
 */
export function eventItem(event: DossierEvent, appliedAt: number): Item {
  const item = {
    pk: dossierPk(event.dossierId),
    sk: eventSk(event),
    type: event.type,
    occurredAt: event.occurredAt,
    appliedAt,
    body: JSON.stringify(storableEvent(event)),
  };
  const bytes = itemBytes(item);
  if (bytes > MAX_EVENT_ITEM_BYTES)
    throw new ItemTooLargeError(
      `the event would be stored as ${bytes} bytes, more than ${MAX_EVENT_ITEM_BYTES}`,
    );
  return item;
}

/**
 * A dossier item: the record, its key and its index attributes. Checked before writing, since an
 * item DynamoDB refuses would fail every later event of the dossier: throws
 * {@link ItemTooLargeError} past {@link MAX_DOSSIER_ITEM_BYTES}.
 */
export function dossierItem(record: DossierRecord): Item {
  const item: Item = { ...record, ...dossierKey(record.dossierId) };
  const bytes = itemBytes(item);
  if (bytes > MAX_DOSSIER_ITEM_BYTES)
    throw new ItemTooLargeError(
      `the dossier's record would be ${bytes} bytes, more than ${MAX_DOSSIER_ITEM_BYTES}`,
    );
  return Object.assign(item, dossierIndexes(record));
}

/** A cancelled commit's expected cause, as the port's refusal; undefined for anything else. */
function commitRefusalOf(e: unknown, { event, record }: CommitArgs): CommitRefusal | undefined {
  if (!(e instanceof TransactionCanceledException || (e as Error).name === "TransactionCanceledException"))
    return undefined;
  const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
  if (event && reasons[0]?.Code === "ConditionalCheckFailed")
    return {
      kind: "duplicate_event",
      message: `event ${event.eventId} of ${event.source} is already stored`,
    };
  if (reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict"))
    // The dossier's version check, or an alert another sweep raised first: read again.
    return { kind: "version_conflict", message: `dossier ${record.dossierId} changed since it was read` };
  return undefined;
}

export class Dossiers extends TableAccess implements DossierLog, StoredEvents, DueChecks, SlaLists {
  async get(dossierId: string): Promise<DossierRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dossierKey(dossierId), ConsistentRead: true }),
    );
    return out.Item ? recordOfItem(out.Item) : undefined;
  }

  /**
   * The dossier and its stored events in one strongly consistent query: they share a partition,
   * so a re-projection costs one read request. The dossier item sorts first (`DOSSIER` < `E#…`):
   * with `stopAtLogSize`, a dossier whose log already holds that many events is answered with
   * `full` and no log after the first page, which is small enough to hold a whole ordinary dossier.
   */
  async getWithLog(
    dossierId: string,
    options: { stopAtLogSize?: number } = {},
  ): Promise<{ dossier?: DossierRecord; log: DossierEvent[]; full?: boolean; alerts: AlertHistoryEntry[] }> {
    let dossier: DossierRecord | undefined;
    const log: DossierEvent[] = [];
    const alerts: AlertHistoryEntry[] = [];
    let start: Record<string, unknown> | undefined;
    let first = true;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk",
          ExpressionAttributeValues: { ":pk": dossierPk(dossierId) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
          ...(first && options.stopAtLogSize !== undefined ? { Limit: FIRST_PAGE } : {}),
        }),
      );
      first = false;
      start = out.LastEvaluatedKey;
      for (const item of out.Items ?? []) {
        if (item.sk === DOSSIER_SK) {
          dossier = recordOfItem(item);
          const stop = options.stopAtLogSize;
          if (stop !== undefined && (dossier.logSize ?? 0) >= stop)
            return { dossier, log: [], full: true, alerts };
        } else if ((item.sk as string).startsWith(EVENT_SK_PREFIX))
          log.push(JSON.parse(item.body as string) as DossierEvent);
        else if ((item.sk as string).startsWith(ALERT_HISTORY_PREFIX)) {
          const { pk: _pk, sk: _sk, ...entry } = item;
          alerts.push(entry as AlertHistoryEntry);
        }
      }
    } while (start);
    return { dossier, log, alerts };
  }

  /**
   * One transaction: the event record only if its eventId is new, the dossier only if its version
   * is the one read, and the counter deltas (README "Architecture"). The expected races and
   * bounds are answered as refusals; anything else DynamoDB says is thrown.
   */
  async commit(args: CommitArgs): Promise<Result<void, CommitRefusal>> {
    const built = itemsOrRefusal(() => this.commitItems(args));
    if (!built.ok) return built;
    const items = built.value;
    if (items.length > MAX_TRANSACTION_ITEMS) {
      return err({
        kind: "transaction_too_large",
        message: `${items.length} items: more than one DynamoDB transaction can hold`,
      });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return ok(undefined);
    } catch (e) {
      const refusal = commitRefusalOf(e, args);
      if (refusal) return err(refusal);
      throw e;
    }
  }

  /** The transaction's items; throws {@link ItemTooLargeError} for one past the bound. */
  private commitItems(args: CommitArgs): TransactItem[] {
    const { event, record, deltas, previousVersion } = args;
    const items: TransactItem[] = [];
    if (event) {
      items.push({
        Put: {
          TableName: this.tableName,
          Item: eventItem(event, args.appliedAt),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
    }
    items.push({
      Put: {
        TableName: this.tableName,
        Item: dossierItem(record),
        ...(previousVersion === 0
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : { ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": previousVersion } }),
      },
    });
    for (const d of deltas) items.push({ Update: counterUpdate(this.tableName, d) });
    for (const { trigger, raisedAt } of args.alerts ?? []) {
      const alert: PendingAlert = {
        unitId: record.unitId ?? NO_UNIT,
        kind: trigger.kind,
        key: trigger.key,
        raisedAt,
        dossier: alertSnapshot(record),
      };
      items.push({ Put: pendingAlertPut(this.tableName, alert) });
      // The dossier's own record of it, kept once the digest has sent it (its timeline).
      items.push({ Update: alertHistoryUpdate(this.tableName, record.dossierId, alert) });
      // The desk's copy in the same transaction: both are raised, or neither.
      if (trigger.oneStopDesk)
        items.push({ Put: pendingAlertPut(this.tableName, { ...alert, recipient: "one_stop_desk" }) });
    }
    return items;
  }

  /**
   * Which of these events are stored (applied, or recognised as duplicates of applied ones), by
   * `storedKey` (lib/domain/records.ts), with the stored body: what POST /events answers
   * `duplicate` (same body) and what shows a quarantined event applied since.
   */
  async storedEvents(
    events: readonly { dossierId: string; eventId: string; source?: string }[],
  ): Promise<Map<string, DossierEvent>> {
    const seen = new Map<string, DossierEvent>();
    const keys = [...new Map(events.map((e) => [storedKey(e), e])).values()].map((e) => ({
      pk: dossierPk(e.dossierId),
      sk: eventSk(e),
    }));
    for (let i = 0; i < keys.length; i += 100) {
      let request:
        | Record<string, { Keys: Record<string, string>[]; ProjectionExpression: string }>
        | undefined = {
        [this.tableName]: { Keys: keys.slice(i, i + 100), ProjectionExpression: "pk, sk, body" },
      };
      while (request && Object.keys(request).length) {
        const out = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of out.Responses?.[this.tableName] ?? [])
          seen.set(storedKey(eventOfKey(item)), JSON.parse(item.body as string) as DossierEvent);
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return seen;
  }

  /** One stored event by its identity (a point read: no need to read the whole log). */
  async getEvent(e: { dossierId: string; eventId: string; source?: string }) {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: dossierPk(e.dossierId), sk: eventSk(e) },
        ConsistentRead: true,
      }),
    );
    return out.Item ? (JSON.parse(out.Item.body as string) as DossierEvent) : undefined;
  }

  /**
   * Moves a dossier's next check to `until`, if it is still `from` (a failed check must not keep
   * the head of the sweep index; a change since sets its own next check).
   */
  async postponeCheck(dossierId: string, from: number, until: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dossierKey(dossierId),
          UpdateExpression: "SET nextCheckAt = :until",
          ConditionExpression: "nextCheckAt = :from",
          ExpressionAttributeValues: { ":from": from, ":until": until },
        }),
      );
      return true;
    } catch (e) {
      if (conditionFailed(e)) return false;
      throw e;
    }
  }

  /**
   * Dossiers whose next check is due by `until`, from the sparse index only, oldest first, at most
   * `limit` per shard: a run that cannot finish them all (a quarter's rollover) leaves the rest to
   * the next run.
   */
  async dueForCheck(until: number, limit = 1000): Promise<{ dossierId: string; nextCheckAt: number }[]> {
    const out: { dossierId: string; nextCheckAt: number }[] = [];
    for (let shard = 0; shard < SWEEP_SHARDS; shard++) {
      const items = await this.queryAll(
        {
          IndexName: TABLE.sweepIndex.name,
          KeyConditionExpression: "gsi1pk = :s AND nextCheckAt <= :until",
          ExpressionAttributeValues: { ":s": sweepPartition(shard), ":until": until },
          Limit: Math.min(limit, 1000),
        },
        limit,
      );
      for (const i of items) out.push({ dossierId: dossierIdOfKey(i), nextCheckAt: i.nextCheckAt as number });
    }
    return out.sort((a, b) => a.nextCheckAt - b.nextCheckAt);
  }

  /**
   * One page of a unit's open dossiers in an SLA state (or the orphans), oldest due first, from
   * the sparse `bySla` index: items read grow with the page, not with the table.
   */
  async listBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    options: { limit?: number; cursor?: string } = {},
  ): Promise<PageResult<DossierRecord>> {
    const page = await this.page(
      {
        IndexName: TABLE.slaIndex.name,
        KeyConditionExpression: "slaKey = :k",
        ExpressionAttributeValues: { ":k": slaKeyOf(unitId, sla) },
      },
      options,
    );
    if (!page.ok) return page;
    return ok({ items: page.value.items.map(recordOfItem), cursor: page.value.cursor });
  }

  /**
   * Writes dossier records as they are, with their index attributes, in parallel batches and
   * without conditions, counters or log: for filling a table in bulk (the bench's open dossiers),
   * never for applying events.
   */
  async seed(
    records: readonly (Pick<DossierRecord, "dossierId" | "version" | "received"> & Partial<DossierRecord>)[],
  ): Promise<void> {
    await this.writeBatches(
      records.map((r) => ({
        PutRequest: { Item: { ...r, ...dossierKey(r.dossierId), ...dossierIndexes(r) } },
      })),
      16,
    );
  }
}
