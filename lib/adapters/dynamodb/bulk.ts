import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { BulkStore, NewDossier } from "../../app/ports";
import { type CounterDelta, mergeDeltas } from "../../domain/counting";
import type { DossierEvent } from "../../domain/events/schema";
import type { DossierRecord, QuarantineRecord } from "../../domain/records";
import { backoff } from "./backoff";
import { counterAttributeCount, counterUpdate, MAX_COUNTER_ATTRIBUTES } from "./counters";
import { chunksOf, pool, TableAccess } from "./cursors";
import { dossierItem, itemBytes, itemsOrRefusal } from "./dossier-items";
import { dossierIdOfKey, dossierKey, type Item } from "./keys";
import { quarantineItem } from "./quarantine";

/**
 * Bulk writes for the import (lib/app/import.ts): new dossiers created in transactions of up to
 * 100 items, each dossier item (its log inside, as the consumer writes it) only if it does not
 * exist yet, together with the sum of those dossiers' counter contributions, several lanes in
 * flight; and quarantine items in batches (BatchWriteItem, 25 a request, what DynamoDB leaves
 * unprocessed sent again after a backoff, a bounded number of times). So a dossier's events and
 * counters are written exactly once, in the same write that creates it, as the consumer's commit
 * does (./dossiers.ts `commit`).
 */

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const MAX_TRANSACTION_ITEMS = 100;
/** DynamoDB refuses a transaction over 4 MB; dossier items may reach 256 KB, so groups stop well before. */
const MAX_TRANSACTION_BYTES = 3_000_000;
/** A group still conflicting after this many tries stops the run (which can be run again). */
const MAX_CONFLICT_ATTEMPTS = 30;

export class BulkWriter extends TableAccess implements BulkStore {
  /** How many requests of each kind are in flight at once. */
  concurrency = { batches: 6, transactions: 4 };
  /**
   * How quarantine items are written: `batch` (BatchWriteItem: on DynamoDB, half the write units
   * of a transaction) or `transaction` (unconditional puts, 100 a transaction):
   * DynamoDB Local keeping its data on disk commits a transaction at once but a batch item by item,
   * and takes the same items about 2.5 times faster in transactions (measured: 814 against 316 items/s).
   */
  recordWrites: "batch" | "transaction" = "batch";

  /** Which of these dossiers have a dossier item (strongly consistent reads, 100 keys a request). */
  async existing(dossierIds: readonly string[]): Promise<Set<string>> {
    const items = await this.batchGet(dossierIds.map(dossierKey), "pk", true, this.concurrency.batches);
    return new Set(items.map(dossierIdOfKey));
  }

  /**
   * Whether a new dossier fits a transaction of {@link create}: its item within the bound, and its
   * counter deltas, one item each, beside it in one transaction, each update within its expression's
   * bound. A dossier received long ago and still open moves a counter item in every period since
   * (over 99 of them from 2000 by quarters): DynamoDB refuses its transaction, which the consumer
   * quarantines, and which would otherwise stop the whole import.
   */
  fits(log: readonly DossierEvent[], record: DossierRecord, deltas: readonly CounterDelta[]): boolean {
    if (!itemsOrRefusal(() => [dossierItem(record, log)]).ok) return false;
    const merged = mergeDeltas(deltas);
    return (
      1 + merged.length <= MAX_TRANSACTION_ITEMS &&
      !merged.some((delta) => counterAttributeCount(delta) > MAX_COUNTER_ATTRIBUTES)
    );
  }

  /**
   * Quarantine items, unconditionally: writing one again writes the same item (apart from its
   * `at` stamp), which is what lets a run that was stopped be run again.
   */
  async putQuarantined(
    quarantined: readonly { record: Omit<QuarantineRecord, "id">; arrived: string }[],
  ): Promise<void> {
    const items = new Map<string, Item>();
    // The same refused message twice is one item (its key is the hash of what arrived).
    for (const q of quarantined) {
      const { item } = quarantineItem(q.record, q.arrived);
      items.set(`${item.pk}\u0000${item.sk}`, item);
    }
    if (this.recordWrites === "transaction") {
      await pool(chunksOf([...items.values()], MAX_TRANSACTION_ITEMS), 2, (g) => this.putInTransaction(g));
      return;
    }
    await this.writeBatches(
      [...items.values()].map((Item) => ({ PutRequest: { Item } })),
      this.concurrency.batches,
    );
  }

