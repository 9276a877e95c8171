import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { CounterReader } from "../../app/ports";
import { AlertQueue } from "./alerts";
import { ApiKeys } from "./api-keys";
import { UNPROCESSED_RETRY, type UnprocessedRetry } from "./backoff";
import { Counters } from "./counters";
import { Dossiers } from "./dossiers";
import { Quarantine } from "./quarantine";
import { Rates } from "./rates";
import { Reports } from "./reports";
import { Suppression } from "./suppression";
import { Directory } from "./units";
import { WeeklySends } from "./weekly-sends";

/**
 * The DynamoDB store: one adapter per table area, all over one table (./table.ts). Each adapter is
 * the only code that knows its keys and builds its expressions (./keys.ts), and is itself the
 * slices of the store the use cases take (lib/app/ports.ts): a composition root passes each use
 * case the areas it uses, under these names. Clients are injected (docs/style.md 5).
 */
export interface TableStore {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Dossiers, their event log and the two sparse indexes (./dossiers.ts). */
  readonly dossiers: Dossiers;
  /** The period counters, read (./counters.ts). */
  readonly counters: CounterReader;
  /** Events that cannot be applied, with their reasons (./quarantine.ts). */
  readonly quarantine: Quarantine;
  /** The alert queue, its leases and the digests sent (./alerts.ts). */
  readonly alerts: AlertQueue;
  /** Issued reports and snapshots (./reports.ts). */
  readonly reports: Reports;
  /** The unit directory (./units.ts). */
  readonly directory: Directory;
  /** API keys by hash, and their rate windows (./api-keys.ts, ./rates.ts). */
  readonly keys: ApiKeys;
  readonly rates: Rates;
  /** The suppression list (./suppression.ts). */
  readonly suppression: Suppression;
  /** The weekly KPI emails sent, each marked once (./weekly-sends.ts). */
  readonly weeklySends: WeeklySends;
}

/**
 * Every area of the store over one table: the one place the adapters are built. `unprocessed`:
 * how batch requests send again what DynamoDB leaves unprocessed (./backoff.ts; the default
 * outside tests).
 */
export function tableStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  unprocessed: UnprocessedRetry = UNPROCESSED_RETRY,
): TableStore {
  const dossiers = new Dossiers(client, tableName, unprocessed);
  const counters = new Counters(client, tableName, unprocessed);
  return {
    client,
    tableName,
    dossiers,
    // The port's name for the adapter's read (CounterReader keeps `readPeriodCounts`).
    counters: {
      readPeriodCounts: (period, options) => counters.read(period, options),
      readNodeCounts: (period, path, options) => counters.readNode(period, path, options),
    },
    quarantine: new Quarantine(client, tableName, dossiers, unprocessed),
    alerts: new AlertQueue(client, tableName, unprocessed),
    reports: new Reports(client, tableName, unprocessed),
    directory: new Directory(client, tableName, unprocessed),
    keys: new ApiKeys(client, tableName, unprocessed),
    rates: new Rates(client, tableName, unprocessed),
    suppression: new Suppression(client, tableName, unprocessed),
    weeklySends: new WeeklySends(client, tableName, unprocessed),
  };
}
