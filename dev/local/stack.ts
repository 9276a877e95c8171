import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { DossierStore } from "../../lib/adapters/dynamodb/repository";
import { sesMailer } from "../../lib/adapters/ses";
import { dossierOfMessage } from "../../lib/app/consumer";
import { cachedDirectory, MAX_BODY_BYTES, type UnknownUnits } from "../../lib/app/ingest";
import { INGEST_SOURCE } from "../../lib/contracts/bus";
import { matchRoute } from "../../lib/contracts/routes";
import { cronMatches, rateMs, SCHEDULE_TIME_ZONE, SCHEDULES } from "../../lib/contracts/schedules";
import type { CountingSettings } from "../../lib/domain/counting";
import type { DossierEvent } from "../../lib/domain/events/schema";
import { decodeUtf8 } from "../../lib/domain/text";
import { localDate, localMinutes, OFFSET_MS } from "../../lib/domain/time";
import type { UnitDirectoryFile } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { SEED_PERIOD, seed2022Q3 } from "../scenarios/seed-2022-q3";
import { LocalBus, LocalQueue } from "./bus";
import {
  documentClient,
  ensureTable,
  freePort,
  LOCAL_AWS,
  localDynamoClient,
  type RunningDynamo,
  startDynamoDbLocal,
} from "./dynamodb-local";
import { localSesClient, type RunningSes, startSesLocal } from "./ses-local";

/**
 * The local stack (`npm start`): DynamoDB Local, the local SES endpoint with its inbox, the local
 * bus routing with the deployed rule patterns, a scheduler firing the deployed schedules on a demo
 * clock, and the HTTP API — all on 127.0.0.1, wired to the handlers that run in Lambda (each
 * function's own `createHandler`, given local clients and the demo clock).
 */

/** Simulated time: starts at `start`, runs `speed` times faster than real time once started. */
export class DemoClock {
  private base: number;
  private realBase = 0;
  private running = false;
  constructor(
    start: number,
    readonly speed: number,
  ) {
    this.base = start;
  }
  now = (): number => (this.running ? this.base + (Date.now() - this.realBase) * this.speed : this.base);
  start(): void {
    if (this.running) return;
    this.realBase = Date.now();
    this.running = true;
  }
  /** Moves simulated time forward at once (tests, and `--advance`). */
  advance(ms: number): void {
    this.base = this.now() + ms;
    this.realBase = Date.now();
  }
}

export interface LocalStackOptions {
  settings: CountingSettings;
  clock: DemoClock;
  directory: UnitDirectoryFile;
  senderAddress: string;
  /** Persist DynamoDB Local's data here (omit: in memory). */
  dataDir?: string;
  /** Reuse running emulators (tests) instead of starting them. */
  dynamoEndpoint?: string;
  sesEndpoint?: string;
  tableName?: string;
  apiPort?: number;
  /** On an empty table: load the units, create demo keys and replay the seed quarter. */
  seed?: boolean;
  /** With `seed`: replay the seed quarter (default true). */
  replaySeed?: boolean;
  /** The `UNKNOWN_UNITS` setting (default `reject`). */
  unknownUnits?: UnknownUnits;
  log?: (line: string) => void;
}

export interface LocalStack {
  urls: { api: string; inbox: string; dynamodb: string };
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

/** Text bodies as text; bytes that are not UTF-8 base64-encoded, as API Gateway passes binary. */
function bodyField(bytes: Buffer): { body: string; isBase64Encoded: boolean } {
  const text = decodeUtf8(bytes);
  return text === undefined
    ? { body: bytes.toString("base64"), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false };
}

function toApiEvent(req: IncomingMessage, bytes: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
  const query = Object.fromEntries(url.searchParams.entries());
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers,
    ...bodyField(bytes),
    requestContext: {
      http: { method: req.method ?? "GET", path: url.pathname, sourceIp: "127.0.0.1" },
    } as never,
  } as APIGatewayProxyEventV2;
}

