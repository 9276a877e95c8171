import { createHash } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import {
  type PageResult,
  QUALITY_COUNT_BOUND,
  type QuarantineReader,
  type QuarantineWriter,
} from "../../app/ports";
import { type BoundedCount, type QuarantineRecord, storedKey } from "../../domain/records";
import { ok } from "../../domain/result";
import type { UnprocessedRetry } from "./backoff";
import { TableAccess } from "./cursors";
import type { Dossiers } from "./dossiers";
import { type Item, QUARANTINE_PK } from "./keys";
import { TABLE } from "./table";

/**
 * The quarantine: events that cannot be applied, with the reason, in one partition keyed by the
 * hash of what arrived, expiring by TTL. Whether one was applied since is asked of the event log.
 */

const quarantineOf = ({ pk: _pk, sk: _sk, [TABLE.ttlAttribute]: _ttl, ...rest }: Item) =>
  rest as unknown as QuarantineRecord;

const byPartition = {
  KeyConditionExpression: "pk = :pk",
  ExpressionAttributeValues: { ":pk": QUARANTINE_PK },
};

/**
 * A quarantine item: its id is the hash of what arrived (`arrived`, which is not stored), so the
 * same message is kept once however often it comes.
 */
export function quarantineItem(
  record: Omit<QuarantineRecord, "id">,
  arrived: string,
  retentionDays = 90,
): { item: Item; record: QuarantineRecord } {
  const id = createHash("sha256").update(arrived).digest("hex");
  const body = record.body.length > 16_384 ? `${record.body.slice(0, 16_384)}…` : record.body;
  const kept = { ...record, body, id };
  return {
    item: {
      pk: QUARANTINE_PK,
      sk: id,
      ...kept,
      [TABLE.ttlAttribute]: Math.floor(record.at / 1000) + retentionDays * 86_400,
    },
    record: kept,
  };
}

export class Quarantine extends TableAccess implements QuarantineWriter, QuarantineReader {
  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    private readonly dossiers: Dossiers,
    unprocessed?: UnprocessedRetry,
  ) {
    super(client, tableName, unprocessed);
  }

  /**
   * Keeps an event that cannot be applied, with its reason. Idempotent: the id is the hash of what
   * arrived (`arrived`, which is not stored), so a redelivered message is kept once.
   */
  async put(
    record: Omit<QuarantineRecord, "id">,
    arrived: string,
    retentionDays = 90,
  ): Promise<QuarantineRecord> {
    const { item, record: kept } = quarantineItem(record, arrived, retentionDays);
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return kept;
  }

  /** Every quarantine record (tests; the API pages with {@link listPage}). */
  async list(): Promise<QuarantineRecord[]> {
    return (await this.queryAll(byPartition)).map(quarantineOf);
  }

  /** One page of the quarantine, for `GET /quarantine`. */
  async listPage(options: { limit?: number; cursor?: string } = {}): Promise<PageResult<QuarantineRecord>> {
    const page = await this.page(byPartition, options);
    if (!page.ok) return page;
    return ok({ items: page.value.items.map(quarantineOf), cursor: page.value.cursor });
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
    const stored = await this.dossiers.storedEvents(identified);
    return new Set(identified.filter((r) => stored.has(storedKey(r))).map((r) => r.id));
  }

  /**
   * How many quarantined events still wait: those not applied since (a record stays until its
   * retention ends, also after the event was sent again and applied), of at most `atMost` records
   * read, each named event looked for in its dossier's log.
   */
  async waiting(atMost = QUALITY_COUNT_BOUND): Promise<BoundedCount> {
    const { items, more } = await this.queryUpTo(
      {
        ...byPartition,
        ProjectionExpression: "id, eventId, dossierId, #source, applied",
        ExpressionAttributeNames: { "#source": "source" },
      },
      atMost,
    );
    const applied = await this.appliedSince(items as unknown as QuarantineRecord[]);
    return { count: items.length - applied.size, atLeast: more };
  }
}
