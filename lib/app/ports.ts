import type { Agency } from "../domain/agencies";
import type { AlertTrigger } from "../domain/alerts";
import type { CounterDelta } from "../domain/counting";
import type { DossierEvent } from "../domain/events/schema";
import type { Period } from "../domain/periods";
import type { AlertHistoryEntry, BoundedCount, DossierRecord, QuarantineRecord } from "../domain/records";
import type { Counts, PeriodCounts } from "../domain/report";
import type { Result } from "../domain/result";
import type { SlaState } from "../domain/sla";
import type { LocalDate } from "../domain/time";
import type { Contact, IntegrationGrant, Unit, UnitDirectory } from "../domain/units";

export type {
  DigestQueue,
  MailAttachment,
  Mailer,
  MailMessage,
  ReportArchive,
  ReportReader,
  WeeklySend,
  WeeklySendLog,
} from "./email-ports";

/**
 * The ports the use cases take: what they need of the outside, as interfaces. The adapters in
 * lib/adapters/ implement them (DynamoDB: one class per table area, built over one table by
 * lib/adapters/dynamodb/store.ts `tableStore`; SES: `sesMailer`), and the composition roots in
 * functions/ plug one into the other, each use case given only the slices it uses. What the
 * monitor sends (email, the digests' queue, the KPI emails' records) is in ./email-ports.ts.
 */

/**
 * A period's counters as read: the totals (per unit, per domain, per level and domain) with the same
 * counts per unit (the shape lib/domain/agency-rollup.ts rolls up). `unsplit`: per unit, counts
 * counted before the unit items held the level/domain split (in the unit's totals, not in its
 * domains); their domains are in the totals' `byDomain` all the same, from the older items.
 */
export interface CounterRead extends PeriodCounts {
  perUnit: Map<string, PeriodCounts>;
  unsplit: Map<string, Counts>;
  /** Counter items read. */
  itemsRead: number;
}

/**
 * One node's counters: those counted under its path in the agency tree (`under`), and, when the
 * period holds any, those counted without the tree (`outside`: before it, or before the split),
 * which the caller places by the tree of today.
 */
export interface NodeCounterRead {
  under: CounterRead;
  outside?: CounterRead;
  /** The items asked for by key (`also`): units' counters kept under an earlier tree's paths. */
  former?: CounterRead;
  itemsRead: number;
}

/** The store slice the KPI read needs: a period's counters, all of them or one node's. */
export interface CounterReader {
  /**
   * A period's counters, strongly consistent unless `consistent: false` (eventually consistent,
   * half the read units: the query API's answers, which a second's lag does not hurt).
   */
  readPeriodCounts(period: Pick<Period, "name">, options?: { consistent?: boolean }): Promise<CounterRead>;
  /**
   * The counters of the node whose path in the agency tree (root first) is `path`, and the unit
   * items `also` names (a unit's counters under another path: an earlier tree's, former-paths.ts).
   */
  readNodeCounts(
    period: Pick<Period, "name">,
    path: readonly string[],
    options?: {
      consistent?: boolean;
      also?: readonly { unit: string; path: readonly string[] }[];
      /** Unit items under `path` to leave out (kept there by an earlier tree; read by another node). */
      leaveOut?: readonly { unit: string; path: readonly string[] }[];
    },
  ): Promise<NodeCounterRead>;
}

/** The store slice SES feedback needs: the suppression list. */
export interface SuppressionList {
  suppress(email: string, reason: string, at: number): Promise<void>;
}

/**
 * What one applied change writes (the consumer's commit, the sweep's): the dossier's record with
 * its whole log, then its counter deltas and the alerts it raises, all or nothing.
 */
export interface CommitArgs {
  /** The dossier's stored events after the change (each `storableEvent`): its item keeps them. */
  log: readonly DossierEvent[];
  previousVersion: number;
  record: DossierRecord;
  deltas: CounterDelta[];
  /** Alerts raised by this change: each one only if not raised before (conditional put). */
  alerts?: { trigger: AlertTrigger; raisedAt: number }[];
}

type Page<T> = { items: T[]; cursor?: string };

/*
 * The expected outcomes of the store, as values (README "How code fails"): the adapter turns its
 * own conditions (a cancelled transaction, an oversized item, a start key DynamoDB refuses) into
 * these at the port, and the use cases decide on each. A throw from the store is storage failing.
 */

/** Why the store did not write a change. */
export type CommitRefusal =
  /**
   * The dossier changed since it was read (or an alert was raised meanwhile): read again and retry.
   * A group's refusal names the dossiers whose own write was refused (`dossierIds`; none named: the
   * transaction met another on a counter item, and every dossier of it may be written again).
   */
  | { kind: "version_conflict"; message: string; dossierIds?: string[] }
  /** More items than one transaction can hold. */
  | { kind: "transaction_too_large"; message: string }
  | ItemTooLarge;
/** An item would be larger than DynamoDB (or the store's bound) takes. */
export type ItemTooLarge = { kind: "item_too_large"; message: string };
/** A page cursor the store did not hand out (or one for another listing). */
export type InvalidCursor = { kind: "invalid_cursor"; message: string };
/** One page of a listing, or the cursor it could not start from. */
export type PageResult<T> = Result<Page<T>, InvalidCursor>;

