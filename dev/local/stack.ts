import type { Server } from "node:http";
import { Logger } from "@aws-lambda-powertools/logger";
import * as applyEvents from "../../functions/apply-events";
import type { Clients } from "../../functions/commons/clients";
import * as ingestApi from "../../functions/ingest-api";
import * as kpiReport from "../../functions/kpi-report";
import * as queryApi from "../../functions/query-api";
import * as sendAlerts from "../../functions/send-alerts";
import * as sesFeedback from "../../functions/ses-feedback";
import * as sweepDeadlines from "../../functions/sweep-deadlines";
import { CONSUMER_TUNING } from "../../infra/consumer-tuning";
import { BulkWriter } from "../../lib/adapters/dynamodb/bulk";
import { type TableStore, tableStore } from "../../lib/adapters/dynamodb/store";
import { dossierOfMessage } from "../../lib/app/consumer";
import { importEvents } from "../../lib/app/import";
import { INGEST_SOURCE } from "../../lib/contracts/bus";
import { countingSettings, parseEnv, type RawEnv } from "../../lib/contracts/config";
import { METRIC_NAMESPACE } from "../../lib/contracts/metrics";
import { SCHEDULE_TIME_ZONE, SCHEDULES } from "../../lib/contracts/schedules";
import { keptValue } from "../../lib/domain/events/redact";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { localDate } from "../../lib/domain/time";
import { createApiKey } from "../../lib/http/auth";
import { SEED_PERIOD, seed2022Q3 } from "../scenarios/seed-2022-q3";
import { SEED_OFFICIAL_SETTINGS } from "../scenarios/seed-official";
import { LocalBus, LocalQueue } from "./bus";
import { DemoClock } from "./clock";
import { documentClient, ensureTable, localDynamoClient } from "./dynamodb-local";
import { startEmulators, stopInOrder } from "./emulators";
import { eventBridgeServer } from "./eventbridge";
import { perFunctionClients } from "./function-clients";
import { apiServer } from "./http";
import { LocalMetrics } from "./metrics";
import { takeDue } from "./replay";
import { startScheduler } from "./scheduler";
import { localSesClient } from "./ses-local";
import type { LocalStack, LocalStackOptions } from "./stack-options";

export { DemoClock };

/**
 * The local stack (`npm start`): DynamoDB Local, the local SES endpoint with its inbox, the local
 * bus routing with the deployed rule patterns, a scheduler firing the deployed schedules on a demo
 * clock, and the HTTP API — all on 127.0.0.1, wired to the handlers that run in Lambda: each
 * function's composition root (`compose`), given local clients, the demo clock and an environment
 * of its own (never `process.env`).
 */

/**
 * The source of the demo integration key. The seed quarter is imported and sent as that integration's
 * history (as the ingestion API would publish it), so the demo key owns the seed's dossiers and can
 * go on writing them; another key cannot.
 */
const DEMO_SOURCE = "mot-cua-tinh";
const asDemoIntegration = (e: DossierEvent) => ({
  source: INGEST_SOURCE,
  detailType: e.type,
  detail: { ...e, source: DEMO_SOURCE },
});

/** The local stack's bus, named like a deployed one would be for the functions and for `PutEvents`. */
export const LOCAL_BUS_NAME = "dossier-monitor-local";

