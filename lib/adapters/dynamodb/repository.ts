import { createHash } from "node:crypto";
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { AlertKind, AlertTrigger } from "../../domain/alerts";
import type { Counted, CounterDelta } from "../../domain/counting";
import type { DossierEvent } from "../../domain/events/schema";
import type { Period } from "../../domain/periods";
import type { AnomalyKind, DossierState, SlaState } from "../../domain/projection";
import {
  addCounts,
  COUNTER_KEYS,
  type Counts,
  levelDomainKey,
  type PeriodCounts,
  zeroCounts,
} from "../../domain/report";
import { localDate } from "../../domain/time";
import { type Contact, type IntegrationGrant, type Unit, UnitDirectory } from "../../domain/units";
import { SWEEP_SHARDS, TABLE } from "./table";

/**
 * The DynamoDB repository: the only module that knows keys and builds expressions
 * (STYLE.md 1). Clients are injected (STYLE.md 5).
 */

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const dossierPk = (id: string) => `D#${id}`;
const DOSSIER_SK = "DOSSIER";
/**
 * An event record's sort key: its identity is (source, eventId) within the dossier (issue 12). An
 * eventId holds no `#` (events.md), so the source is everything after the second `#`.
 */
const eventSk = (e: { eventId: string; source?: string }) => `E#${e.eventId}#${e.source ?? ""}`;
const countersPk = (period: string) => `K#${period}`;
const QUARANTINE_PK = "Q";
const ORPHANS = "(orphans)";
/** The SLA states the API lists (`GET /dossiers?sla=`). */
export const LISTED_SLA = new Set<SlaState>(["near_due", "overdue", "paused"]);
const ALERTS_PK = "ALERTQ";
const LEASE_PK = "LEASE";
const SUPPRESSED_PK = "SUPPRESSED";
const UNIT_PK = "UNIT";
const LEADERSHIP_SK = "#leadership";
const INTEGRATIONS_SK = "#integrations";
const digestPk = (date: string) => `DIGEST#${date}`;

/** What a digest shows of a dossier, copied when the alert is raised (no applicant data). */
export interface AlertSnapshot {
  dossierId: string;
  procedureCode?: string;
  domain?: string;
  receivedAt?: number;
  kpiDueAt?: number;
  appointmentAt?: number;
  apologyIssued: boolean;
  extensions: number;
  lastEventAt?: number;
}

/** An alert waiting to go out in its unit's next digest. */
export interface PendingAlert {
  unitId: string;
  kind: AlertKind;
  key: number;
  raisedAt: number;
  dossier: AlertSnapshot;
}

const alertSk = (a: Pick<PendingAlert, "unitId" | "kind" | "key"> & { dossier: { dossierId: string } }) =>
  `${a.unitId}#${a.kind}#${a.dossier.dossierId}#${a.key}`;

function alertSnapshot(r: DossierRecord): AlertSnapshot {
  return {
    dossierId: r.dossierId,
    procedureCode: r.procedureCode,
    domain: r.domain,
    receivedAt: r.receivedAt,
    kpiDueAt: r.kpiDueAt,
    appointmentAt: r.appointmentAt,
    apologyIssued: r.apologyIssued,
    extensions: r.extensions,
    lastEventAt: r.lastEventAt,
  };
}
const MAX_TRANSACTION_ITEMS = 100;
/** The first page of a dossier's partition when its log may be full: an ordinary dossier entire. */
const FIRST_PAGE = 64;

/** The stored summary of a dossier: no applicant data, only what KPIs, alerts and the API need. */
export interface DossierRecord {
  dossierId: string;
  version: number;
  received: boolean;
  unitId?: string;
  originUnitId?: string;
  domain?: string;
  procedureCode?: string;
  channel?: string;
  level?: string;
  receivedAt?: number;
  kpiDueAt?: number;
  appointmentAt?: number;
  paused: boolean;
  supplementRequests: number;
  extensions: number;
  apologyIssued: boolean;
  resolvedAt?: number;
  returnedAt?: number;
  withdrawnAt?: number;
  closedAt?: number;
  firstEventAt?: number;
  lastEventAt?: number;
  eventCount: number;
  /** How many event records the dossier's log holds (what {@link MAX_EVENTS_PER_DOSSIER} bounds). */
  logSize?: number;
  /** The source of the `received` that created it: only it (and sources granted it) may change it. */
  owner?: string;
  /** Anomalies by kind, counted over the whole log. */
  anomalyCounts?: Partial<Record<AnomalyKind, number>>;
  /** The last {@link KEPT_ANOMALIES} anomalies with their event ids (bounded, so the item is). */
  anomalies: { kind: AnomalyKind; eventId?: string }[];
  counted: Counted;
  nextCheckAt?: number;
  /** Alert marks of the sweep: the threshold key each alert kind was last raised for. */
  marks?: Record<string, number>;
  /** SLA state when last written (kept current by the sweep's next checks). */
  sla?: SlaState;
}

