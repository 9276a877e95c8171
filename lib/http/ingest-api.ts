import type { APIGatewayProxyEventV2 } from "aws-lambda";
import {
  type EventAnswer,
  type IngestDeps,
  type IngestSummary,
  ingestEvents,
  MAX_DVCQG_EVENTS,
  MAX_EVENTS,
} from "../app/ingest";
import type { KeyStore } from "../app/ports";
import { capProblems } from "../domain/events/validate";
import { err, isErr, ok, type Problem, type Result } from "../domain/result";
import { localDate } from "../domain/time";
import { admit } from "./auth";
import { jsonBody } from "./body";
import { convertDvcqg, parseDvcqgRequest } from "./dvcqg";
import { retoldReceipt } from "./dvcqg-facts";
import type { Converted } from "./dvcqg-fields";
import { type HttpResult, json, problem } from "./responses";

/** The ingestion API's dependencies: ingestion's, and the keys and rate windows the gate checks. */
export type IngestApiDeps = IngestDeps & KeyStore;

/** The answer's body: the summary without what only the status says. */
const answerOf = ({ unpublished: _, ...answer }: IngestSummary) => answer;

/**
 * The status of an ingestion: 200 when nothing was rejected, 207 when some were, 400 when all
 * were, 503 when all were and the bus refused some (sending again may work).
 */
export function ingestStatus(summary: IngestSummary): number {
  if (summary.rejected === 0) return 200;
  if (summary.rejected < summary.results.length) return 207;
  return summary.unpublished > 0 ? 503 : 400;
}

/** `POST /events`'s body: one event or `{"events": [...]}` (1..{@link MAX_EVENTS}). */
function candidatesOf(body: unknown): Result<unknown[], HttpResult> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return err(
      problem(400, 'expected one event object or {"events": [...]}', [
        { path: "(body)", message: "not an object" },
      ]),
    );
  }
  if (!("events" in body)) return ok([body]);
  // The batch is `{"events": [...]}` and nothing else (the OpenAPI document's EventBatch): a field
  // beside it would otherwise be dropped unseen.
  const extra = Object.keys(body).filter((k) => k !== "events");
  if (extra.length)
    return err(
      problem(
        400,
        'a batch is {"events": [...]} with no other field',
        extra.slice(0, 10).map((k) => ({ path: k.slice(0, 128), message: "unknown field" })),
      ),
    );
  const events = (body as { events: unknown }).events;
  if (!Array.isArray(events))
    return err(problem(400, "events must be an array", [{ path: "events", message: "expected an array" }]));
  if (events.length === 0 || events.length > MAX_EVENTS) {
    return err(
      problem(400, `events must hold 1..${MAX_EVENTS} events`, [
        { path: "events", message: `got ${events.length}` },
      ]),
    );
  }
  return ok(events);
}

/**
 * `POST /integrations/dvcqg`: the portal's sync request, converted, then ingested as events. The
 * unit directory gives each dossier its level (lib/http/dvcqg.ts); `notes` say what made no event
 * and why, without counting as rejected.
 */
async function ingestDvcqg(
  deps: IngestDeps,
  credential: Parameters<typeof ingestEvents>[1],
  body: unknown,
): Promise<HttpResult> {
  const parsed = parseDvcqgRequest(body);
  if (isErr(parsed)) return problem(400, "not a DVCQG sync request", capProblems(parsed.error));
  const units = await (deps.units ?? (() => deps.directory.get(localDate(deps.now()))))();
  const converted = convertDvcqg(parsed.value, { units });
  // Bounded like POST /events, twice over: a progress item makes at most two events (a transfer,
  // and a pause or a return to processing), so 100 progress items always fit; a snapshot makes one
  // event for each thing it shows, so 100 closed dossiers' may not (docs/dvcqg.md says to send fewer).
  if (converted.events.length > MAX_DVCQG_EVENTS) {
    return problem(413, `this request makes ${converted.events.length} events; at most ${MAX_DVCQG_EVENTS}`, [
      { path: "data", message: "send fewer dossiers (or fewer supplements) per request" },
    ]);
  }
  if (converted.events.length === 0) {
    const problems = capProblems(converted.problems) as typeof converted.problems;
    return json(problems.length ? 400 : 200, {
      accepted: 0,
      duplicate: 0,
      rejected: converted.problems.length,
      results: [],
      problems,
      ...(converted.notes.length && { notes: capProblems(converted.notes.map(({ event: _, ...n }) => n)) }),
    });
  }
  const ingested = await ingestEvents(deps, credential, converted.events, { retold: retoldReceipt });
  return dvcqgAnswer(ingested, converted);
}

