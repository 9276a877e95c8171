/**
 * The single table, described once: the CDK stack (infra/) and the local/test setup both build it
 * from this description. Every key is built in ./keys.ts and every expression in the access-pattern
 * files beside it (one per family below), each built over the table by ./store.ts.
 *
 * | item family | pk | sk | written by | notes |
 * |---|---|---|---|---|
 * | dossier record | `D#<dossierId>` | `DOSSIER` | dossiers.ts, dossier-items.ts, bulk.ts | versioned; its event log inside (`z1`, log-codec.ts); carries the index attributes below |
 * | event record (older) | `D#<dossierId>` | `E#<eventId>#<source>` | no longer written | the log of a dossier item without `z1` |
 * | KPI counters of a unit | `K#<period>` | `U#<unitId>` | counters.ts (in the apply transaction) | `ADD` deltas |
 * | KPI counters of a domain within a level | `K#<period>` | `L#<level>#<domain>` | counters.ts (in the apply transaction) | `ADD` deltas; form II.06a's rows |
 * | KPI counters of a domain (older) | `K#<period>` | `M#<domain>` | no longer written | read as level unknown |
 * | quarantined event | `Q` | `<sha-256 of what arrived>` | quarantine.ts | TTL `expiresAt` (90 days) |
 * | alert history of a dossier | `D#<dossierId>` | `H#<kind>#<key>` | alerts.ts (raised in the apply transaction, stamped when sent) | kept after sending; one per threshold |
 * | pending alert | `ALERTQ` | `<unitId>#<kind>#<dossierId>#<key>` | alerts.ts (in the apply transaction) | only if new; deleted once sent |
 * | digest lease | `LEASE` | `digest:<group>` (past 256 bytes, its first 64 characters and SHA-256: keys.ts `boundedGroup`) | alerts.ts | conditional on owner / expiry |
 * | directory import lease | `IMPORT` | `directory` | units.ts (`units import`) | conditional on owner / expiry |
 * | sent digest | `DIGEST#<local date>` | `<sentAt>#<group>` (bounded alike; the whole in `group`) | alerts.ts | the alert keys it carried, gzipped (`alertsZ`; past 300 KB their SHA-256) |
 * | issued report | `P#<period>` | `ISSUED` | reports.ts | once per period |
 * | weekly snapshot | `P#<period>` | `SNAP#<offset ms, 13 digits>` | reports.ts | read by "closest before" |
 * | weekly KPI email sent | `WEEKLY#<Monday>#<locale>#<agency>` | `SENT` | weekly-sends.ts | only if new; TTL `expiresAt` (400 days) |
 * | unit | `UNIT` | `<unitId>` | units.ts | |
 * | leadership contacts | `UNIT` | `#leadership` | units.ts | |
 * | integration grants | `UNIT` | `#integrations` | units.ts | |
 * | API key | `KEY` | `<sha-256 of the key>` | api-keys.ts | never the key itself |
 * | integration source's scope | `SOURCE` | `<source>` | api-keys.ts (`keys create`) | the first scope stands, revoked keys or not |
 * | rate window | `RATE` | `<role>#<source>#<epoch second>` | rates.ts | TTL `expiresAt` (2 minutes) |
 * | suppressed address | `SUPPRESSED` | `<lower-cased address>` | suppression.ts | bounces and complaints |
 *
 * The sparse index `bySla` lists open dossiers by `<unitId>#<near_due|overdue|paused>` (and
 * orphans under `(orphans)#orphan`), sorted by due instant: the API's lists and the KPI email's
 * longest-overdue table read it (sla-index.ts), never the whole table.
 *
 * The sparse index `bySweep` holds only open dossiers with a next time-driven check: partition
 * `CHECK#<shard>` (a few shards keep its write rate per partition low), sort key `nextCheckAt`
 * (epoch milliseconds), so the sweep reads what is due and nothing else.
 */
export const TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  sweepIndex: { name: "bySweep", partitionKey: "gsi1pk", sortKey: "nextCheckAt" },
  /** Open dossiers by unit and SLA state (near_due, overdue, paused) and orphans, oldest due first. */
  slaIndex: { name: "bySla", partitionKey: "slaKey", sortKey: "slaSort" },
  /** Quarantine records and rate windows expire by this attribute (DynamoDB TTL deletes them, never used as a timer). */
  ttlAttribute: "expiresAt",
} as const;

/** How many partitions the sweep index is spread over (README "Architecture": where sharding starts). */
export const SWEEP_SHARDS = 4;

/** The CreateTable input for DynamoDB Local and tests (on-demand, like the deployed table). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: "S" as const },
      { AttributeName: TABLE.sortKey, AttributeType: "S" as const },
      { AttributeName: TABLE.sweepIndex.partitionKey, AttributeType: "S" as const },
      { AttributeName: TABLE.sweepIndex.sortKey, AttributeType: "N" as const },
      { AttributeName: TABLE.slaIndex.partitionKey, AttributeType: "S" as const },
      { AttributeName: TABLE.slaIndex.sortKey, AttributeType: "N" as const },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: "HASH" as const },
      { AttributeName: TABLE.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.sweepIndex.name,
        KeySchema: [
          { AttributeName: TABLE.sweepIndex.partitionKey, KeyType: "HASH" as const },
          { AttributeName: TABLE.sweepIndex.sortKey, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" as const },
      },
      {
        IndexName: TABLE.slaIndex.name,
        KeySchema: [
          { AttributeName: TABLE.slaIndex.partitionKey, KeyType: "HASH" as const },
          { AttributeName: TABLE.slaIndex.sortKey, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      },
    ],
  };
}