/** A stored event: the contract's fields minus free-text reasons (they may name people). */
export function storableEvent(event: DossierEvent): DossierEvent {
  if (event.type === "dossier.supplement_requested" || event.type === "dossier.withdrawn") {
    const { reason: _omitted, ...data } = event.data;
    return { ...event, data } as DossierEvent;
  }
  return event;
}

/**
 * The most events one dossier's log may hold. A real dossier has a few dozen at most (the seed's
 * largest has 9; a portal sync with long supplement lists a few hundred): every event re-projects
 * the whole log, so this also bounds what one event costs to apply, and keeps one integration from
 * growing a dossier without end. Beyond it events are quarantined with the reason.
 */
export const MAX_EVENTS_PER_DOSSIER = 500;
/** Anomalies kept with their event ids on the dossier item; the rest are only counted. */
export const KEPT_ANOMALIES = 5;
/**
 * The largest dossier item written. DynamoDB refuses items over 400 KB; a normal one is about
 * 2 KB. A write that would pass this is quarantined with the reason instead of failing forever.
 */
export const MAX_DOSSIER_ITEM_BYTES = 64 * 1024;
/** The largest event record written (a valid event is far smaller: its fields are bounded). */
export const MAX_EVENT_ITEM_BYTES = 32 * 1024;

/** The item would be larger than DynamoDB (or this store's bound) takes. */
export class ItemTooLargeError extends Error {}

/** The size of an item as DynamoDB counts it, near enough: attribute names plus values. */
export function itemBytes(item: Record<string, unknown>): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) {
    if (v === undefined) continue;
    n +=
      Buffer.byteLength(k) +
      (typeof v === "string" ? Buffer.byteLength(v) : Buffer.byteLength(JSON.stringify(v)));
  }
  return n;
}

/** The stored record of a planned dossier (lib/domain/plan.ts), at `version`. */
export function recordOf(
  plan: {
    state: DossierState;
    counted: Counted;
    nextCheckAt?: number;
    marks?: Record<string, number>;
    sla?: SlaState;
  },
  version: number,
  logSize?: number,
): DossierRecord {
  const { state, counted, nextCheckAt, marks, sla } = plan;
  const anomalyCounts: Partial<Record<AnomalyKind, number>> = {};
  for (const a of state.anomalies) anomalyCounts[a.kind] = (anomalyCounts[a.kind] ?? 0) + 1;
  return {
    dossierId: state.dossierId,
    version,
    owner: state.owner,
    logSize,
    received: state.received,
    unitId: state.unitId,
    originUnitId: state.originUnitId,
    domain: state.domain,
    procedureCode: state.procedureCode,
    channel: state.channel,
    level: state.level,
    receivedAt: state.receivedAt,
    kpiDueAt: state.kpiDueAt,
    appointmentAt: state.appointmentAt,
    paused: state.paused,
    supplementRequests: state.supplementRequests,
    extensions: state.extensions.length,
    apologyIssued: state.extensions.some((e) => e.apologyIssued),
    resolvedAt: state.resolvedAt,
    returnedAt: state.returnedAt,
    withdrawnAt: state.withdrawnAt,
    closedAt: state.closedAt,
    firstEventAt: state.firstEventAt,
    lastEventAt: state.lastEventAt,
    eventCount: state.timeline.length,
    anomalyCounts,
    anomalies: state.anomalies.slice(-KEPT_ANOMALIES).map((a) => ({ kind: a.kind, eventId: a.eventId })),
    counted,
    nextCheckAt,
    marks,
    sla,
  };
}

