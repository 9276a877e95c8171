import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { envelope, INGEST_SOURCE } from "../../lib/contracts/bus";
import type { LocalBus } from "./bus";
import { readBody } from "./http";

/**
 * The EventBridge API's `PutEvents`, locally, for producers with AWS credentials (AWS JSON 1.1:
 * `POST /`, `X-Amz-Target: AWSEvents.PutEvents`), onto the local bus and its rules, the ones the
 * CDK stack deploys (lib/contracts/bus.ts). Entries are checked and answered one by one as
 * EventBridge answers them (API reference, PutEvents and PutEventsResultEntry):
 * - more than 10 entries, none, or more than 256 KB in all: the whole request is refused
 *   (`ValidationException`);
 * - an entry without `Source`, `DetailType` or `Detail`: `InvalidArgument`; a `Detail` that is not a
 *   JSON object: `MalformedDetail`; a source under `aws.`: `NotAuthorizedForSourceException`;
 * - an entry under the ingestion API's source: `AccessDeniedException`, as the bus policy of the
 *   stateful stack denies it to anyone but the API's role (the consumer trusts that source's body);
 * - every other entry is accepted with an `EventId`, whether or not a rule matches it, and whatever
 *   the bus it names: EventBridge delivers such events nowhere and says nothing; locally a line is
 *   logged. An event that reaches the consumer but breaks the event contract is quarantined with
 *   its reason, as on AWS, so nothing accepted is lost.
 * Requests must be signed, but any SigV4 credentials do: the signature is not checked locally.
 */

export const MAX_ENTRIES = 10;
/** EventBridge's limit on a request's entries, counted as its user guide says ("Calculating PutEvents event entry size"). */
export const MAX_ENTRIES_BYTES = 256 * 1024;
const JSON_11 = "application/x-amz-json-1.1";

interface RequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  Resources?: unknown;
}
type ResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };
type Answer = { status: number; body: unknown };

const error = (type: string, message: string, status = 400): Answer => ({
  status,
  body: { __type: type, message },
});
const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v) : 0);

/** An entry's size: 14 bytes for its time, and its strings' UTF-8 bytes. */
function entrySize(e: RequestEntry): number {
  const resources = Array.isArray(e.Resources) ? e.Resources.reduce((n: number, r) => n + bytes(r), 0) : 0;
  return 14 + bytes(e.Source) + bytes(e.DetailType) + bytes(e.Detail) + resources;
}

/** `Time`: epoch seconds as the SDKs send it, or an RFC 3339 string; absent: now. */
function timeOf(value: unknown, now: number): number {
  if (typeof value === "number" && Number.isFinite(value)) return Math.round(value * 1000);
  const parsed = typeof value === "string" ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? now : parsed;
}

export interface PutEventsOptions {
  bus: LocalBus;
  /** The project's bus: its name (or an ARN ending with it) in `EventBusName` reaches its rules. */
  busName: string;
  now: () => number;
  log: (line: string) => void;
}

/** The bus an entry names: the project's, the account's default (absent too), or one that does not exist. */
function busOf(name: unknown, busName: string): "dossier" | "default" | undefined {
  const bare = typeof name === "string" ? name.replace(/^arn:aws:events:[^:]*:[^:]*:event-bus\//, "") : "";
  if (bare === "" || bare === "default") return "default";
  return bare === busName ? "dossier" : undefined;
}

function putEntry(e: RequestEntry, index: number, opts: PutEventsOptions): ResultEntry {
  for (const field of ["Source", "DetailType", "Detail"] as const)
    if (!str(e[field]))
      return {
        ErrorCode: "InvalidArgument",
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail as string);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== "object" || detail === null || Array.isArray(detail))
    return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
  const source = e.Source as string;
  if (source.startsWith("aws."))
    return { ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source." };
  const bus = busOf(e.EventBusName, opts.busName);
  if (source === INGEST_SOURCE && bus === "dossier")
    return {
      ErrorCode: "AccessDeniedException",
      ErrorMessage: `the bus policy lets only the ingestion API put events under source ${INGEST_SOURCE}`,
    };
  const event = envelope(detail as Record<string, unknown>, source, timeOf(e.Time, opts.now()));
  event["detail-type"] = e.DetailType as string;
  if (Array.isArray(e.Resources)) event.resources = e.Resources.filter((r) => typeof r === "string");
  const matched = bus === undefined ? 0 : opts.bus.route(event, bus);
  if (matched === 0)
    opts.log(
      `PutEvents: entry ${index} (${source}, ${event["detail-type"]}) ${bus ? `matched no rule on the ${bus === "dossier" ? opts.busName : "default"} bus` : `names no bus here (${String(e.EventBusName)})`}: accepted and delivered nowhere, as EventBridge does`,
    );
  return { EventId: event.id };
}

/** One AWS JSON 1.1 request. */
export function putEventsAnswer(target: string | undefined, body: string, opts: PutEventsOptions): Answer {
  if (target !== "AWSEvents.PutEvents")
    return error(
      "UnknownOperationException",
      `the local stack answers AWSEvents.PutEvents only, not ${target}`,
    );
  let request: { Entries?: unknown };
  try {
    request = JSON.parse(body) as { Entries?: unknown };
  } catch {
    return error("SerializationException", "the request body is not JSON");
  }
  const entries = request?.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES)
    return error(
      "ValidationException",
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
    );
  if ((entries as RequestEntry[]).reduce((n, e) => n + entrySize(e ?? {}), 0) > MAX_ENTRIES_BYTES)
    return error("ValidationException", "Total size of the entries in the request is over the limit.");
  const results = (entries as RequestEntry[]).map((e, i) => putEntry(e ?? {}, i, opts));
  return {
    status: 200,
    body: { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results },
  };
}

/** The local EventBridge endpoint (not yet listening): point an SDK client's `endpoint` at it. */
export function eventBridgeServer(opts: PutEventsOptions, onError: (e: unknown) => void): Server {
  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req, 1024 * 1024);
      const answer =
        req.method !== "POST"
          ? error("UnknownOperationException", "send POST / with X-Amz-Target", 404)
          : !req.headers.authorization
            ? error("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
            : body === undefined
              ? error("ValidationException", "Total size of the entries in the request is over the limit.")
              : putEventsAnswer(
                  req.headers["x-amz-target"] as string | undefined,
                  body.toString("utf8"),
                  opts,
                );
      const type = (answer.body as { __type?: string }).__type;
      res.writeHead(answer.status, {
        "content-type": JSON_11,
        ...(type ? { "x-amzn-errortype": type } : {}),
      });
      res.end(JSON.stringify(answer.body));
    } catch (e) {
      onError(e);
      res.writeHead(500, { "content-type": JSON_11 });
      res.end(JSON.stringify({ __type: "InternalException", message: "internal error" }));
    }
  });
}
