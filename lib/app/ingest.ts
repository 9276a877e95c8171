import { INGEST_SOURCE, type Publish } from "../contracts/bus";
import type { DossierEvent } from "../domain/events/schema";
import { validateEvent } from "../domain/events/validate";
import { sameBody } from "../domain/identity";
import { storableEvent, storedKey } from "../domain/records";
import { err, ok, type Problem, type Result } from "../domain/result";
import { instant, localDate } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import { agencyTreeOf, type DirectorySource } from "./directory";
import type { DirectoryReader, StoredEvents } from "./ports";

/**
 * Ingestion: each candidate event is answered accepted, duplicate or rejected with every problem;
 * `source` comes from the caller's credentials, never the body; accepted events are published to
 * the bus, and an event is only reported accepted once the bus took it. At most
 * {@link MAX_EVENTS} events a request (the HTTP routes enforce it, lib/http/ingest-api.ts).
 */
export const MAX_EVENTS = 100;

/**
 * The most events one portal request may make (lib/http/ingest-api.ts): twice {@link MAX_EVENTS},
 * since a progress item makes at most two (a transfer, and a pause or a return to processing), so
 * a request of 100 progress items always fits (snapshots, one event a thing each shows, may not).
 */
export const MAX_DVCQG_EVENTS = 2 * MAX_EVENTS;

/** The most problems one answer lists over all its events; past it, a rejected event gets one line. */
export const MAX_ANSWER_PROBLEMS = 500;

/** What to do with a unit id that is not in the directory (the `UNKNOWN_UNITS` setting). */
export type UnknownUnits = "accept" | "reject";

export interface IngestDeps {
  /** The stored events, for the duplicate check. */
  dossiers: StoredEvents;
  publish: Publish;
  now: () => number;
  /** The unit directory as kept (lib/app/directory.ts), read again on a miss; read from `directory` when not given. */
  units?: DirectorySource;
  directory: DirectoryReader;
  /** Default `reject`: a unit must exist in the directory to receive or be sent a dossier. */
  unknownUnits?: UnknownUnits;
}

/**
 * The directory the candidates are checked against: the kept one, or, when a candidate names a
 * unit it lacks, the one read again (a miss; bounded in lib/app/directory.ts). Not for a key scoped
 * to agencies: a unit it does not know is outside them whether it exists or not, and reading again
 * for one would make that answer slower for a unit the directory lacks, telling the key which units
 * exist; a unit added under its agencies is known to it when the kept directory's time runs out.
 */
async function unitsFor(
  deps: IngestDeps,
  candidates: unknown[],
  scopedToAgencies: boolean,
): Promise<UnitDirectory> {
  const source = deps.units ?? (() => deps.directory.get(localDate(deps.now())));
  const kept = await source();
  if (scopedToAgencies) return kept;
  const missing = candidates.some((c) => namedUnitIds(c).some((id) => kept.get(id) === undefined));
  return missing ? source("miss") : kept;
}

/** The unit ids a candidate (valid or not) names where a valid event would name one. */
function namedUnitIds(candidate: unknown): string[] {
  const body = candidate as { type?: unknown; data?: { unitId?: unknown; toUnitId?: unknown } } | null;
  const id =
    body?.type === "dossier.received"
      ? body.data?.unitId
      : body?.type === "dossier.transferred"
        ? body.data?.toUnitId
        : undefined;
  return typeof id === "string" ? [id] : [];
}

/** The unit ids an event names (`data.unitId` of received, `data.toUnitId` of transferred). */
function unitFields(event: DossierEvent): { path: string; unitId: string }[] {
  if (event.type === "dossier.received") return [{ path: "data.unitId", unitId: event.data.unitId }];
  if (event.type === "dossier.transferred") return [{ path: "data.toUnitId", unitId: event.data.toUnitId }];
  return [];
}

export type EventAnswer =
  | { index: number; eventId?: string; status: "accepted" }
  /** `changed`: the event paths a later telling of the same fact changed ({@link IngestOptions.retold}). */
  | { index: number; eventId?: string; status: "duplicate"; changed?: string[] }
  | { index: number; eventId?: string; status: "rejected"; problems: Problem[] };