/** Starts the local stack; its `stop()` stops everything it started, the servers first. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const { dynamoEndpoint, sesEndpoint, stops } = await startEmulators(options);
  // Stopped last, once what runs on them has stopped and settled (see `stop` below).
  const emulators = stops.splice(0);
  const tableName = options.tableName ?? "dossier-monitor-local";
  const client = localDynamoClient(dynamoEndpoint);
  await ensureTable(client, tableName);
  const store = tableStore(documentClient(client), tableName);
  const { clock } = options;
  const env = localEnv(options, tableName);
  const onError = (e: unknown) => log(`error: ${(e as Error).message}`);
  // The bus routes to functions composed with these clients, so it is set once they are; they
  // publish only when invoked, by then.
  const published: { bus?: LocalBus } = {};
  const clients: Clients = {
    dynamo: documentClient(client),
    ses: localSesClient(sesEndpoint),
    bus: () => (entries) => (published.bus as LocalBus).publish(entries),
    now: clock.now,
    ...(options.cacheClock && { cacheClock: options.cacheClock }),
    logger: (service) => new Logger({ serviceName: service, logLevel: options.logLevel ?? "WARN" }),
    metrics: (service) => new LocalMetrics({ namespace: METRIC_NAMESPACE, serviceName: service }),
  };
  const firstStart = options.seed === true && (await store.directory.get()).units.length === 0;
  const keys = firstStart ? await loadDirectoryAndDemoKeys(store, options.directory) : undefined;
  const applyEnv = parseEnv(applyEvents.EnvSchema, env);
  const { clientsFor, dynamoActions, dynamoPartitions, dynamoAttributes, destroy } = perFunctionClients(
    clients,
    dynamoEndpoint,
  );
  const queue = consumerQueue(applyEnv, clientsFor("apply-events"), log, onError);
  const fns = composeFunctions(env, clientsFor, clock.now, queue, onError);
  published.bus = fns.bus;
  const replay =
    firstStart && options.replaySeed !== false ? await importSeedHistory(store, applyEnv, options, log) : [];
  const ports = await startServers(options, fns, stops, log, onError);
  const stopScheduler = replayOnDemoClock(clock, fns, replay, onError);
  stops.unshift(async () => stopScheduler());
  return {
    urls: {
      api: `http://127.0.0.1:${ports.api}`,
      inbox: sesEndpoint,
      dynamodb: dynamoEndpoint,
      eventBridge: `http://127.0.0.1:${ports.eventBridge}`,
    },
    busName: LOCAL_BUS_NAME,
    tableName,
    keys,
    clock,
    store,
    drain: () => queue.drained(),
    settled: () => fns.settled(),
    deadLetters: () => queue.deadLetters.length,
    fire: fns.fire,
    dynamoActions,
    dynamoPartitions,
    dynamoAttributes,
    stop: async () => {
      await stopInOrder(stops, () => fns.settled(), emulators);
      client.destroy();
      destroy();
    },
  };
}

/** The functions' environment: the monitor's settings, and the local table, bus and sender. */
export function localEnv(options: LocalStackOptions, tableName: string): RawEnv {
  return {
    // The seed district's official settings unless the environment gives the deployment's own.
    OFFICIAL_SETTINGS: JSON.stringify(SEED_OFFICIAL_SETTINGS),
    ...options.env,
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: LOCAL_BUS_NAME,
    SENDER_ADDRESS: options.senderAddress,
    UNKNOWN_UNITS: options.unknownUnits ?? options.env?.UNKNOWN_UNITS ?? "reject",
  };
}

