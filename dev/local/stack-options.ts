import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import type { TableStore } from "../../lib/adapters/dynamodb/store";
import type { UnknownUnits } from "../../lib/app/ingest";
import type { RawEnv } from "../../lib/contracts/config";
import type { Agency } from "../../lib/domain/agencies";
import type { DossierEvent } from "../../lib/domain/events/schema";
import type { Contact, Unit, UnitDirectoryFile } from "../../lib/domain/units";
import type { DemoClock } from "./clock";

/** What the local stack (./stack.ts, `npm start`) is started with, and what it answers. */

export interface LocalStackOptions {
  /**
   * The monitor's settings, as a deployment's environment gives them (`PERIOD_SCHEME`,
   * `CALENDAR_OVERRIDE`, `OFFICE_HOURS`, `CATALOG`, `OFFICIAL_SETTINGS`, ...):
   * lib/contracts/config.ts. The stack adds the table, the bus and the sender; `OFFICIAL_SETTINGS`
   * defaults to the seed district's (dev/scenarios/seed-official.ts).
   */
  env?: RawEnv;
  clock: DemoClock;
  /**
   * The real time the handlers keep the unit directory by (`Date.now` when absent, as in Lambda):
   * a test moves its own past the directory's re-read interval instead of waiting for it.
   */
  cacheClock?: () => number;
  /**
   * The unit directory, with its agency tree's agencies when it has one, and the file's
   * own units and leadership (`parseDirectoryFile`'s `own`), which are what is stored when given.
   */
  directory: UnitDirectoryFile & {
    agencies?: readonly Agency[];
    own?: { units: readonly Unit[]; leadership: readonly Contact[] };
  };
  senderAddress: string;
  /** Persist DynamoDB Local's data here (omit: in memory). */
  dataDir?: string;
  /** Reuse running emulators (tests) instead of starting them. */
  dynamoEndpoint?: string;
  sesEndpoint?: string;
  tableName?: string;
  apiPort?: number;
  /** The local EventBridge endpoint's port, for `PutEvents` from the AWS SDKs (omit: a free one). */
  eventBridgePort?: number;
  /** On an empty table: load the units, create demo keys and import the seed quarter. */
  seed?: boolean;
  /** With `seed`: import the seed quarter up to the demo clock (default true). */
  replaySeed?: boolean;
  /**
   * What `replaySeed` imports up to the demo clock and replays after it, and its name in the log:
   * the seed quarter unless given (`serve --province`: a quarter of the synthetic province's).
   */
  replay?: { name: string; events: () => DossierEvent[] };
  /** The `UNKNOWN_UNITS` setting (default `reject`). */
  unknownUnits?: UnknownUnits;
  log?: (line: string) => void;
  /** The functions' log level (default `WARN`). */
  logLevel?: LogLevel;
}

export interface LocalStack {
  urls: { api: string; inbox: string; dynamodb: string; eventBridge: string };
  /** The project's bus, as `PutEvents` entries name it (`EventBusName`) to reach its rules. */
  busName: string;
  tableName: string;
  keys?: { integration: string; reader: string };
  clock: DemoClock;
  store: TableStore;
  /** Waits until the bus's queue has no message left. */
  drain: () => Promise<void>;
  /**
   * Waits until no schedule run (by `fire` or the scheduler) and no function the bus invoked
   * (send-alerts after a sweep) is in flight, those started meanwhile included: with a fast demo
   * clock the scheduler may keep it waiting. `stop` waits for it too, once the scheduler is stopped.
   */
  settled: () => Promise<void>;
  /** Messages the consumer's queue gave up on (kept, as a DLQ keeps them). */
  deadLetters: () => number;
  /** Runs a schedule's function now (what the scheduler does when it fires). */
  fire: (scheduleId: string) => Promise<unknown>;
  /**
   * The IAM actions each function's DynamoDB requests have needed so far (`dynamodb:GetItem`…):
   * every function runs on its own client, as in Lambda, so a test can hold what the code used
   * against what the CDK stack grants it.
   */
  dynamoActions: () => Record<string, string[]>;
  /**
   * The partitions (`pk`) each function's requests touched so far (by key, or a query of the
   * table), by IAM action: held against the grants the CDK stack limits to some partitions.
   */
  dynamoPartitions: () => Record<string, Record<string, string[]>>;
  /**
   * The attributes each function's updates named so far, by IAM action and partition: held
   * against the grants the CDK stack limits to some attributes.
   */
  dynamoAttributes: () => Record<string, Record<string, Record<string, string[]>>>;
  stop: () => Promise<void>;
}