/**
 * A portal request's answer: each result with the item of `data` its event came from, a refusal
 * and a receipt told again named by the request's fields.
 */
function dvcqgAnswer(ingested: IngestSummary, converted: Converted): HttpResult {
  const problems = capProblems(converted.problems) as typeof converted.problems;
  // Notes say how the events taken were read: a note about one event goes only if that event was
  // taken, an item's only if one of its events was (a key scoped to agencies would otherwise learn
  // from the receipt's note which units exist outside its agencies).
  const takenEvents = new Set(ingested.results.filter((r) => r.status !== "rejected").map((r) => r.index));
  const takenItems = new Set([...takenEvents].map((i) => converted.eventItems[i]));
  const itemNotes = converted.notes
    .filter((n) =>
      n.event !== undefined
        ? takenEvents.has(n.event)
        : takenItems.has(n.index) || !converted.eventItems.includes(n.index),
    )
    .map(({ event: _, ...n }) => n);
  const allNotes = [...itemNotes, ...retoldNotes(ingested.results, converted)];
  const notes = allNotes.length ? { notes: capProblems(allNotes) } : {};
  const summary = {
    ...ingested,
    results: ingested.results.map(({ changed: _changed, ...r }: EventAnswer & { changed?: string[] }) => ({
      ...r,
      item: converted.eventItems[r.index],
      ...(r.status === "rejected" && { problems: portalPaths(r.problems, converted.eventFields[r.index]) }),
    })),
  };
  const status = ingestStatus(summary);
  // The bus refused events: 503 (send the request again) whatever the fields' problems.
  if (!problems.length || status === 503)
    return json(status, { ...answerOf(summary), ...(problems.length && { problems }), ...notes });
  return json(207, {
    ...answerOf(summary),
    rejected: summary.rejected + converted.problems.length,
    problems,
    ...notes,
  });
}

/**
 * A note for each receipt a later snapshot told with other values: the fields as the request sent
 * them, and that the receipt first recorded stands (lib/http/dvcqg-facts.ts `retoldReceipt`).
 */
function retoldNotes(results: IngestSummary["results"], converted: Converted): Converted["notes"] {
  return results.flatMap((r) =>
    r.status === "duplicate" && r.changed
      ? r.changed.map((path) => ({
          index: converted.eventItems[r.index] ?? 0,
          path: converted.eventFields[r.index]?.[path] ?? path,
          message: `the dossier's receipt was recorded from an earlier snapshot with another value (event field ${path}); the first stands. A new appointment is recorded from a supplement round's NgayHenTraMoi, a transfer from a progress item's PhongBanXuLy`,
        }))
      : [],
  );
}

/**
 * A refused event's problems named by the request's fields (`data[2].DonViXuLy`, not the event's
 * `data.unitId`), the event's own path kept in the message; a path the portal has no field for
 * (a rule across fields, the whole event) stays the event's.
 */
function portalPaths(problems: readonly Problem[], fields: Record<string, string> | undefined): Problem[] {
  return problems.map((p) => {
    const field = fields?.[p.path];
    return field ? { path: field, message: `${p.message} (event field ${p.path})` } : p;
  });
}

/** The posting routes: `POST /events` and `POST /integrations/dvcqg`, for integration keys only. */
export async function handleIngest(deps: IngestApiDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const admitted = await admit(deps, event, "ingest-api", deps.now());
  if (isErr(admitted)) return admitted.error;
  const { route, credential } = admitted.value;
  // Every route of this API takes an integration key (lib/contracts/routes.ts).
  if (!credential) return problem(404, "no such route");
  const events = route.path === "/events";
  const body = jsonBody(event, events ? 'empty body: send one event or {"events": [...]}' : undefined);
  if (!body.ok) return body.error;
  if (!events) return ingestDvcqg(deps, credential, body.value);
  const candidates = candidatesOf(body.value);
  if (isErr(candidates)) return candidates.error;
  const summary = await ingestEvents(deps, credential, candidates.value);
  return json(ingestStatus(summary), answerOf(summary));
}