/** The `bySla` index entry of a dossier, if it belongs in one of its lists. */
function slaIndexOf(record: DossierRecord): { slaKey: string; slaSort: number } | undefined {
  if (!record.received) return { slaKey: `${ORPHANS}#orphan`, slaSort: record.firstEventAt ?? 0 };
  if (record.closedAt !== undefined || !record.sla || !LISTED_SLA.has(record.sla)) return undefined;
  return { slaKey: `${record.unitId ?? "(none)"}#${record.sla}`, slaSort: record.kpiDueAt ?? 0 };
}

/** The event's `eventId` is already stored: a duplicate, applied once before. */
export class DuplicateEventError extends Error {}
/** The dossier changed since it was read: read again and retry. */
export class VersionConflictError extends Error {}
/** More counter items than one transaction can hold. */
export class TransactionTooLargeError extends Error {}
/** A page cursor this store did not hand out (or one for another listing). */
export class InvalidCursorError extends Error {}

/** The key a listing stopped at, as an opaque cursor for the next page. */
const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString("base64url") : undefined;

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const scalar = (v: unknown) => typeof v === "string" || typeof v === "number";
    if (typeof key === "object" && key !== null && !Array.isArray(key) && Object.values(key).every(scalar))
      return key;
  } catch {}
  throw new InvalidCursorError("not a cursor this API handed out");
}

/** Whether an error is DynamoDB saying slow down or try again (throttling, 5xx). */
export function isRetryable(error: unknown): boolean {
  const e = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; name?: string };
  return (
    Boolean(e?.$retryable) ||
    (e?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    e?.name === "ProvisionedThroughputExceededException" ||
    e?.name === "ThrottlingException"
  );
}

export interface QuarantineRecord {
  id: string;
  at: number;
  reason: string;
  problems?: { path: string; message: string }[];
  eventId?: string;
  dossierId?: string;
  type?: string;
  source?: string;
  /**
   * What arrived, as far as the contract knows it (lib/domain/events/redact.ts: other fields are named,
   * never kept), cut to 16 KB, so it can be corrected and sent again.
   */
  body: string;
  /**
   * For a conflict (a second, different body under an event identity already applied): the
   * applied body's contract fields, next to the refused one's in `body`.
   */
  applied?: string;
}

/**
 * The key {@link DossierStore.storedEvents} answers with: the event's identity, (dossier, source,
 * eventId). Give the source the event was stored under (the caller's, over HTTP).
 */
export const storedKey = (e: { dossierId: string; eventId: string; source?: string }) =>
  `${e.dossierId}\u0000${e.source ?? ""}\u0000${e.eventId}`;

const quarantineOf = ({ pk: _pk, sk: _sk, [TABLE.ttlAttribute]: _ttl, ...rest }: Item) =>
  rest as unknown as QuarantineRecord;

export class DossierStore {
  /** Items this store has read, for the bench (request units are metered on the client there). */
  readonly consumed = { itemsRead: 0 };