/** A dossier as read with its event log (and the alerts raised for it, kept in its partition). */
export interface DossierWithLog {
  dossier?: DossierRecord;
  log: DossierEvent[];
  /** `true` when the log reached `stopAtLogSize` (and was not read). */
  full?: boolean;
  alerts?: AlertHistoryEntry[];
}

/** An event's identity in the log: its dossier, its id and the source it was stored under. */
export type EventIdentity = { dossierId: string; eventId: string; source?: string };

/*
 * The store's slices. Each use case takes the slices it uses, each under the name of its table area
 * (`dossiers`, `quarantine`, `alerts`, `reports`, `directory`, `suppression`, `counters`, `keys`,
 * `rates`); the DynamoDB adapters (lib/adapters/dynamodb/*.ts, one class per area) implement them,
 * and lib/adapters/dynamodb/store.ts `tableStore` builds every area over one table.
 */

/**
 * A dossier's log and its commit: what applying an event (the consumer, the import's apply path)
 * and checking a dossier (the sweep) read and write. A dossier's page reads `getWithLog` alone.
 */
export interface DossierLog {
  /**
   * The dossier and its stored events; `full` when the log reached `stopAtLogSize` (only a dossier
   * stored before its log moved into its item: otherwise the log is read whole, in the same read).
   * `withAlerts`: the alerts raised for it too (the dossier's page).
   */
  getWithLog(
    dossierId: string,
    options?: { stopAtLogSize?: number; withAlerts?: boolean },
  ): Promise<DossierWithLog>;
  /** One stored event by its identity. */
  getEvent(e: EventIdentity): Promise<DossierEvent | undefined>;
  commit(args: CommitArgs): Promise<Result<void, CommitRefusal>>;
}

/**
 * A batch of dossiers at once (the consumer's batch, lib/app/apply-batch.ts): read in one request,
 * and their changes written in one transaction with their counter deltas summed per counter item.
 */