/** On the first start: the unit directory into the table, and the demo integration and reader keys. */
async function loadDirectoryAndDemoKeys(
  store: TableStore,
  directory: LocalStackOptions["directory"],
): Promise<NonNullable<LocalStack["keys"]>> {
  // The file's own units where it says them: each read inherits from the agencies as of its day.
  // The stack's own table, which no `units import` is writing: a lease left by a first start
  // stopped part way (with `--data-dir`) is taken over.
  const stored = await store.directory.put(
    directory.own?.units ?? directory.units,
    directory.own?.leadership ?? directory.leadership,
    directory.integrations,
    directory.agencies,
    { takeOver: true },
  );
  if (!stored.ok) throw new Error(stored.error.message);
  return {
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

/**
 * The consumer's queue, as the deployed one feeds apply-events: batches of 10, 4 workers, a
 * message given up on after 5 receives kept as the DLQ keeps it.
 */
function consumerQueue(
  applyEnv: applyEvents.Env,
  clients: Clients,
  log: (line: string) => void,
  onError: (e: unknown) => void,
): LocalQueue {
  // Each worker is its own execution environment, with its own handler instance, as in Lambda; the
  // consumer reads the directory itself (and re-reads it a minute later).
  const applyHandlers = Array.from({ length: 4 }, () => applyEvents.compose(applyEnv, clients));
  // An execution environment handles one batch at a time, as in Lambda: a batch takes an idle one
  // (there are as many as workers) and gives it back. Handing a busy one a second batch would mix
  // the two batches' partial failures in its batch processor, and a failed message would be lost.
  const idle = [...applyHandlers];
  const queue: LocalQueue = new LocalQueue(
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
      // As deployed (infra/consumer-tuning.ts); the local queue hands over what is waiting at once,
      // without the batching window, so a test never waits on the clock.
      batchSize: CONSUMER_TUNING.batchSize,
      maxReceives: 5,
      onError,
      // What the deployed queue's DLQ (and its alarm) does: keep it, and say so.
      onDeadLetter: (record, receives) =>
        log(
          `dead letter: message ${record.messageId} (dossier ${keptValue("dossierId", dossierOfMessage(record.body), true) ?? "unknown"}) failed ${receives} times; kept in the local dead-letter list (${queue.deadLetters.length} so far)`,
        ),
    },
  );
  return queue;
}

/** The local bus with the deployed rules' targets, the two APIs' handlers, and the schedules' functions. */
interface LocalFunctions {
  bus: LocalBus;
  ingest: ReturnType<typeof ingestApi.compose>;
  query: ReturnType<typeof queryApi.compose>;
  /** Runs a schedule's function now (what the scheduler does when it fires). */
  fire: (scheduleId: string) => Promise<unknown>;
  /**
   * Waits until no schedule run (by `fire` or the scheduler) and no delivery of the bus is in
   * flight, those started meanwhile included.
   */
  settled: () => Promise<void>;
}

/** Every function but the consumer, composed as in Lambda, and the bus routing to them. */
function composeFunctions(
  env: RawEnv,
  clientsFor: (fn: string) => Clients,
  now: () => number,
  queue: LocalQueue,
  onError: (e: unknown) => void,
): LocalFunctions {
  const send = sendAlerts.compose(parseEnv(sendAlerts.EnvSchema, env), clientsFor("send-alerts"));
  const feedback = sesFeedback.compose(parseEnv(sesFeedback.EnvSchema, env), clientsFor("ses-feedback"));
  const bus = new LocalBus(
    {
      DossierEventsToConsumer: { kind: "queue", queue },
      AlertsPendingToSender: { kind: "function", invoke: (e) => send(e, {} as never) },
      SesFeedbackToSuppression: { kind: "function", invoke: (e) => feedback(e, {} as never) },
    },
    now,
    onError,
  );
  const sweep = sweepDeadlines.compose(
    parseEnv(sweepDeadlines.EnvSchema, env),
    clientsFor("sweep-deadlines"),
  );
  const kpi = kpiReport.compose(parseEnv(kpiReport.EnvSchema, env), clientsFor("kpi-report"));
  // As in Lambda, the ingestion API keeps the directory a short time (real time here, not the demo clock's).
  const ingest = ingestApi.compose(parseEnv(ingestApi.EnvSchema, env), clientsFor("ingest-api"), 5_000);
  // As in Lambda, the query API reads the unit directory from the table (kept a minute).
  const query = queryApi.compose(parseEnv(queryApi.EnvSchema, env), clientsFor("query-api"));
  const targets: Record<string, (input: unknown) => Promise<unknown>> = {
    "sweep-deadlines": (input) => sweep(input, {} as never),
    "kpi-report": (input) => kpi(input, {} as never),
  };
  const running = new Set<Promise<unknown>>();
  const fire = (scheduleId: string) => {
    const run = (async () => {
      const s = SCHEDULES.find((x) => x.id === scheduleId);
      if (!s) throw new Error(`no schedule ${scheduleId}`);
      return (targets[s.target] as (input: unknown) => Promise<unknown>)(s.input ?? {});
    })();
    running.add(run);
    // Its failure is the caller's to handle; the set only forgets it.
    run.then(
      () => running.delete(run),
      () => running.delete(run),
    );
    return run;
  };
  const settled = async () => {
    do {
      await Promise.allSettled([...running]);
      await bus.settled();
    } while (running.size > 0);
  };
  return { bus, ingest, query, fire, settled };
}

/**
 * The seed quarter's history up to the demo clock, by the bulk import (lib/app/import.ts): the
 * table the consumer would leave, in seconds instead of minutes. Answers the rest of the quarter,
 * which arrives through the bus as the demo clock passes it.
 */
async function importSeedHistory(
  store: TableStore,
  applyEnv: applyEvents.Env,
  options: LocalStackOptions,
  log: (line: string) => void,
): Promise<DossierEvent[]> {
  const now = options.clock.now;
  const replay = (options.replay?.events ?? seed2022Q3)();
  const first = replay.filter((e) => Date.parse(e.occurredAt) <= now());
  log(
    `importing ${first.length.toLocaleString("en")} events of ${options.replay?.name ?? "the seed quarter"} up to the demo clock (later starts skip it)…`,
  );
  const started = Date.now();
  const units = await store.directory.get(localDate(now()));
  const summary = await importEvents(
    {
      dossiers: store.dossiers,
      quarantine: store.quarantine,
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
  log(
    `import done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary.applied.toLocaleString("en")} applied, ${summary.duplicates.toLocaleString("en")} repeats, ${summary.quarantined} quarantined`,
  );
  return replay.filter((e) => Date.parse(e.occurredAt) > now());
}

/**
 * The HTTP API (the deployed HTTP API's routes, to the same handlers) and EventBridge's PutEvents
 * for producers with AWS credentials (onto the same bus and rules), each put first in `stops`.
 */
async function startServers(
  options: LocalStackOptions,
  fns: LocalFunctions,
  stops: (() => Promise<void>)[],
  log: (line: string) => void,
  onError: (e: unknown) => void,
): Promise<{ api: number; eventBridge: number }> {
  const server: Server = apiServer({ "ingest-api": fns.ingest, "query-api": fns.query }, onError);
  const api = await listenLocally(server, options.apiPort);
  stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const events = eventBridgeServer(
    { bus: fns.bus, busName: LOCAL_BUS_NAME, now: options.clock.now, log },
    onError,
  );
  const eventBridge = await listenLocally(events, options.eventBridgePort);
  stops.unshift(() => new Promise<void>((resolve) => events.close(() => resolve())));
  return { api, eventBridge };
}

/**
 * Listens on 127.0.0.1 at `port` (omitted: one the system picks, never a port found free earlier
 * that another process may have taken since); answers the port, or fails with why it could not
 * listen (a port in use is an error, never a start that waits for good).
 */
async function listenLocally(server: Server, port: number | undefined): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("the local server has no port");
  return address.port;
}

/**
 * The scheduler: the deployed schedules, read in Asia/Ho_Chi_Minh, on the demo clock; the rest of
 * the seed quarter (`replay`) is published as simulated time passes it. Answers what stops it.
 */
function replayOnDemoClock(
  clock: DemoClock,
  fns: LocalFunctions,
  replay: DossierEvent[],
  onError: (e: unknown) => void,
): () => void {
  let rest = replay;
  return startScheduler({
    clock,
    fire: fns.fire,
    onError,
    tick: (t) => {
      // Not a prefix of the list: the seed's events are in arrival order (dev/local/replay.ts).
      const taken = takeDue(rest, t);
      if (taken.due.length) {
        rest = taken.rest;
        void fns.bus.publish(taken.due.map(asDemoIntegration));
      }
    },
  });
}

/** The settings `serve` uses unless the environment says otherwise: the seed report's window. */
export const SERVE_DEFAULTS = {
  scheme: { kind: "explicit" as const, windows: [SEED_PERIOD] },
  timeZone: SCHEDULE_TIME_ZONE,
};