  constructor(
    readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  async getDossier(dossierId: string): Promise<DossierRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: dossierPk(dossierId), sk: DOSSIER_SK },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    this.consumed.itemsRead++;
    return fromItem(out.Item);
  }

  /** Every page of a query, or the first `max` items when given. */
  private async queryAll(input: QueryCommandInput, max = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start && items.length < max);
    this.consumed.itemsRead += items.length;
    return items;
  }

  /** One page of a query, from a cursor a previous page handed out. */
  private async page(
    input: QueryCommandInput,
    options: { limit?: number; cursor?: string },
  ): Promise<{ items: Item[]; cursor?: string }> {
    const start = decodeCursor(options.cursor);
    try {
      const out = await this.client.send(
        new QueryCommand({ ...input, Limit: options.limit ?? 50, ExclusiveStartKey: start }),
      );
      this.consumed.itemsRead += out.Items?.length ?? 0;
      return { items: out.Items ?? [], cursor: encodeCursor(out.LastEvaluatedKey) };
    } catch (e) {
      // DynamoDB refuses a start key outside the query's partition: a cursor of another listing.
      if (start && (e as Error).name === "ValidationException")
        throw new InvalidCursorError("a cursor of another listing");
      throw e;
    }
  }

  /**
   * The dossier and its stored events in one strongly consistent query: they share a partition,
   * so a re-projection costs one read request. The dossier item sorts first (`DOSSIER` < `E#…`):
   * with `stopAtLogSize`, a dossier whose log already holds that many events is answered with
   * `full` and no log after the first page, which is small enough to hold a whole ordinary dossier.
   */
  async getDossierWithLog(
    dossierId: string,
    options: { stopAtLogSize?: number } = {},
  ): Promise<{ dossier?: DossierRecord; log: DossierEvent[]; full?: boolean }> {
    let dossier: DossierRecord | undefined;
    const log: DossierEvent[] = [];
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
        this.consumed.itemsRead++;
        if (item.sk === DOSSIER_SK) {
          dossier = fromItem(item);
          const stop = options.stopAtLogSize;
          if (stop !== undefined && (dossier.logSize ?? 0) >= stop) return { dossier, log: [], full: true };
        } else if ((item.sk as string).startsWith("E#"))
          log.push(JSON.parse(item.body as string) as DossierEvent);
      }
    } while (start);
    return { dossier, log };
  }

  /**
   * One transaction: the event record only if its eventId is new, the dossier only if its version
   * is the one read, and the counter deltas (DESIGN.md). Throws {@link DuplicateEventError} or
   * {@link VersionConflictError} for the expected races.
   */
  async commit(args: {
    event?: DossierEvent;
    appliedAt: number;
    previousVersion: number;
    record: DossierRecord;
    deltas: CounterDelta[];
    /** Alerts raised by this change: each one only if not raised before (conditional put). */
    alerts?: { trigger: AlertTrigger; raisedAt: number }[];
  }): Promise<void> {
    const { event, record, deltas, previousVersion } = args;
    const items: TransactItem[] = [];
    if (event) {
      const stored = storableEvent(event);
      const eventItem = {
        pk: dossierPk(event.dossierId),
        sk: eventSk(event),
        type: event.type,
        occurredAt: event.occurredAt,
        appliedAt: args.appliedAt,
        body: JSON.stringify(stored),
      };
      const bytes = itemBytes(eventItem);
      if (bytes > MAX_EVENT_ITEM_BYTES)
        throw new ItemTooLargeError(
          `the event would be stored as ${bytes} bytes, more than ${MAX_EVENT_ITEM_BYTES}`,
        );
      items.push({
        Put: { TableName: this.tableName, Item: eventItem, ConditionExpression: "attribute_not_exists(pk)" },
      });
    }
    const dossierItem: Item = { ...toItem(record), pk: dossierPk(record.dossierId), sk: DOSSIER_SK };
    // Checked before writing: an item DynamoDB refuses would fail every later event of the dossier.
    const dossierBytes = itemBytes(dossierItem);
    if (dossierBytes > MAX_DOSSIER_ITEM_BYTES)
      throw new ItemTooLargeError(
        `the dossier's record would be ${dossierBytes} bytes, more than ${MAX_DOSSIER_ITEM_BYTES}`,
      );
    if (record.nextCheckAt !== undefined) {
      dossierItem[TABLE.sweepIndex.partitionKey] = `CHECK#${shardOf(record.dossierId)}`;
    }
    Object.assign(dossierItem, slaIndexOf(record));
    items.push({
      Put: {
        TableName: this.tableName,
        Item: dossierItem,
        ...(previousVersion === 0
          ? { ConditionExpression: "attribute_not_exists(pk)" }
          : { ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": previousVersion } }),
      },
    });
    for (const d of deltas) items.push({ Update: counterUpdate(this.tableName, d) });
    for (const { trigger, raisedAt } of args.alerts ?? []) {
      const alert: PendingAlert = {
        unitId: record.unitId ?? "(none)",
        kind: trigger.kind,
        key: trigger.key,
        raisedAt,
        dossier: alertSnapshot(record),
      };
      items.push({
        Put: {
          TableName: this.tableName,
          Item: { pk: ALERTS_PK, sk: alertSk(alert), ...alert },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
    }
    if (items.length > MAX_TRANSACTION_ITEMS) {
      throw new TransactionTooLargeError(
        `${items.length} items: more than one DynamoDB transaction can hold`,
      );
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (e) {
      if (e instanceof TransactionCanceledException || (e as Error).name === "TransactionCanceledException") {
        const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
        const eventIndex = event ? 0 : -1;
        if (eventIndex === 0 && reasons[0]?.Code === "ConditionalCheckFailed") {
          throw new DuplicateEventError(`event ${event?.eventId} of ${event?.source} is already stored`);
        }
        if (reasons.some((r) => r.Code === "ConditionalCheckFailed" || r.Code === "TransactionConflict")) {
          // The dossier's version check, or an alert another sweep raised first: read again.
          throw new VersionConflictError(`dossier ${record.dossierId} changed since it was read`);
        }
      }
      throw e;
    }
  }

  /**
   * Keeps an event that cannot be applied, with its reason. Idempotent: the id is the hash of what
   * arrived (`arrived`, which is not stored), so a redelivered message is kept once.
   */
  async quarantine(
    record: Omit<QuarantineRecord, "id">,
    arrived: string,
    retentionDays = 90,
  ): Promise<QuarantineRecord> {
    const id = createHash("sha256").update(arrived).digest("hex");
    const body = record.body.length > 16_384 ? `${record.body.slice(0, 16_384)}…` : record.body;
    const item = { ...record, body, id };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: QUARANTINE_PK,
          sk: id,
          ...item,
          [TABLE.ttlAttribute]: Math.floor(record.at / 1000) + retentionDays * 86_400,
        },
      }),
    );
    return item;
  }

  /**
   * Which of these events are stored (applied, or recognised as duplicates of applied ones), by
   * {@link storedKey}, with the stored body: what POST /events answers `duplicate` (same body) and
   * what shows a quarantined event applied since.
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
        for (const item of out.Responses?.[this.tableName] ?? []) {
          const sk = (item.sk as string).slice(2);
          const cut = sk.indexOf("#");
          seen.set(
            storedKey({
              dossierId: (item.pk as string).slice(2),
              eventId: sk.slice(0, cut),
              source: sk.slice(cut + 1) || undefined,
            }),
            JSON.parse(item.body as string) as DossierEvent,
          );
        }
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return seen;
  }

  /** One stored event by its identity (a point read: no need to read the whole log). */
  async getEvent(e: {
    dossierId: string;
    eventId: string;
    source?: string;
  }): Promise<DossierEvent | undefined> {
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
          Key: { pk: dossierPk(dossierId), sk: DOSSIER_SK },
          UpdateExpression: "SET nextCheckAt = :until",
          ConditionExpression: "nextCheckAt = :from",
          ExpressionAttributeValues: { ":from": from, ":until": until },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  /** Every quarantine record (tests; the API pages with {@link listQuarantinePage}). */
  async listQuarantine(): Promise<QuarantineRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": QUARANTINE_PK },
    });
    return items.map(quarantineOf);
  }

  /** One page of the quarantine, for `GET /quarantine`. */
  async listQuarantinePage(
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: QuarantineRecord[]; cursor?: string }> {
    const page = await this.page(
      {
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": QUARANTINE_PK },
      },
      options,
    );
    return { items: page.items.map(quarantineOf), cursor: page.cursor };
  }

  /** A period's counters: one item per unit and per domain, never one per dossier. */
  async readPeriodCounts(period: Pick<Period, "name">): Promise<PeriodCounts & { itemsRead: number }> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": countersPk(period.name) },
      ConsistentRead: true,
    });
    const byUnit = new Map<string, Counts>();
    const byDomain = new Map<string, Counts>();
    const byLevelDomain = new Map<string, Counts>();
    for (const item of items) {
      const sk = item.sk as string;
      const counts = zeroCounts();
      for (const k of COUNTER_KEYS) counts[k] = Number(item[k] ?? 0);
      // A unit or domain whose every count went back to zero is not part of the report.
      if (COUNTER_KEYS.every((k) => counts[k] === 0)) continue;
      if (sk.startsWith("U#")) byUnit.set(sk.slice(2), counts);
      else if (sk.startsWith("M#") || sk.startsWith("L#")) {
        // `L#level#domain` (form II.06a's rows), or `M#domain` counted before levels were: level unknown.
        const levelDomain = sk.startsWith("L#") ? sk.slice(2) : levelDomainKey(undefined, sk.slice(2));
        const domain = levelDomain.slice(levelDomain.indexOf("#") + 1);
        byLevelDomain.set(levelDomain, addCounts(byLevelDomain.get(levelDomain) ?? zeroCounts(), counts));
        byDomain.set(domain, addCounts(byDomain.get(domain) ?? zeroCounts(), counts));
      }
    }
    return { byUnit, byDomain, byLevelDomain, itemsRead: items.length };
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
          TableName: this.tableName,
          IndexName: TABLE.sweepIndex.name,
          KeyConditionExpression: "gsi1pk = :s AND nextCheckAt <= :until",
          ExpressionAttributeValues: { ":s": `CHECK#${shard}`, ":until": until },
          Limit: Math.min(limit, 1000),
        },
        limit,
      );
      for (const i of items)
        out.push({ dossierId: (i.pk as string).slice(2), nextCheckAt: i.nextCheckAt as number });
    }
    return out.sort((a, b) => a.nextCheckAt - b.nextCheckAt);
  }

  /** Every alert waiting for a digest (a small partition: alerts leave it once sent). */
  async listPendingAlerts(): Promise<PendingAlert[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
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
          Item: { pk: LEASE_PK, sk: group, owner, until },
          ConditionExpression: "attribute_not_exists(pk) OR #until < :now",
          ExpressionAttributeNames: { "#until": "until" },
          ExpressionAttributeValues: { ":now": now },
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async releaseLease(group: string, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: LEASE_PK, sk: group },
          ConditionExpression: "#owner = :owner",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":owner": owner },
        }),
      );
    } catch (e) {
      if ((e as Error).name !== "ConditionalCheckFailedException") throw e;
    }
  }

  /** Records a sent digest and removes its alerts from the pending ones. */
  async markDigestSent(args: {
    group: string;
    messageId: string;
    sentAt: number;
    recipients: string[];
    alerts: PendingAlert[];
  }) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: digestPk(localDate(args.sentAt)),
          sk: `${args.sentAt}#${args.group}`,
          group: args.group,
          messageId: args.messageId,
          sentAt: args.sentAt,
          recipientCount: args.recipients.length,
          alerts: args.alerts.map((a) => alertSk(a)),
        },
      }),
    );
    for (let i = 0; i < args.alerts.length; i += 25) {
      await this.client.send(
        new BatchWriteCommand({
          RequestItems: {
            [this.tableName]: args.alerts
              .slice(i, i + 25)
              .map((a) => ({ DeleteRequest: { Key: { pk: ALERTS_PK, sk: alertSk(a) } } })),
          },
        }),
      );
    }
  }

  /**
   * One page of a unit's open dossiers in an SLA state (or the orphans), oldest due first, from
   * the sparse `bySla` index: items read grow with the page, not with the table.
   */
  async listBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ items: DossierRecord[]; cursor?: string }> {
    const key = sla === "orphan" ? `${ORPHANS}#orphan` : `${unitId ?? "(none)"}#${sla}`;
    const page = await this.page(
      {
        TableName: this.tableName,
        IndexName: TABLE.slaIndex.name,
        KeyConditionExpression: "slaKey = :k",
        ExpressionAttributeValues: { ":k": key },
      },
      options,
    );
    return { items: page.items.map(fromItem), cursor: page.cursor };
  }

  /** Freezes a period's report as issued; `false` if it was already closed. */
  async putIssuedReport(periodName: string, report: unknown, issuedAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: `P#${periodName}`, sk: "ISSUED", issuedAt, report: JSON.stringify(report) },
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
      return true;
    } catch (e) {
      if ((e as Error).name === "ConditionalCheckFailedException") return false;
      throw e;
    }
  }

  async getIssuedReport<T>(periodName: string): Promise<{ issuedAt: number; report: T } | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: `P#${periodName}`, sk: "ISSUED" },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    return { issuedAt: out.Item.issuedAt as number, report: JSON.parse(out.Item.report as string) as T };
  }

  /** Keeps the report of a weekly email, so a later period can show "the same point" of this one. */
  async putSnapshot(periodName: string, offsetMs: number, report: unknown): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `P#${periodName}`,
          sk: `SNAP#${String(offsetMs).padStart(13, "0")}`,
          offsetMs,
          report: JSON.stringify(report),
        },
      }),
    );
  }

  /** The snapshot of a period taken closest to (and not after) `offsetMs` into it. */
  async getSnapshotAt<T>(
    periodName: string,
    offsetMs: number,
  ): Promise<{ offsetMs: number; report: T } | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues: {
          ":pk": `P#${periodName}`,
          ":a": "SNAP#",
          ":b": `SNAP#${String(offsetMs).padStart(13, "0")}`,
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

  /**
   * Which quarantine records (by id) were applied since: their event is stored under the same
   * identity (dossier, source, eventId), with the body they hold. A conflict never is: its event id
   * is stored, with the other body.
   */
  async appliedSince(
    records: readonly Pick<QuarantineRecord, "id" | "eventId" | "dossierId" | "source" | "applied">[],
  ): Promise<Set<string>> {
    const identified = records.filter(
      (r): r is typeof r & { eventId: string; dossierId: string } =>
        r.eventId !== undefined && r.dossierId !== undefined && r.applied === undefined,
    );
    const stored = await this.storedEvents(identified);
    return new Set(identified.filter((r) => stored.has(storedKey(r))).map((r) => r.id));
  }

  /**
   * How many quarantined events still wait: those not applied since (a record stays until its
   * retention ends, also after the event was sent again and applied).
   */
  async quarantineWaiting(): Promise<number> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": QUARANTINE_PK },
      ProjectionExpression: "id, eventId, dossierId, #source, applied",
      ExpressionAttributeNames: { "#source": "source" },
    });
    const applied = await this.appliedSince(items as unknown as QuarantineRecord[]);
    return items.length - applied.size;
  }

  /** An address SES reported as bounced or complained about: never written to again. */
  async suppress(email: string, reason: string, at: number): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: SUPPRESSED_PK, sk: email.toLowerCase(), reason, at },
      }),
    );
  }

  async suppressedAddresses(): Promise<Set<string>> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": SUPPRESSED_PK },
    });
    return new Set(items.map((i) => i.sk as string));
  }

  /** Stores the unit directory (one item per unit, the leadership contacts and the grants). */
  async putUnitDirectory(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations: readonly IntegrationGrant[] = [],
  ): Promise<void> {
    const items = [
      { pk: UNIT_PK, sk: LEADERSHIP_SK, body: JSON.stringify(leadership) },
      { pk: UNIT_PK, sk: INTEGRATIONS_SK, body: JSON.stringify(integrations) },
      ...units.map((u) => ({ pk: UNIT_PK, sk: u.id, body: JSON.stringify(u) })),
    ];
    for (let i = 0; i < items.length; i += 25) {
      await this.client.send(
        new BatchWriteCommand({
          RequestItems: {
            [this.tableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
  }

  async getUnitDirectory(): Promise<UnitDirectory> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: "pk = :pk",
      ExpressionAttributeValues: { ":pk": UNIT_PK },
    });
    const leadership = items.find((i) => i.sk === LEADERSHIP_SK);
    const integrations = items.find((i) => i.sk === INTEGRATIONS_SK);
    return new UnitDirectory(
      items
        .filter((i) => i.sk !== LEADERSHIP_SK && i.sk !== INTEGRATIONS_SK)
        .map((i) => JSON.parse(i.body as string) as Unit),
      leadership ? (JSON.parse(leadership.body as string) as Contact[]) : [],
      integrations ? (JSON.parse(integrations.body as string) as IntegrationGrant[]) : [],
    );
  }
}

function shardOf(dossierId: string): number {
  let h = 0;
  for (let i = 0; i < dossierId.length; i++) h = (h * 31 + dossierId.charCodeAt(i)) >>> 0;
  return h % SWEEP_SHARDS;
}

function counterUpdate(tableName: string, d: CounterDelta) {
  const names: Record<string, string> = { "#from": "from", "#to": "to" };
  const values: Record<string, unknown> = { ":from": d.from, ":to": d.to };
  const adds: string[] = [];
  Object.entries(d.counts).forEach(([k, v], i) => {
    names[`#c${i}`] = k;
    values[`:c${i}`] = v;
    adds.push(`#c${i} :c${i}`);
  });
  return {
    TableName: tableName,
    Key: { pk: countersPk(d.period), sk: d.key },
    UpdateExpression: `SET #from = :from, #to = :to ADD ${adds.join(", ")}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

function toItem(record: DossierRecord): Item {
  return { ...record };
}

function fromItem(item: Item): DossierRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, slaKey: _k, slaSort: _s, ...rest } = item;
  return rest as unknown as DossierRecord;
}
