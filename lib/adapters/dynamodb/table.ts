/**
 * The single table, described once: the CDK stack (infra/) and the local/test setup both build it
 * from this description. Every key and expression that reads or writes it lives in
 * ./repository.ts.
 *
 * | item | pk | sk |
 * |---|---|---|
 * | event record | `D#<dossierId>` | `E#<eventId>` |
 * | dossier projection | `D#<dossierId>` | `DOSSIER` |
 * | KPI counters of a unit | `K#<period>` | `U#<unitId>` |
 * | KPI counters of a domain | `K#<period>` | `M#<domain>` |
 * | quarantined event | `Q` | `<sha-256 of the body>` |
 * | unit directory entry | `UNIT` | `<unitId>` |
 * | period state (closed report, sweep marks) | `P#<period>` | `META` |
 *
 * The sparse index `bySla` lists open dossiers by `<unitId>#<near_due|overdue|paused>` (and
 * orphans under `(orphans)#orphan`), sorted by due instant: the API's lists and the KPI email's
 * longest-overdue table read it, never the whole table.
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
  /** Quarantine records expire after this many days (DynamoDB TTL deletes them, never used as a timer). */
  ttlAttribute: "expiresAt",
} as const;

/** How many partitions the sweep index is spread over (see README: "Where sharding starts"). */
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