export interface DossierBatches {
  /**
   * Each dossier with its log, strongly consistent; `undefined` for one whose item was written
   * before its log moved inside (read it alone, with `getWithLog`). A dossier not stored has an
   * empty log.
   */
  getMany(dossierIds: readonly string[]): Promise<Map<string, DossierWithLog | undefined>>;
  /**
   * Each dossier's version as stored now, strongly consistent (0: not stored): checked just before
   * a group is written, so a dossier another batch changed meanwhile is read again instead of
   * failing its group's transaction (a refused transaction is billed in full).
   */
  versionsOf(dossierIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Several dossiers' changes, all or nothing: each dossier item only if its version is the one
   * read, and the counter deltas of all of them summed per item. No alerts (the sweep's commits
   * raise them, one dossier at a time).
   */
  commitGroup(changes: readonly CommitArgs[]): Promise<Result<void, CommitRefusal>>;
}

/** Which events are stored, with their bodies (by `storedKey`): ingestion's duplicate check. */
export interface StoredEvents {
  storedEvents(events: readonly EventIdentity[]): Promise<Map<string, DossierEvent>>;
}

/** Every dossier's id, a page at a time (an operator's recount: a scan of the table). */
export interface DossierIds {
  allDossierIds(): AsyncIterable<string[]>;
}

/** The sweep's due-check queue: the dossiers whose next check is due, and moving one later. */
export interface DueChecks {
  dueForCheck(until: number, limit?: number): Promise<{ dossierId: string; nextCheckAt: number }[]>;
  /** Moves the next check to `until` if it is still `from`; `false` when it changed meanwhile. */
  postponeCheck(dossierId: string, from: number, until: number): Promise<boolean>;
}

/**
 * The most records a data-quality count reads (the orphans, the quarantine's waiting events): the
 * KPI email, `GET /kpis` and `GET /quality` count them on every read, and any integration key can
 * add to both (events for dossiers never received; events refused), so a read never grows with them.
 */
export const QUALITY_COUNT_BOUND = 10_000;

/** The unit a stored dossier counts under (`null`: none), `undefined` when none is stored. */
export interface DossierUnits {
  unitOf(dossierId: string): Promise<string | null | undefined>;
}

/** Open dossiers by SLA state (or the orphans), a page at a time, and how many there are. */
export interface SlaLists {
  listBySla(
    unitId: string | null,
    sla: SlaState | "orphan",
    options?: { limit?: number; cursor?: string },
  ): Promise<PageResult<DossierRecord>>;
  /** How many, read up to `atMost` (default {@link QUALITY_COUNT_BOUND}). */
  countBySla(unitId: string | null, sla: SlaState | "orphan", atMost?: number): Promise<BoundedCount>;
}

/** Keeping what cannot be applied, with its reason (idempotent on what arrived). */
export interface QuarantineWriter {
  put(
    record: Omit<QuarantineRecord, "id">,
    arrived: string,
    retentionDays?: number,
  ): Promise<QuarantineRecord>;
}

/** Reading the quarantine: a page of it, which records were applied since, how many still wait. */
export interface QuarantineReader {
  listPage(options?: { limit?: number; cursor?: string }): Promise<PageResult<QuarantineRecord>>;
  appliedSince(
    records: readonly Pick<QuarantineRecord, "id" | "eventId" | "dossierId" | "source" | "applied">[],
  ): Promise<Set<string>>;
  /**
   * How many quarantined events still wait (not applied since), of at most `atMost` records read
   * (default {@link QUALITY_COUNT_BOUND}).
   */
  waiting(atMost?: number): Promise<BoundedCount>;
}

/** The unit directory as stored. */
export interface DirectoryReader {
  /**
   * The directory as it stands on the local date `at` (default: today by the real clock): with an
   * agency tree, each unit with what it inherits from its agencies on that day (thresholds, one-stop
   * desk, escalations), so a merger dated ahead of the import takes effect on its day.
   */
  get(at?: LocalDate): Promise<UnitDirectory>;
}

/**
 * Another import was writing the directory (one writes at a time): this one wrote nothing, or,
 * having lost its lease part way, stopped (run it again: it knows what it moved).
 */
export type DirectoryBusy = { kind: "directory_busy"; message: string };

/** How a directory is stored: `importedOn` (default today) bounds how long former paths are kept. */
export interface DirectoryPutOptions {
  importedOn?: LocalDate;
  /** Take the import's lease even when another holds it: for the local stack's own table only. */
  takeOver?: boolean;
}

/** Storing the unit directory (`units import`, the local stack's first start). */
export interface DirectoryWriter {
  put(
    units: readonly Unit[],
    leadership: readonly Contact[],
    integrations?: readonly IntegrationGrant[],
    /**
     * The agency tree's agencies; none: one office holding every unit. With agencies,
     * `units` and `leadership` are the file's own (`DirectoryToStore.own`), inherited at each read.
     */
    agencies?: readonly Agency[],
    options?: DirectoryPutOptions,
  ): Promise<Result<void, DirectoryBusy>>;
}

/** The addresses never written to again: what the digests and the KPI emails leave out. */
export interface SuppressedAddresses {
  addresses(): Promise<Set<string>>;
}

/** The suppressed addresses as an operator sees and clears them (the CLI). */
export interface SuppressionAdmin {
  list(): Promise<{ email: string; reason: string; at: number }[]>;
  remove(email: string): Promise<boolean>;
}

/** A new dossier the import writes whole: its record, its log and the counter changes it adds, once. */
export interface NewDossier {
  record: DossierRecord;
  /** Its stored events (each `storableEvent`), kept in its item as the consumer keeps them. */
  log: readonly DossierEvent[];
  deltas: readonly CounterDelta[];
}

/** The import's bulk writes (lib/adapters/dynamodb/bulk.ts `BulkWriter` implements it). */
export interface BulkStore {
  /** `batch` or `transaction`: how quarantine items are written. */
  recordWrites: "batch" | "transaction";
  /** Which of these dossiers have a dossier item. */
  existing(dossierIds: readonly string[]): Promise<Set<string>>;
  /**
   * Whether a new dossier fits the bulk path: its item within DynamoDB's bound, and with its
   * counter deltas in one transaction (the apply path quarantines what does not).
   */
  fits(log: readonly DossierEvent[], record: DossierRecord, deltas: readonly CounterDelta[]): boolean;
  /** Quarantine items, unconditionally (the same refused message is the same item). */
  putQuarantined(
    quarantined: readonly { record: Omit<QuarantineRecord, "id">; arrived: string }[],
  ): Promise<void>;
  /** Each dossier only if absent, with its counters; answers those that existed. */
  create(dossiers: readonly NewDossier[]): Promise<{ existed: string[] }>;
}

/** The requests per second of a key stored without a rate of its own (`keys create --rate`'s default). */
export const DEFAULT_KEY_RATE = 20;

/** An API key's credential as the store keeps it: under the key's SHA-256, never the key. */
export interface StoredCredential {
  hash: string;
  name: string;
  role: string;
  source: string;
  ratePerSecond?: number;
  units?: string[];
  agencies?: string[];
}

/** The store slice authentication needs: keys by hash, and per-second request windows. */
export interface KeyStore {
  keys: {
    put(hash: string, credential: Omit<StoredCredential, "hash">): Promise<void>;
    get(hash: string): Promise<StoredCredential | undefined>;
    /** Every stored key's credential (a handful: one per integration and reader). */
    list(): Promise<StoredCredential[]>;
    /** Deletes the key stored under `hash`: whether there was one. */
    delete(hash: string): Promise<boolean>;
    /**
     * Binds an integration source to its agency scope for good (revoking its keys keeps it): the
     * scope it is bound to when that is another, else nothing.
     */
    bindSource(source: string, scope: string): Promise<string | undefined>;
  };
  rates: {
    /** Counts one request in `bucket`'s window of one epoch `second`; answers the window's count. */
    hit(bucket: string, second: number): Promise<number>;
  };
}
