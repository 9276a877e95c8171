import type { Server } from "node:http";
import { Logger } from "@aws-lambda-powertools/logger";
import type { LogLevel } from "@aws-lambda-powertools/logger/types";
import * as applyEvents from "../../functions/apply-events";
import type { Clients } from "../../functions/commons/clients";
import * as ingestApi from "../../functions/ingest-api";
import * as kpiReport from "../../functions/kpi-report";
import * as queryApi from "../../functions/query-api";
import * as sendAlerts from "../../functions/send-alerts";
import * as sesFeedback from "../../functions/ses-feedback";
import * as sweepDeadlines from "../../functions/sweep-deadlines";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { DossierStore } from "../../lib/adapters/dynamodb/repository";
import { dossierOfMessage } from "../../lib/app/consumer";
import { importEvents } from "../../lib/app/import";
import type { UnknownUnits } from "../../lib/app/ingest";
import { INGEST_SOURCE } from "../../lib/contracts/bus";
import { countingSettings, parseEnv, type RawEnv } from "../../lib/contracts/config";
import { METRIC_NAMESPACE } from "../../lib/contracts/metrics";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../../lib/contracts/schedules";
import type { Agency } from "../../lib/domain/agencies";
import type { DossierEvent } from "../../lib/domain/events/schema";
import type { UnitDirectoryFile } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { SEED_PERIOD, seed2022Q3 } from "../scenarios/seed-2022-q3";
import { SEED_OFFICIAL_SETTINGS } from "../scenarios/seed-official";
import { LocalBus, LocalQueue } from "./bus";
import { DemoClock } from "./clock";
import {
  documentClient,
  ensureTable,
  freePort,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from "./dynamodb-local";
import { eventBridgeServer } from "./eventbridge";
import { apiServer } from "./http";
import { LocalMetrics } from "./metrics";
import { takeDue } from "./replay";
import { startScheduler } from "./scheduler";
import { localSesClient, type RunningSes, startSesLocal } from "./ses-local";

export { DemoClock };

/**
 * The local stack (`npm start`): DynamoDB Local, the local SES endpoint with its inbox, the local
 * bus routing with the deployed rule patterns, a scheduler firing the deployed schedules on a demo
 * clock, and the HTTP API — all on 127.0.0.1, wired to the handlers that run in Lambda: each
 * function's composition root (`compose`), given local clients, the demo clock and an environment
 * of its own (never `process.env`).
 */

export interface LocalStackOptions {
  /**
   * The monitor's settings, as a deployment's environment gives them (`PERIOD_SCHEME`,
   * `CALENDAR_OVERRIDE`, `OFFICE_HOURS`, `CATALOG`, `OFFICIAL_SETTINGS`, ...):
   * lib/contracts/config.ts. The stack adds the table, the bus and the sender; `OFFICIAL_SETTINGS`
   * defaults to the seed district's (dev/scenarios/seed-official.ts).
   */
  env?: RawEnv;
  clock: DemoClock;
  /** The unit directory, with its agency tree's agencies when it has one (issue 23). */
  directory: UnitDirectoryFile & { agencies?: readonly Agency[] };
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
  store: DossierStore;
  /** Waits until the bus's queue has no message left. */
  drain: () => Promise<void>;
  /** Messages the consumer's queue gave up on (kept, as a DLQ keeps them). */
  deadLetters: () => number;
  /** Runs a schedule's function now (what the scheduler does when it fires). */
  fire: (scheduleId: string) => Promise<unknown>;
  stop: () => Promise<void>;
}

/**
 * The source of the demo integration key. The seed quarter is imported and sent as that integration's
 * history (as the ingestion API would publish it), so the demo key owns the seed's dossiers and can
 * go on writing them; another key cannot (issue 12).
 */
const DEMO_SOURCE = "mot-cua-tinh";
const asDemoIntegration = (e: DossierEvent) => ({
  source: INGEST_SOURCE,
  detailType: e.type,
  detail: { ...e, source: DEMO_SOURCE },
});

/** The local stack's bus, named like a deployed one would be for the functions and for `PutEvents`. */
export const LOCAL_BUS_NAME = "dossier-monitor-local";

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  let dynamo: RunningDynamo | undefined;
  let ses: RunningSes | undefined;
  try {
    if (!options.dynamoEndpoint) {
      dynamo = await startDynamoDbLocal({ path: options.dataDir });
      stops.push(() => (dynamo as RunningDynamo).stop());
    }
    if (!options.sesEndpoint) {
      ses = await startSesLocal();
      stops.push(() => (ses as RunningSes).stop());
    }
  } catch (e) {
    for (const stop of stops.reverse()) await stop();
    throw e;
  }
  const dynamoEndpoint = options.dynamoEndpoint ?? (dynamo as RunningDynamo).endpoint;
  const sesEndpoint = options.sesEndpoint ?? (ses as RunningSes).endpoint;
  const tableName = options.tableName ?? "dossier-monitor-local";
  const client = localDynamoClient(dynamoEndpoint);
  await ensureTable(client, tableName);
  const store = new DossierStore(documentClient(client), tableName);
  const { clock } = options;
  const now = clock.now;
  const env: RawEnv = {
    // The seed district's official settings unless the environment gives the deployment's own.
    OFFICIAL_SETTINGS: JSON.stringify(SEED_OFFICIAL_SETTINGS),
    ...options.env,
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: LOCAL_BUS_NAME,
    SENDER_ADDRESS: options.senderAddress,
    UNKNOWN_UNITS: options.unknownUnits ?? "reject",
  };
  const logLevel = options.logLevel ?? "WARN";
  const onError = (e: unknown) => log(`error: ${(e as Error).message}`);
  let bus: LocalBus | undefined;
  const clients: Clients = {
    dynamo: documentClient(client),
    ses: localSesClient(sesEndpoint),
    bus: () => (entries) => (bus as LocalBus).publish(entries),
    now,
    logger: (service) => new Logger({ serviceName: service, logLevel }),
    metrics: (service) => new LocalMetrics({ namespace: METRIC_NAMESPACE, serviceName: service }),
  };

  let keys: LocalStack["keys"];
  const firstStart = options.seed === true && (await store.getUnitDirectory()).units.length === 0;
  if (firstStart) {
    await store.putUnitDirectory(
      options.directory.units,
      options.directory.leadership,
      options.directory.integrations,
      options.directory.agencies,
    );
    keys = {
      integration: await createApiKey(store, {
        name: "demo integration",
        role: "integration",
        source: DEMO_SOURCE,
        ratePerSecond: 50,
      }),
      reader: await createApiKey(store, {
        name: "leadership dashboard",
        role: "reader",
        source: "dashboard",
        ratePerSecond: 20,
      }),
    };
  }
  // Each worker is its own execution environment, with its own handler instance, as in Lambda; the
  // consumer reads the directory itself (and re-reads it a minute later).
  const applyEnv = parseEnv(applyEvents.EnvSchema, env);
  const applyHandlers = Array.from({ length: 4 }, () => applyEvents.compose(applyEnv, clients));
  // An execution environment handles one batch at a time, as in Lambda: a batch takes an idle one
  // (there are as many as workers) and gives it back. Handing a busy one a second batch would mix
  // the two batches' partial failures in its batch processor, and a failed message would be lost.
  const idle = [...applyHandlers];
  const queue = new LocalQueue(
    async (event, context) => {
      const h = idle.pop();
      if (!h) throw new Error("no idle apply-events environment: more workers than environments");
      try {
        return await h(event, context);
      } finally {
        idle.push(h);
      }
    },
    {
      workers: 4,
      batchSize: 10,
      maxReceives: 5,
      onError,
      // What the deployed queue's DLQ (and its alarm) does: keep it, and say so.
      onDeadLetter: (record, receives) =>
        log(
          `dead letter: message ${record.messageId} (dossier ${dossierOfMessage(record.body) ?? "unknown"}) failed ${receives} times; kept in the local dead-letter list (${queue.deadLetters.length} so far)`,
        ),
    },
  );
  const send = sendAlerts.compose(parseEnv(sendAlerts.EnvSchema, env), clients);
  const feedback = sesFeedback.compose(parseEnv(sesFeedback.EnvSchema, env), clients);
  bus = new LocalBus(
    {
      DossierEventsToConsumer: { kind: "queue", queue },
      AlertsPendingToSender: { kind: "function", invoke: (e) => send(e, {} as never) },
      SesFeedbackToSuppression: { kind: "function", invoke: (e) => feedback(e, {} as never) },
    },
    now,
    onError,
  );
  const localBus = bus;
  const sweep = sweepDeadlines.compose(parseEnv(sweepDeadlines.EnvSchema, env), clients);
  const kpi = kpiReport.compose(parseEnv(kpiReport.EnvSchema, env), clients);
  // As in Lambda, the ingestion API keeps the directory a short time (real time here, not the demo clock's).
  const ingest = ingestApi.compose(parseEnv(ingestApi.EnvSchema, env), clients, 5_000);
  // As in Lambda, the query API reads the unit directory from the table (kept a minute).
  const query = queryApi.compose(parseEnv(queryApi.EnvSchema, env), clients);

  const targets: Record<string, (input: unknown) => Promise<unknown>> = {
    "sweep-deadlines": (input) => sweep(input, {} as never),
    "kpi-report": (input) => kpi(input, {} as never),
  };
  const fire = async (scheduleId: string) => {
    const s = SCHEDULES.find((x) => x.id === scheduleId);
    if (!s) throw new Error(`no schedule ${scheduleId}`);
    return (targets[s.target] as (input: unknown) => Promise<unknown>)(s.input ?? {});
  };

  let replay: ReturnType<typeof seed2022Q3> = [];
  if (firstStart && options.replaySeed !== false) {
    replay = (options.replay?.events ?? seed2022Q3)();
    const first = replay.filter((e) => Date.parse(e.occurredAt) <= now());
    // The history up to the demo clock enters by the bulk import (lib/app/import.ts): the table the
    // consumer would leave, in seconds instead of minutes; the rest arrives through the bus as the
    // demo clock passes it.
    log(
      `importing ${first.length.toLocaleString("en")} events of ${options.replay?.name ?? "the seed quarter"} up to the demo clock (later starts skip it)…`,
    );
    const started = Date.now();
    const units = await store.getUnitDirectory();
    const summary = await importEvents(
      {
        store,
        bulk: new BulkWriter(store.client, store.tableName),
        settings: countingSettings(applyEnv),
        units,
        unknownUnits: applyEnv.UNKNOWN_UNITS,
        now,
      },
      first.map((e, i) => ({ input: { ...e, source: DEMO_SOURCE }, where: `seed:${i + 1}` })),
      // DynamoDB Local on disk takes items faster in transactions than in batches.
      { recordWrites: options.dataDir ? "transaction" : "batch" },
    );
    replay = replay.filter((e) => Date.parse(e.occurredAt) > now());
    log(
      `import done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.applied.toLocaleString("en")} applied, ${summary.duplicates.toLocaleString("en")} repeats, ${summary.quarantined} quarantined`,
    );
  }

  // The HTTP API: the same routes as the deployed HTTP API, to the same handlers.
  const server: Server = apiServer({ "ingest-api": ingest, "query-api": query }, onError);
  const apiPort = options.apiPort ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(apiPort, "127.0.0.1", resolve));
  stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  // EventBridge's PutEvents for producers with AWS credentials, onto the same bus and rules.
  const events = eventBridgeServer({ bus: localBus, busName: LOCAL_BUS_NAME, now, log }, onError);
  const eventBridgePort = options.eventBridgePort ?? (await freePort());
  await new Promise<void>((resolve) => events.listen(eventBridgePort, "127.0.0.1", resolve));
  stops.unshift(() => new Promise<void>((resolve) => events.close(() => resolve())));

  // The scheduler: the deployed schedules, read in Asia/Ho_Chi_Minh, on the demo clock; the rest of
  // the seed quarter arrives as simulated time passes.
  const stopScheduler = startScheduler({
    clock,
    fire,
    onError,
    tick: (t) => {
      // Not a prefix of the list: the seed's events are in arrival order (dev/local/replay.ts).
      const { due, rest } = takeDue(replay, t);
      if (due.length) {
        replay = rest;
        void localBus.publish(due.map(asDemoIntegration));
      }
    },
  });
  stops.unshift(async () => stopScheduler());

  return {
    urls: {
      api: `http://127.0.0.1:${apiPort}`,
      inbox: sesEndpoint,
      dynamodb: dynamoEndpoint,
      eventBridge: `http://127.0.0.1:${eventBridgePort}`,
    },
    busName: LOCAL_BUS_NAME,
    tableName,
    keys,
    clock,
    store,
    drain: () => queue.drained(),
    deadLetters: () => queue.deadLetters.length,
    fire,
    stop: async () => {
      for (const stop of stops) await stop();
      client.destroy();
    },
  };
}

/** The settings `serve` uses unless the environment says otherwise: the seed report's window. */
export const SERVE_DEFAULTS = {
  scheme: { kind: "explicit" as const, windows: [SEED_PERIOD] },
  timeZone: SCHEDULE_TIME_ZONE,
};
