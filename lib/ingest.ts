import type { Credential } from "./auth";
import { INGEST_SOURCE, type Publish } from "./bus";
import type { DossierEvent } from "./events/schema";
import { type Problem, validateEvent } from "./events/validate";
import { type HttpResult, json, problem } from "./http";
import { sameBody } from "./identity";
import { type DossierStore, storableEvent, storedKey } from "./store/repository";

/**
 * `POST /events`: one event or `{"events": [...]}` (1..100), at most 256 KB. Each event is
 * answered accepted, duplicate or rejected with every problem; `source` comes from the caller's
 * credentials, never the body; accepted events are published to the bus, and an event is only
 * reported accepted once the bus took it.
 */
export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_EVENTS = 100;

export interface IngestDeps {
  store: DossierStore;
  publish: Publish;
  now: () => number;
}

export type EventAnswer =
  | { index: number; eventId?: string; status: "accepted" | "duplicate" }
  | { index: number; eventId?: string; status: "rejected"; problems: Problem[] };

/** Parses a JSON body into the list of candidate events, or the 4xx that says why not. */
export function parseBody(body: string | undefined): unknown[] | HttpResult {
  if (!body) return problem(400, 'empty body: send one event or {"events": [...]}');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES)
    return problem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return problem(400, "malformed JSON", [{ path: "(body)", message: (e as Error).message.slice(0, 200) }]);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return problem(400, 'expected one event object or {"events": [...]}', [
      { path: "(body)", message: "not an object" },
    ]);
  }
  if ("events" in parsed) {
    const events = (parsed as { events: unknown }).events;
    if (!Array.isArray(events))
      return problem(400, "events must be an array", [{ path: "events", message: "expected an array" }]);
    if (events.length === 0 || events.length > MAX_EVENTS) {
      return problem(400, `events must hold 1..${MAX_EVENTS} events`, [
        { path: "events", message: `got ${events.length}` },
      ]);
    }
    return events;
  }
  return [parsed];
}

export async function ingestEvents(
  deps: IngestDeps,
  credential: Credential,
  candidates: unknown[],
): Promise<HttpResult> {
  const now = deps.now();
  const answers: EventAnswer[] = [];
  const valid: { index: number; event: DossierEvent }[] = [];
  candidates.forEach((candidate, index) => {
    // The source is the caller's, whatever the body says.
    const withSource =
      typeof candidate === "object" && candidate !== null && !Array.isArray(candidate)
        ? { ...(candidate as Record<string, unknown>), source: credential.source }
        : candidate;
    const result = validateEvent(withSource, { now });
    const eventId =
      typeof (candidate as { eventId?: unknown })?.eventId === "string"
        ? (candidate as { eventId: string }).eventId.slice(0, 128)
        : undefined;
    if (!result.ok) answers.push({ index, eventId, status: "rejected", problems: result.error });
    else valid.push({ index, event: result.value });
  });
  const stored = await deps.store.storedEvents(valid.map((v) => v.event));
  const inBatch = new Map<string, DossierEvent>();
  const toPublish: { index: number; event: DossierEvent }[] = [];
  for (const v of valid) {
    const key = storedKey(v.event);
    // Stored with the same body: a duplicate. With another body it goes on to the consumer, which
    // keeps it in quarantine as a conflict next to the applied one (never silently a duplicate).
    const prior = stored.get(key) ?? inBatch.get(key);
    if (prior && sameBody(prior, storableEvent(v.event)))
      answers.push({ index: v.index, eventId: v.event.eventId, status: "duplicate" });
    else {
      if (!inBatch.has(key)) inBatch.set(key, v.event);
      toPublish.push(v);
    }
  }
  const { failed } = toPublish.length
    ? await deps.publish(
        toPublish.map((v) => ({ source: INGEST_SOURCE, detailType: v.event.type, detail: v.event })),
      )
    : { failed: [] };
  const failedSet = new Set(failed);
  toPublish.forEach((v, i) => {
    answers.push(
      failedSet.has(i)
        ? {
            index: v.index,
            eventId: v.event.eventId,
            status: "rejected",
            problems: [{ path: "(bus)", message: "not published: send it again" }],
          }
        : { index: v.index, eventId: v.event.eventId, status: "accepted" },
    );
  });
  answers.sort((a, b) => a.index - b.index);
  const count = (s: EventAnswer["status"]) => answers.filter((a) => a.status === s).length;
  const summary = {
    accepted: count("accepted"),
    duplicate: count("duplicate"),
    rejected: count("rejected"),
    results: answers,
  };
  const status =
    summary.rejected === 0 ? 200 : summary.rejected === answers.length ? (failed.length ? 503 : 400) : 207;
  return json(status, summary);
}