/**
 * What ingestion made of a request's events, in their order: a value, whatever the outcome
 * (the HTTP route maps it to a status). `unpublished`: accepted events the bus did not take
 * (each is among the rejected, "send it again").
 */
export interface IngestSummary {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: EventAnswer[];
  unpublished: number;
}

/** How a route's events are told apart from what is stored. */
export interface IngestOptions {
  /**
   * Whether `incoming`, under the identity of the stored `prior` with another body, is the same
   * fact told again with later values (a source that re-sends whole snapshots): the event paths
   * that changed, and it is answered a duplicate, the stored event standing; `undefined`: a
   * conflict, which the consumer quarantines.
   */
  retold?: (prior: DossierEvent, incoming: DossierEvent) => string[] | undefined;
}

export async function ingestEvents(
  deps: IngestDeps,
  /** Who posts: its source, and the agencies it may post for (the HTTP layer authenticated it). */
  credential: { source: string; agencies?: string[] },
  candidates: unknown[],
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const now = deps.now();
  const answers: EventAnswer[] = [];
  const valid: { index: number; event: DossierEvent }[] = [];
  const directory =
    (deps.unknownUnits ?? "reject") === "reject" || credential.agencies
      ? await unitsFor(deps, candidates, credential.agencies !== undefined)
      : undefined;
  let listed = 0;
  const reject = (index: number, eventId: string | undefined, problems: Problem[]) => {
    // The whole answer stays bounded: past the budget, one line per rejected event.
    const shown =
      listed >= MAX_ANSWER_PROBLEMS
        ? [{ path: "(event)", message: "rejected; its problems are not listed: fix the ones listed first" }]
        : problems;
    listed += shown.length;
    answers.push({ index, eventId, status: "rejected", problems: shown });
  };
  candidates.forEach((candidate, index) => {
    // A key scoped to agencies learns of a unit outside them only that it may not post for it, not
    // whether the directory has it: outsideAgencies answers both alike.
    const judged = judgeCandidate(
      candidate,
      credential.source,
      now,
      credential.agencies ? undefined : directory,
    );
    const outside = judged.ok ? outsideAgencies(judged.value, credential.agencies, directory, now) : [];
    if (judged.ok && !outside.length) valid.push({ index, event: judged.value });
    else if (judged.ok) reject(index, judged.value.eventId, outside);
    else reject(index, judged.error.eventId, judged.error.problems);
  });
  const { duplicates, toPublish } = await withoutDuplicates(deps, valid, options);
  for (const v of duplicates)
    answers.push({
      index: v.index,
      eventId: v.event.eventId,
      status: "duplicate",
      ...(v.changed && { changed: v.changed }),
    });
  const { published, failed } = await publishAll(deps, toPublish);
  answers.push(...published);
  answers.sort((a, b) => a.index - b.index);
  const count = (s: EventAnswer["status"]) => answers.filter((a) => a.status === s).length;
  return {
    accepted: count("accepted"),
    duplicate: count("duplicate"),
    rejected: count("rejected"),
    results: answers,
    unpublished: failed.length,
  };
}

type Candidate = { index: number; event: DossierEvent };

/**
 * One candidate's judgement: the valid event, under the caller's source, or its problems (another
 * integration's source, the event contract, a unit not in the directory).
 */
