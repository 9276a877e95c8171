import { createHash } from "node:crypto";
import type { CounterItem } from "../../domain/counting";
import { type DossierRecord, LISTED_SLA, NO_UNIT, type PendingAlert } from "../../domain/records";
import { levelDomainKey } from "../../domain/report";
import type { SlaState } from "../../domain/sla";
import { SWEEP_SHARDS, TABLE } from "./table";

/**
 * Every key of the table, built here and nowhere else (table.ts lists the item families). An
 * item's key attributes are `pk` and `sk`; the indexes' are set by {@link dossierIndexes}.
 */

export type Item = Record<string, unknown>;
export type Key = { pk: string; sk: string };

export const dossierPk = (id: string) => `D#${id}`;
export const DOSSIER_SK = "DOSSIER";
export const dossierKey = (id: string): Key => ({ pk: dossierPk(id), sk: DOSSIER_SK });
/**
 * An event record's sort key: its identity is (source, eventId) within the dossier. An
 * eventId holds no `#` (docs/events.md), so the source is everything after the second `#`.
 */
export const eventSk = (e: { eventId: string; source?: string }) => `E#${e.eventId}#${e.source ?? ""}`;
export const EVENT_SK_PREFIX = "E#";
/** The identity an event record's key holds (the inverse of {@link eventSk}). */
export function eventOfKey(item: Item): { dossierId: string; eventId: string; source?: string } {
  const sk = (item.sk as string).slice(2);
  const cut = sk.indexOf("#");
  return {
    dossierId: (item.pk as string).slice(2),
    eventId: sk.slice(0, cut),
    source: sk.slice(cut + 1) || undefined,
  };
}
export const dossierIdOfKey = (item: Item) => (item.pk as string).slice(2);

export const countersPk = (period: string) => `K#${period}`;
/** A unit's counters without an agency tree (one office), and a unit's totals counted before the split: `U#unit`. */
export const UNIT_COUNTER_PREFIX = "U#";
/**
 * A unit's counters under its roll-up path in the agency tree: `A#<root>/<agency>/…/<unit>`, each
 * segment escaped (`%` → `%25`, `/` → `%2F`), so one node's counters are those whose key begins
 * with its path and `/` ({@link nodeCounterPrefix}). `A#` sorts before every other counter item's
 * prefix, so the items counted without the tree are exactly those from `B` on.
 */
export const TREE_COUNTER_PREFIX = "A#";
/** The first sort key after every tree counter item: where items counted without the tree begin. */
export const AFTER_TREE_COUNTERS = "B";
/** Counters of a domain without a level, counted before levels were (read, and taken back). */
export const DOMAIN_COUNTER_PREFIX = "M#";
/** Counters of a domain within a level, counted before the unit items held the split (read, and taken back). */
export const LEVEL_DOMAIN_COUNTER_PREFIX = "L#";

const segment = (id: string) => id.replaceAll("%", "%25").replaceAll("/", "%2F");
const unsegment = (text: string) => text.replace(/%2F|%25/g, (m) => (m === "%2F" ? "/" : "%"));

/**
 * A counter item's sort key in its period's partition: `U#unit` (no tree), `A#path/unit` (a tree),
 * and the older kinds `L#level#domain`, `M#domain`.
 */
export const counterSk = (item: CounterItem): string =>
  "unit" in item
    ? item.path.length
      ? `${TREE_COUNTER_PREFIX}${[...item.path, item.unit].map(segment).join("/")}`
      : `${UNIT_COUNTER_PREFIX}${item.unit}`
    : "level" in item
      ? `${LEVEL_DOMAIN_COUNTER_PREFIX}${levelDomainKey(item.level, item.domain)}`
      : `${DOMAIN_COUNTER_PREFIX}${item.domain}`;

/** What the sort key of a tree counter item names: the unit and its roll-up path. */
export function treeCounterOfSk(sk: string): { unit: string; path: string[] } {
  const segments = sk.slice(TREE_COUNTER_PREFIX.length).split("/").map(unsegment);
  return { unit: segments.pop() as string, path: segments };
}

/** The prefix of the sort keys of the counters under a node, given its path root first. */
export const nodeCounterPrefix = (path: readonly string[]) =>
  `${TREE_COUNTER_PREFIX}${path.map(segment).join("/")}/`;

export const QUARANTINE_PK = "Q";

export const ALERTS_PK = "ALERTQ";
export const alertSk = (
  a: Pick<PendingAlert, "unitId" | "kind" | "key" | "recipient"> & { dossier: { dossierId: string } },
) => `${a.unitId}#${a.kind}#${a.dossier.dossierId}#${a.key}${a.recipient ? `#${a.recipient}` : ""}`;
/**
 * A dossier's alert history entry, in the dossier's own partition (read with its record and log),
 * after its events (`DOSSIER` < `E#…` < `H#…`): the dossier item still sorts first.
 */
export const ALERT_HISTORY_PREFIX = "H#";
export const alertHistoryKey = (dossierId: string, kind: string, key: number): Key => ({
  pk: dossierPk(dossierId),
  sk: `${ALERT_HISTORY_PREFIX}${kind}#${key}`,
});
/**
 * The stamp a sent alert's history entry takes, by who received it (the unit's or leadership's
 * digest, or the one-stop desk's copy): all send-alerts may write in a dossier's partition.
 */
export const sentStampAttribute = (recipient?: string) =>
  recipient === "one_stop_desk" ? "deskSentAt" : recipient === "leadership" ? "leadershipSentAt" : "sentAt";
