import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type {
  CommitArgs,
  CommitRefusal,
  DossierBatches,
  DossierIds,
  DossierLog,
  DossierUnits,
  DossierWithLog,
  DueChecks,
  EventIdentity,
  SlaLists,
  StoredEvents,
} from "../../app/ports";
import type { DossierEvent } from "../../domain/events/schema";
import { type AlertHistoryEntry, type DossierRecord, storedKey } from "../../domain/records";
import { err, ok, type Result } from "../../domain/result";
import { conditionFailed, TableAccess } from "./cursors";
import { commitItems, commitRefusalOf, itemBytes, itemsOrRefusal, logOfItem } from "./dossier-items";
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
  sweepPartition,
} from "./keys";
import { LOG_ATTRIBUTE } from "./log-codec";
import { SlaIndex } from "./sla-index";
import { SWEEP_SHARDS, TABLE } from "./table";

/**
 * Dossiers and their event log: one partition per dossier, the dossier item (`DOSSIER`) holding
 * the projection and, compressed, the log of its events (`z1`, ./log-codec.ts), written alone
 * (one conditional put) when the change moves no counter and raises no alert, else in one
 * transaction with the counters and alerts it makes; and the two sparse indexes over dossier
 * items (the sweep's, the SLA lists'). Dossier items written before the log moved inside have no
 * `z1`: their log is read from their event records (`E#…`), and their next write carries it.
 */