function judgeCandidate(
  candidate: unknown,
  source: string,
  now: number,
  directory: UnitDirectory | undefined,
): Result<DossierEvent, { eventId?: string; problems: Problem[] }> {
  const body =
    typeof candidate === "object" && candidate !== null && !Array.isArray(candidate)
      ? (candidate as Record<string, unknown>)
      : undefined;
  const eventId = typeof body?.eventId === "string" ? (body.eventId as string).slice(0, 128) : undefined;
  // The source is the caller's, never the body's. A body naming another source is refused
  // rather than re-attributed: it is another integration's event (a quarantine file, say), and
  // only that integration's key may send it again.
  if (body && body.source !== undefined && body.source !== source) {
    return err({
      eventId,
      problems: [
        {
          path: "source",
          // Named only when it is text: `String()` throws on an object without a usable toString.
          message:
            typeof body.source === "string"
              ? `this event is another integration's (${body.source.slice(0, 64)}): only its own key may send it; leave source out or send it with that integration's key`
              : "must be text naming the integration that sends it, or left out",
        },
      ],
    });
  }
  const result = validateEvent(body ? { ...body, source } : candidate, { now });
  if (!result.ok) return err({ eventId, problems: result.error });
  const unknown = directory
    ? unitFields(result.value).filter((f) => directory.get(f.unitId) === undefined)
    : [];
  if (unknown.length)
    return err({
      eventId,
      problems: unknown.map((f) => ({
        path: f.path,
        message: "not a unit of the directory: add it with `units import`, or correct the id",
      })),
    });
  return ok(result.value);
}

/**
 * An integration key scoped to agencies names in its `received`/`transferred` only
 * units under its agencies, on the event's day or today (`AgencyTree.isUnder`); each other one is
 * a problem naming its field. With `UNKNOWN_UNITS=accept`, a unit the directory lacks is under the
 * root only.
 */
function outsideAgencies(
  event: DossierEvent,
  agencies: readonly string[] | undefined,
  directory: UnitDirectory | undefined,
  now: number,
): Problem[] {
  if (!agencies || !directory) return [];
  const tree = agencyTreeOf(directory);
  const days = [localDate(Math.min(instant(event.occurredAt), now)), localDate(now)];
  return unitFields(event)
    .filter((f) => !days.some((at) => tree.isUnder(f.unitId, agencies, at)))
    .map((f) => ({ path: f.path, message: `this key posts only for units under ${agencies.join(", ")}` }));
}

/**
 * The valid events split into duplicates (stored, or earlier in the request, with the same body, or
 * the same fact told again as `options.retold` says) and the rest.
 */
async function withoutDuplicates(
  deps: IngestDeps,
  valid: Candidate[],
  options: IngestOptions,
): Promise<{ duplicates: (Candidate & { changed?: string[] })[]; toPublish: Candidate[] }> {
  const stored = await deps.dossiers.storedEvents(valid.map((v) => v.event));
  const inBatch = new Map<string, DossierEvent>();
  const duplicates: (Candidate & { changed?: string[] })[] = [];
  const toPublish: Candidate[] = [];
  for (const v of valid) {
    const key = storedKey(v.event);
    // Stored with the same body: a duplicate. With another body it goes on to the consumer, which
    // keeps it in quarantine as a conflict next to the applied one (never silently a duplicate),
    // unless the route knows it for the same fact told again.
    const prior = stored.get(key) ?? inBatch.get(key);
    const changed = prior && options.retold?.(prior, storableEvent(v.event));
    if (prior && sameBody(prior, storableEvent(v.event))) duplicates.push(v);
    else if (changed) duplicates.push({ ...v, changed });
    else {
      if (!inBatch.has(key)) inBatch.set(key, v.event);
      toPublish.push(v);
    }
  }
  return { duplicates, toPublish };
}

/** Publishes the events to the bus: each answered accepted, or rejected if the bus did not take it. */
async function publishAll(
  deps: IngestDeps,
  toPublish: Candidate[],
): Promise<{ published: EventAnswer[]; failed: number[] }> {
  const { failed } = toPublish.length
    ? await deps.publish(
        // Without the free-text reasons (they may name people): what reaches the bus is kept by
        // its archive and queues, and the consumer would drop them anyway (docs/events.md).
        toPublish.map((v) => ({
          source: INGEST_SOURCE,
          detailType: v.event.type,
          detail: storableEvent(v.event),
        })),
      )
    : { failed: [] };
  const failedSet = new Set(failed);
  const published = toPublish.map(
    (v, i): EventAnswer =>
      failedSet.has(i)
        ? {
            index: v.index,
            eventId: v.event.eventId,
            status: "rejected",
            problems: [{ path: "(bus)", message: "not published: send it again" }],
          }
        : { index: v.index, eventId: v.event.eventId, status: "accepted" },
  );
  return { published, failed };
}