/** Reads a request body up to the API's limit; `undefined` when it is larger (the caller answers 413). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * The source of the demo integration key. The seed quarter is replayed as that integration's
 * history (as the ingestion API would publish it), so the demo key owns the seed's dossiers and can
 * go on writing them; another key cannot (issue 12).
 */
const DEMO_SOURCE = "mot-cua-tinh";
const asDemoIntegration = (e: DossierEvent) => ({
  source: INGEST_SOURCE,
  detailType: e.type,
  detail: { ...e, source: DEMO_SOURCE },
});

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
  const sesClient = localSesClient(sesEndpoint);
  const { clock, settings } = options;
  const now = clock.now;

  // The function modules parse their environment when loaded, as in Lambda: give them this one.
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    EVENT_BUS_NAME: "local",
    SENDER_ADDRESS: options.senderAddress,
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SESV2: sesEndpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
  });
  const [applyFn, sweepFn, sendFn, feedbackFn, kpiFn, ingestFn, queryFn] = await Promise.all([
    import("../../functions/apply-events"),
    import("../../functions/sweep-deadlines"),
    import("../../functions/send-alerts"),
    import("../../functions/ses-feedback"),
    import("../../functions/kpi-report"),
    import("../../functions/ingest-api"),
    import("../../functions/query-api"),
  ]);
  const logger = (service: string) => new Logger({ serviceName: service });
  const metrics = (service: string) => new Metrics({ namespace: "DossierMonitor", serviceName: service });
  const onError = (e: unknown) => log(`error: ${(e as Error).message}`);

  let keys: LocalStack["keys"];
  const firstStart = options.seed === true && (await store.getUnitDirectory()).units.length === 0;
  if (firstStart) {
    await store.putUnitDirectory(
      options.directory.units,
      options.directory.leadership,
      options.directory.integrations,
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
  const units = await store.getUnitDirectory();
  // The consumer reads the directory itself (and re-reads it a minute later), as in Lambda.
  const applyDeps = { store, settings, now };
  // Each worker is its own execution environment, with its own handler instance, as in Lambda.
  const applyHandlers = Array.from({ length: 4 }, () =>
    applyFn.createHandler(applyDeps, logger("apply-events"), metrics("apply-events")),
  );
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
  const kpiDeps = {
    store,
    calendar: settings.calendar,
    scheme: settings.scheme,
    strictSupplementRule: settings.strictSupplementRule,
    now,
  };
  const send = sendFn.createHandler(
    {
      store,
      mailer: sesMailer(sesClient),
      calendar: settings.calendar,
      from: options.senderAddress,
      now,
      owner: randomUUID(),
    },
    logger("send-alerts"),
    metrics("send-alerts"),
  );
  const feedback = feedbackFn.createHandler(store, logger("ses-feedback"), now);
  const bus: LocalBus = new LocalBus(
    {
      DossierEventsToConsumer: { kind: "queue", queue },
      AlertsPendingToSender: { kind: "function", invoke: (e) => send(e, {} as never) },
      SesFeedbackToSuppression: { kind: "function", invoke: (e) => feedback(e, {} as never) },
    },
    now,
    onError,
  );
  const sweep = sweepFn.createHandler(
    { store, settings, now },
    (entries) => bus.publish(entries),
    logger("sweep-deadlines"),
    metrics("sweep-deadlines"),
  );
  const kpi = kpiFn.createHandler(
    { ...kpiDeps, mailer: sesMailer(sesClient), from: options.senderAddress },
    logger("kpi-report"),
  );
  const ingest = ingestFn.createHandler(
    {
      store,
      publish: bus.publish,
      now,
      // As in Lambda: kept for a short time (real time here, not the demo clock's).
      units: cachedDirectory(store, Date.now, 5_000),
      unknownUnits: options.unknownUnits ?? "reject",
    },
    logger("ingest-api"),
  );
  const query = queryFn.createHandler({ ...kpiDeps, units }, logger("query-api"));

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
    replay = seed2022Q3();
    const first = replay.filter((e) => Date.parse(e.occurredAt) <= now());
    log(
      `replaying ${first.length.toLocaleString("en")} events of the seed quarter up to the demo clock (about 2–3 minutes on 2 cores; later starts skip it)…`,
    );
    const started = Date.now();
    await bus.publish(first.map(asDemoIntegration));
    const progress = setInterval(() => {
      const done = first.length - queue.backlog;
      log(
        `  ${done.toLocaleString("en")} of ${first.length.toLocaleString("en")} applied (${Math.floor((100 * done) / first.length)}%)`,
      );
    }, 15_000);
    try {
      await queue.drained();
    } finally {
      clearInterval(progress);
    }
    replay = replay.filter((e) => Date.parse(e.occurredAt) > now());
    const dead = queue.deadLetters.length;
    log(
      `replay done in ${Math.round((Date.now() - started) / 1000)} s${dead ? `; ${dead} messages in the local dead-letter list` : ""}`,
    );
  }

  // The HTTP API: the same routes as the deployed HTTP API, to the same handlers.
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req);
      let result: {
        statusCode: number;
        headers?: Record<string, unknown>;
        body?: string;
        isBase64Encoded?: boolean;
      };
      if (body === undefined)
        result = {
          statusCode: 413,
          body: JSON.stringify({ message: `body larger than ${MAX_BODY_BYTES} bytes` }),
        };
      else {
        const event = toApiEvent(req, body);
        // Each route to the function lib/contracts/routes.ts names, as the deployed API routes it; the
        // handler answers 404 or 405 to the rest, as API Gateway's $default route does.
        const route = matchRoute(req.method ?? "GET", event.rawPath);
        const fn = route?.fn ?? (req.method === "POST" ? "ingest-api" : "query-api");
        result = fn === "ingest-api" ? await ingest(event, {} as never) : await query(event, {} as never);
      }
      res.writeHead(result.statusCode, {
        "content-type": "application/json; charset=utf-8",
        ...(result.headers as Record<string, string>),
      });
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : undefined);
    } catch (e) {
      onError(e);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "internal error" }));
    }
  });
  const apiPort = options.apiPort ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(apiPort, "127.0.0.1", resolve));
  stops.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // The scheduler: the deployed schedules, read in Asia/Ho_Chi_Minh, on the demo clock.
  const lastRate = new Map<string, number>();
  let lastMinute = Math.floor(now() / 60_000);
  const busy = new Set<string>();
  const run = (id: string) => {
    if (busy.has(id)) return;
    busy.add(id);
    void fire(id)
      .catch(onError)
      .finally(() => busy.delete(id));
  };
  clock.start();
  for (const s of SCHEDULES)
    if (s.expression.startsWith("rate(")) {
      lastRate.set(s.id, now());
      run(s.id);
    }
  const timer = setInterval(() => {
    const t = now();
    // Events of the seed quarter that happen later in simulated time arrive as it passes.
    const due = replay.filter((e) => Date.parse(e.occurredAt) <= t);
    if (due.length) {
      replay = replay.slice(due.length);
      void bus.publish(due.map(asDemoIntegration));
    }
    for (const s of SCHEDULES) {
      if (s.expression.startsWith("rate(")) {
        if (t - (lastRate.get(s.id) ?? t) >= rateMs(s.expression)) {
          lastRate.set(s.id, t);
          run(s.id);
        }
        continue;
      }
      for (let m = lastMinute + 1; m <= Math.floor(t / 60_000); m++) {
        const at = m * 60_000;
        const local = {
          minute: localMinutes(at) % 60,
          hour: Math.floor(localMinutes(at) / 60),
          weekday: new Date(at + OFFSET_MS).getUTCDay(),
          day: Number(localDate(at).slice(8)),
        };
        if (cronMatches(s.expression, local)) run(s.id);
      }
    }
    lastMinute = Math.floor(t / 60_000);
  }, 250);
  stops.unshift(async () => clearInterval(timer));

  return {
    urls: { api: `http://127.0.0.1:${apiPort}`, inbox: sesEndpoint, dynamodb: dynamoEndpoint },
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