  /** Unconditional puts in one transaction, sent again after a backoff when another writer conflicts. */
  private async putInTransaction(items: Item[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            TransactItems: items.map((Item) => ({ Put: { TableName: this.tableName, Item } })),
          }),
        );
        return;
      } catch (e) {
        const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
        if (attempt >= 10 || !reasons.some((r) => r.Code === "TransactionConflict")) throw e;
        await backoff(attempt + 1);
      }
    }
  }

  /**
   * Creates dossiers with their counter contributions, packed into transactions of up to 100
   * items (dossiers of one unit share counter items, so give them grouped). A dossier item is put
   * only if none exists: one that a live consumer created meanwhile cancels its transaction, which
   * is sent again without it. Answers those dossiers, which the caller brings up to date through
   * the apply path; the others are created, with their counters, once.
   */
  async create(dossiers: readonly NewDossier[]): Promise<{ existed: string[] }> {
    const groups: NewDossier[][] = [];
    let group: NewDossier[] = [];
    let deltas: CounterDelta[] = [];
    let bytes = 0;
    for (const d of dossiers) {
      const next = mergeDeltas([...deltas, ...d.deltas]);
      // The item's JSON size bounds what DynamoDB counts for it (names and values, no quotes).
      const size = itemBytes(this.itemOf(d));
      if (
        group.length &&
        (group.length + 1 + next.length > MAX_TRANSACTION_ITEMS ||
          bytes + size > MAX_TRANSACTION_BYTES ||
          // A unit item's update names each (counter, level, domain) it adds to: a unit of many
          // domains fills an update's expression before the transaction is full (./counters.ts).
          next.some((delta) => counterAttributeCount(delta) > MAX_COUNTER_ATTRIBUTES))
      ) {
        groups.push(group);
        group = [];
        deltas = [];
        bytes = 0;
      }
      group.push(d);
      bytes += size;
      deltas = mergeDeltas([...deltas, ...d.deltas]);
    }
    if (group.length) groups.push(group);
    const existed: string[] = [];
    await pool(groups, this.concurrency.transactions, async (g) => {
      existed.push(...(await this.inLane(g, () => this.createGroup(g))));
    });
    return { existed };
  }

  /** A new dossier's item, built (its log compressed) once for sizing its group and writing it. */
  private readonly built = new WeakMap<NewDossier, Item>();
  private itemOf(d: NewDossier): Item {
    let item = this.built.get(d);
    if (!item) {
      item = dossierItem(d.record, d.log);
      this.built.set(d, item);
    }
    return item;
  }

  /**
   * Transactions that add to the same counter items conflict (DynamoDB cancels all but one), so
   * groups whose counters are a unit's run one after another, also across calls; other units' at once.
   */
  private readonly lanes = new Map<string, Promise<unknown>>();
  private async inLane<T>(group: readonly NewDossier[], run: () => Promise<T>): Promise<T> {
    const lane = String(group[0]?.record.unitId);
    const before = this.lanes.get(lane) ?? Promise.resolve();
    const mine = before.then(run, run);
    this.lanes.set(lane, mine);
    try {
      return await mine;
    } finally {
      if (this.lanes.get(lane) === mine) this.lanes.delete(lane);
    }
  }

  private async createGroup(group: NewDossier[]): Promise<string[]> {
    const existed: string[] = [];
    let pending = group;
    for (let attempt = 0; pending.length; attempt++) {
      const items: TransactItem[] = pending.map((d) => ({
        Put: {
          TableName: this.tableName,
          Item: this.itemOf(d),
          ConditionExpression: "attribute_not_exists(pk)",
        },
      }));
      for (const d of mergeDeltas(pending.flatMap((p) => p.deltas)))
        items.push({ Update: counterUpdate(this.tableName, d) });
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }));
        return existed;
      } catch (e) {
        if (
          !(e instanceof TransactionCanceledException || (e as Error).name === "TransactionCanceledException")
        )
          throw e;
        const reasons = (e as TransactionCanceledException).CancellationReasons ?? [];
        const taken = new Set<number>();
        reasons.forEach((r, i) => {
          if (r.Code === "ConditionalCheckFailed" && i < pending.length) taken.add(i);
        });
        if (!taken.size && !reasons.some((r) => r.Code === "TransactionConflict")) throw e;
        if (!taken.size && attempt + 1 >= MAX_CONFLICT_ATTEMPTS) throw e;
        // Dossiers that exist now leave the group; a conflict with another writer is tried again.
        existed.push(...[...taken].map((i) => (pending[i] as NewDossier).record.dossierId));
        pending = pending.filter((_, i) => !taken.has(i));
        if (!taken.size) await backoff(attempt + 1);
      }
    }
    return existed;
  }
}