const MAX_TRANSACTION_ITEMS = 100;
/** What one transaction may carry: DynamoDB takes 4 MB; kept below it for the request's own bytes. */
const MAX_TRANSACTION_BYTES = 3.5 * 1024 * 1024;
/** The first page of a dossier's partition when its log may be full: an ordinary dossier entire. */
const FIRST_PAGE = 64;
export class Dossiers
  extends TableAccess
  implements DossierLog, DossierBatches, StoredEvents, DueChecks, SlaLists, DossierIds, DossierUnits
{
  async get(dossierId: string): Promise<DossierRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dossierKey(dossierId), ConsistentRead: true }),
    );
    return out.Item ? recordOfItem(out.Item) : undefined;
  }

  /**
   * The unit a stored dossier counts under (`null`: stored with none), or `undefined` when none is
   * stored: its item's one attribute, read by a query of its key (the query API's grant), so that a
   * scoped key's page costs the same for a dossier outside its units as for one never stored.
   */
  async unitOf(dossierId: string): Promise<string | null | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk = :sk",
        ExpressionAttributeValues: { ":pk": dossierPk(dossierId), ":sk": DOSSIER_SK },
        ExpressionAttributeNames: { "#unit": "unitId" },
        ProjectionExpression: "#unit",
        ConsistentRead: true,
      }),
    );
    const [item] = out.Items ?? [];
    if (!item) return undefined;
    return typeof item.unitId === "string" ? item.unitId : null;
  }

  /**
   * The dossier and its log: one strongly consistent point read of the dossier item, which holds
   * both. With `withAlerts` (the dossier's page), or for an item written before the log moved
   * inside, the partition is queried instead ({@link readPartition}).
   */
  async getWithLog(
    dossierId: string,
    options: { stopAtLogSize?: number; withAlerts?: boolean } = {},
  ): Promise<{ dossier?: DossierRecord; log: DossierEvent[]; full?: boolean; alerts: AlertHistoryEntry[] }> {
    if (options.withAlerts) return this.readPartition(dossierId, options);
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dossierKey(dossierId), ConsistentRead: true }),
    );
    if (!out.Item) return { log: [], alerts: [] };
    const log = logOfItem(out.Item);
    if (log) return { dossier: recordOfItem(out.Item), log, alerts: [] };
    return this.readPartition(dossierId, options);
  }

  /**
   * The dossier, its log and its alert history in one strongly consistent query of its
   * partition. The dossier item sorts first (`DOSSIER` < `E#…` < `H#…`): its `z1` is the log when
   * it has one (event records of before are then ignored); without it, the event records are, and
   * with `stopAtLogSize` a dossier whose log already holds that many events is answered with
   * `full` and no log after the first page.
   */
  private async readPartition(
    dossierId: string,
    options: { stopAtLogSize?: number; withAlerts?: boolean },
  ): Promise<{ dossier?: DossierRecord; log: DossierEvent[]; full?: boolean; alerts: AlertHistoryEntry[] }> {
    let dossier: DossierRecord | undefined;
    let inline: DossierEvent[] | undefined;
    const records: DossierEvent[] = [];
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
        const sk = item.sk as string;
        if (sk === DOSSIER_SK) {
          dossier = recordOfItem(item);
          inline = logOfItem(item);
          const stop = options.stopAtLogSize;
          if (!inline && !options.withAlerts && stop !== undefined && (dossier.logSize ?? 0) >= stop)
            return { dossier, log: [], full: true, alerts };
        } else if (sk.startsWith(EVENT_SK_PREFIX)) {
          if (!inline) records.push(JSON.parse(item.body as string) as DossierEvent);
        } else if (sk.startsWith(ALERT_HISTORY_PREFIX)) {
          const { pk: _pk, sk: _sk, ...entry } = item;
          alerts.push(entry as AlertHistoryEntry);
        }
      }
    } while (start);
    return { dossier, log: inline ?? records, alerts };
  }

  /**
   * Writes a change (README "Architecture"): the dossier item, with its whole log, only if its
   * version is the one read; alone (one conditional put) when it moves no counter and raises no
   * alert, else in one transaction with the counter deltas and alerts. An event already in the
   * log is a duplicate before any write; one applied meanwhile by another delivery changed the
   * version. The expected races and bounds are answered as refusals; anything else is thrown.
   */
  async commit(args: CommitArgs): Promise<Result<void, CommitRefusal>> {
    return this.write([args]);
  }

  /**
   * Several dossiers' changes in one transaction (the consumer's batch): each dossier item under
   * its version, their counter deltas summed per counter item, so a counter item a batch moves
   * many times is written once. Refused as too large past DynamoDB's bounds of a transaction (100
   * items, 4 MB) or of one update expression, for the caller to write them apart.
   */
  async commitGroup(changes: readonly CommitArgs[]): Promise<Result<void, CommitRefusal>> {
    if (changes.some((c) => c.alerts?.length))
      throw new Error("commitGroup: alerts are committed one dossier at a time");
    return this.write(changes);
  }

  private async write(changes: readonly CommitArgs[]): Promise<Result<void, CommitRefusal>> {
    const built = itemsOrRefusal(() => commitItems(this.tableName, changes));
    if (!built.ok) return built;
    const items = built.value;
    const bytes = items.reduce((n, i) => n + (i.Put ? itemBytes(i.Put.Item as Item) : 0), 0);
    if (items.length > MAX_TRANSACTION_ITEMS || bytes > MAX_TRANSACTION_BYTES) {
      return err({
        kind: "transaction_too_large",
        message: `${items.length} items of ${bytes} bytes: more than one DynamoDB transaction can hold`,
      });
    }
    try {
      const [only] = items;
      if (items.length === 1 && only?.Put) await this.client.send(new PutCommand(only.Put));
      else await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return ok(undefined);
    } catch (e) {
      const refusal = commitRefusalOf(e, changes);
      if (refusal) return err(refusal);
      throw e;
    }
  }

  /**
   * Dossiers and their logs, 100 keys a request, strongly consistent (the consumer's batch): the
   * dossier item holds both. An item without its log inside (written before) is `undefined`, and
   * so is one whose log cannot be read: read alone, its failure is its own, not the batch's.
   */
  async getMany(dossierIds: readonly string[]): Promise<Map<string, DossierWithLog | undefined>> {
    const out = new Map<string, DossierWithLog | undefined>(dossierIds.map((id) => [id, { log: [] }]));
    for (const item of await this.batchGet(dossierIds.map(dossierKey), undefined, true)) {
      const log = readableLog(item);
      out.set(dossierIdOfKey(item), log ? { dossier: recordOfItem(item), log } : undefined);
    }
    return out;
  }

  async versionsOf(dossierIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(dossierIds.map((id) => [id, 0]));
    for (const item of await this.batchGet(dossierIds.map(dossierKey), "pk, version", true))
      out.set(dossierIdOfKey(item), Number(item.version ?? 0));
    return out;
  }

  /**
   * Which of these events are stored (applied, or recognised as duplicates of applied ones), by
   * `storedKey` (lib/domain/records.ts), with the stored body: what POST /events answers
   * `duplicate` (same body) and what shows a quarantined event applied since. One read of each
   * dossier's item; the event records of a dossier written before the log moved inside.
   */
  async storedEvents(events: readonly EventIdentity[]): Promise<Map<string, DossierEvent>> {
    const seen = new Map<string, DossierEvent>();
    const ids = [...new Set(events.map((e) => e.dossierId))];
    const legacy = new Set<string>();
    for (const item of await this.batchGet(ids.map(dossierKey), `pk, ${LOG_ATTRIBUTE}`)) {
      const log = logOfItem(item);
      if (!log) legacy.add(dossierIdOfKey(item));
      for (const e of log ?? []) seen.set(storedKey(e), e);
    }
    const asked = new Map(events.map((e) => [storedKey(e), e]));
    for (const key of seen.keys()) if (!asked.has(key)) seen.delete(key);
    const old = [...asked.values()].filter((e) => legacy.has(e.dossierId));
    const keys = old.map((e) => ({ pk: dossierPk(e.dossierId), sk: eventSk(e) }));
    for (const item of await this.batchGet(keys, "pk, sk, body"))
      seen.set(storedKey(eventOfKey(item)), JSON.parse(item.body as string) as DossierEvent);
    return seen;
  }

  /** One stored event by its identity. */
  async getEvent(e: EventIdentity): Promise<DossierEvent | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: dossierKey(e.dossierId), ConsistentRead: true }),
    );
    const log = out.Item && logOfItem(out.Item);
    if (log) return log.find((s) => storedKey(s) === storedKey(e));
    const record = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: dossierPk(e.dossierId), sk: eventSk(e) },
        ConsistentRead: true,
      }),
    );
    return record.Item ? (JSON.parse(record.Item.body as string) as DossierEvent) : undefined;
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
   * Every dossier's id, a page at a time: a Scan of the whole table, its dossier items kept. For an
   * operator's recount (lib/app/recount.ts), never a handler's: no function is granted Scan.
   */
  async *allDossierIds(): AsyncGenerator<string[]> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ProjectionExpression: "pk",
          FilterExpression: "sk = :d AND begins_with(pk, :p)",
          ExpressionAttributeValues: { ":d": DOSSIER_SK, ":p": "D#" },
          ...(start && { ExclusiveStartKey: start }),
        }),
      );
      yield (page.Items ?? []).map(dossierIdOfKey);
      start = page.LastEvaluatedKey;
    } while (start);
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

  /** The `bySla` index's lists and counts (./sla-index.ts). */
  private readonly sla = new SlaIndex(this.client, this.tableName);
  listBySla(...args: Parameters<SlaLists["listBySla"]>) {
    return this.sla.listBySla(...args);
  }
  countBySla(...args: Parameters<SlaLists["countBySla"]>) {
    return this.sla.countBySla(...args);
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

/** An item's log, or undefined when it has none inside or it cannot be decoded. */
function readableLog(item: Item): DossierEvent[] | undefined {
  try {
    return logOfItem(item);
  } catch {
    return undefined;
  }
}