export const SENT_STAMP_ATTRIBUTES = ["sentAt", "deskSentAt", "leadershipSentAt"];
/** What a digest's language mark holds: the alerts sent in that language, when, and its expiry (TTL). */
export const LANGUAGE_MARK_ATTRIBUTES = ["alerts", "sentAt", "expiresAt"];
/** The senders' leases' partition (send-alerts deletes items of this one and of `DIGESTLANG` only: infra/alerting.ts). */
export const LEASE_PK = "LEASE";
/**
 * A digest group's key where it goes into a sort key: as it is, but past 256 bytes its first 64
 * characters (its kind and first addresses, to read) and the SHA-256 of the whole. A people group's
 * key names every address (`escalation:a@x,b@y,…`), and a sort key holds 1,024 bytes: a leadership
 * list of some 25 people passed it, and its lease and its record were refused at every send, so
 * its digests were never sent.
 */
export function boundedGroup(group: string): string {
  if (Buffer.byteLength(group) <= 256) return group;
  return `${group.slice(0, 64)}#sha256:${createHash("sha256").update(group).digest("base64url")}`;
}
export const leaseKey = (group: string): Key => ({ pk: LEASE_PK, sk: boundedGroup(group) });
/** The lease an import holds while it writes the unit directory (no function writes it). */
export const DIRECTORY_IMPORT_LEASE: Key = { pk: "IMPORT", sk: "directory" };
/**
 * The alerts one language's email of a digest carried, kept until the digest is recorded (its mark
 * hashed: it names every alert).
 */
export const digestLanguageKey = (mark: string): Key => ({
  pk: "DIGESTLANG",
  sk: createHash("sha256").update(mark).digest("base64url"),
});
export const digestKey = (date: string, sentAt: number, group: string): Key => ({
  pk: `DIGEST#${date}`,
  sk: `${sentAt}#${boundedGroup(group)}`,
});

export const periodPk = (periodName: string) => `P#${periodName}`;
export const issuedKey = (periodName: string): Key => ({ pk: periodPk(periodName), sk: "ISSUED" });
export const SNAPSHOT_PREFIX = "SNAP#";
export const snapshotSk = (offsetMs: number) => `${SNAPSHOT_PREFIX}${String(offsetMs).padStart(13, "0")}`;

/**
 * The mark of one weekly KPI email (docs/kpis.md "The weekly emails"): `WEEKLY#<Monday>#<locale>#<agency>`,
 * one item per email, written once. The agency comes last, so an id holding `#` cannot collide.
 */
export const WEEKLY_SEND_PK_PREFIX = "WEEKLY#";
export const weeklySendKey = (s: { week: string; locale: string; agency: string }): Key => ({
  pk: `${WEEKLY_SEND_PK_PREFIX}${s.week}#${s.locale}#${s.agency}`,
  sk: "SENT",
});

export const SUPPRESSED_PK = "SUPPRESSED";
export const UNIT_PK = "UNIT";
export const LEADERSHIP_SK = "#leadership";
export const INTEGRATIONS_SK = "#integrations";
/** An agency of the tree, one item each beside the units: `#agency#<id>`. */
export const AGENCY_SK_PREFIX = "#agency#";
/** The API keys' partition (the authorizer may read this one only: infra/apis.ts). */
export const API_KEY_PK = "KEY";
export const apiKeyKey = (hash: string): Key => ({ pk: API_KEY_PK, sk: hash });
/**
 * The scope an integration source was first given, kept when its keys are revoked (only
 * `keys create` writes it, with the operator's credentials; no function reads it).
 */
export const SOURCE_SCOPE_PK = "SOURCE";
export const sourceScopeKey = (source: string): Key => ({ pk: SOURCE_SCOPE_PK, sk: source });
/** The rate windows' partition (the HTTP functions may update this one only: infra/apis.ts). */
export const RATE_PK = "RATE";
export const rateKey = (bucket: string, second: number): Key => ({ pk: RATE_PK, sk: `${bucket}#${second}` });

const ORPHANS = "(orphans)";
/** The `bySla` partition of a unit's dossiers in one SLA state, or of the orphans. */
export const slaKeyOf = (unitId: string | null, sla: SlaState | "orphan") =>
  sla === "orphan" ? `${ORPHANS}#orphan` : `${unitId ?? NO_UNIT}#${sla}`;

function shardOf(dossierId: string): number {
  let h = 0;
  for (let i = 0; i < dossierId.length; i++) h = (h * 31 + dossierId.charCodeAt(i)) >>> 0;
  return h % SWEEP_SHARDS;
}
export const sweepPartition = (shard: number) => `CHECK#${shard}`;

/**
 * The index attributes of a dossier item: the sweep's shard when it has a next check, and its
 * `bySla` entry when it belongs in one of the API's lists.
 */
export function dossierIndexes(
  record: Pick<
    DossierRecord,
    "dossierId" | "received" | "closedAt" | "sla" | "unitId" | "kpiDueAt" | "firstEventAt" | "nextCheckAt"
  >,
): Item {
  const out: Item = {};
  if (record.nextCheckAt !== undefined)
    out[TABLE.sweepIndex.partitionKey] = sweepPartition(shardOf(record.dossierId));
  if (!record.received) {
    out[TABLE.slaIndex.partitionKey] = slaKeyOf(null, "orphan");
    out[TABLE.slaIndex.sortKey] = record.firstEventAt ?? 0;
  } else if (record.closedAt === undefined && record.sla && LISTED_SLA.has(record.sla)) {
    out[TABLE.slaIndex.partitionKey] = slaKeyOf(record.unitId ?? null, record.sla);
    out[TABLE.slaIndex.sortKey] = record.kpiDueAt ?? 0;
  }
  return out;
}

/** A dossier item without its key and index attributes: the record. */
export function recordOfItem(item: Item): DossierRecord {
  const { pk: _pk, sk: _sk, gsi1pk: _g, slaKey: _k, slaSort: _s, z1: _log, ...rest } = item;
  return rest as unknown as DossierRecord;
}
