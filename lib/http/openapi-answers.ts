import { MAX_DVCQG_EVENTS } from "../app/ingest";
import { ROUTES, type Route } from "../contracts/routes";
import { MAX_BODY_BYTES } from "./body";

/**
 * The answers each route documents (./openapi.ts builds the document): the gate's (key, role,
 * rate) for every route but the public ones, and each route's own, described in words where the
 * answer's body has no zod schema.
 */

export type Json = Record<string, unknown>;
export const key = (r: Pick<Route, "method" | "path">) => `${r.method} ${r.path}`;

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
export const JSON_TYPE = "application/json";
const problemRef = { $ref: "#/components/schemas/Problem" };
const ingestRef = { $ref: "#/components/schemas/IngestAnswer" };

const problemResponse = (description: string): Json => ({
  description,
  content: { [JSON_TYPE]: { schema: problemRef } },
});

/** What every route answers before its handler runs (lib/http/auth.ts `admit`). */
const GATE: Record<string, Json> = {
  "401": problemResponse("no key: send Authorization: Bearer <key>"),
  "403": problemResponse("an unknown key, or a key without this route's role (or unit, or agency)"),
  "429": {
    ...problemResponse("over the key's rate; try again after Retry-After seconds"),
    headers: { "Retry-After": { schema: { type: "integer" } } },
  },
};

const ingestAnswer = (description: string): Json => ({
  description,
  content: { [JSON_TYPE]: { schema: ingestRef } },
});

/** Each route's answers besides the gate's, read from its handler (ingest-api.ts, query-api.ts). */
export const ANSWERS: Record<string, Json> = {
  "POST /events": {
    "200": ingestAnswer("every event accepted (or a duplicate of one already accepted)"),
    "207": ingestAnswer("some events rejected: each result says which and why"),
    "400": {
      description:
        "every event rejected (the ingest answer), or a body that is not an event or a batch (a problem)",
      content: { [JSON_TYPE]: { schema: { oneOf: [ingestRef, problemRef] } } },
    },
    "413": problemResponse(`a body larger than ${MAX_BODY_BYTES} bytes`),
    "503": ingestAnswer("the bus refused the events: send the same request again"),
  },
  "POST /integrations/dvcqg": {
    "200": ingestAnswer("every converted event accepted"),
    "207": ingestAnswer("some events rejected, or some of the portal's fields unusable (problems)"),
    "400": {
      description: "not a sync request (a problem), or nothing usable in it (the ingest answer)",
      content: { [JSON_TYPE]: { schema: { oneOf: [ingestRef, problemRef] } } },
    },
    "413": problemResponse(
      `a body larger than ${MAX_BODY_BYTES} bytes, or more than ${MAX_DVCQG_EVENTS} events`,
    ),
    "503": ingestAnswer("the bus refused the events: send the same request again"),
  },
  "GET /kpis": {
    "200": {
      description:
        "the period's report (docs/kpis.md): the office's, a unit's (unit=), or an agency's of the directory's tree (agency=, read from its own counters)",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse(
      "a bad query parameter, both unit and agency, or no unit named for a key of several units",
    ),
    "404": problemResponse(
      "no such period in this deployment's scheme, no such agency, an agency not in the tree for that period, or a unit the directory does not list and the period holds no dossier of",
    ),
  },
  "GET /kpis/export": {
    "200": {
      description: "the report as a file (format=csv or xlsx): the office's, a unit's or an agency's",
      content: {
        "text/csv": { schema: { type: "string" } },
        [XLSX]: { schema: { type: "string", format: "binary" } },
      },
    },
    "400": problemResponse(
      "a bad query parameter, both unit and agency, or no unit named for a key of several units",
    ),
    "404": problemResponse(
      "no such period in this deployment's scheme, no such agency, an agency not in the tree for that period, or a unit the directory does not list and the period holds no dossier of",
    ),
  },
  "GET /kpis/form": {
    "200": {
      description:
        "form II.06a (docs/official.md), as JSON or a file (format=csv or xlsx): the office's (office-wide keys only), or an agency's (agency=, a key reading that agency)",
      content: {
        [JSON_TYPE]: { schema: { type: "object" } },
        "text/csv": { schema: { type: "string" } },
        [XLSX]: { schema: { type: "string", format: "binary" } },
      },
    },
    "400": problemResponse("a bad query parameter"),
    "404": problemResponse(
      "no such period in this deployment's scheme, no such agency, or an agency not in the tree for that period",
    ),
    "409": problemResponse(
      "an agency's form for a period holding some of its dossiers counted before the unit counters held levels and domains (the office's form has them)",
    ),
  },
  "GET /kpis/index": {
    "200": {
      description:
        "the national service index (Decision 766): the office's, a unit's or an agency's; `byUnit` empty when asked with byUnit=false",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse(
      "a bad query parameter, both unit and agency, or no unit named for a key of several units",
    ),
    "404": problemResponse(
      "no such period in this deployment's scheme, no such agency, an agency not in the tree for that period, or a unit the directory does not list and the period holds no dossier of",
    ),
  },
  "GET /dossiers": {
    "200": {
      description: "a page of the unit's dossiers in that SLA state",
      content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Page" } } },
    },
    "400": problemResponse("a bad query parameter or cursor"),
    "404": problemResponse("a unit the directory does not list and that has no dossier in this list"),
  },
  "GET /dossiers/{id}": {
    "200": {
      description:
        "the dossier's state, its timeline of events (each with `anomalies`, every kind it was flagged with, and `anomaly`, the last of them), and the alerts raised for it (kind, the unit it was raised for, raisedAt, sentAt / deskSentAt once a digest sent it, droppedAt when a copy still waiting was dropped unsent because the dossier had closed)",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse("an id that is not 1..64 characters once decoded"),
    "404": problemResponse("no such dossier (or one outside the key's units)"),
  },
  "GET /quarantine": {
    "200": {
      description: "a page of quarantined events with their reasons; office-wide keys only",
      content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Page" } } },
    },
    "400": problemResponse("a bad query parameter or cursor"),
  },
  "GET /me": {
    "200": {
      description:
        "the key's scope (office, units or agencies), its units by name (with `validFrom` / `validTo`, the dates it is in force, when the directory sets them), the agencies it reads from (`agencies`) and the tree it sees under them (`tree`: id, kind, names, parent; null for a key scoped to units), and the periods to pick from",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
  },
  "GET /agencies": {
    "200": {
      description:
        "the agency tree the key reads on the period's roll-up date (the whole tree, or the subtrees of the key's agencies): `roots`, and `nodes`, each agency and unit with its names, its parent and its figures (`figures`: received, resolved early / on time / late, pending within and past the deadline, the on-time rate), from the counters; a node's figures are those GET /kpis?agency= answers",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse("a bad query parameter"),
    "404": problemResponse("no such period in this deployment's scheme"),
  },
  "GET /kpis/trend": {
    "200": {
      description:
        "the index's indicators at each weekly snapshot of the period, then now; office-wide keys only",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse("a bad query parameter"),
    "404": problemResponse("no such period in this deployment's scheme"),
  },
  "GET /quality": {
    "200": {
      description:
        "the quarantined events still waiting (`quarantineWaiting`, as the KPI email counts them) and every dossier whose SLA is unknown (`orphanDossiers`), the period's anomalies by kind from its counters (`anomalies`, as `GET /kpis` counts them), all three on the first page only (null on a later one), the two counts each of at most 10,000 records read (`quarantineWaitingAtLeast`, `orphanDossiersAtLeast`: more were left unread, the count is the least there are), and a page of those dossiers (`unknownSla`, `cursor`); office-wide keys only",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse("a bad query parameter or cursor"),
    "404": problemResponse("no such period in this deployment's scheme"),
  },
  "GET /dashboard": {
    "200": { description: "the dashboard's page", content: { "text/html": { schema: { type: "string" } } } },
  },
  "GET /dashboard/{file}": {
    "200": {
      description: "the dashboard's script or style sheet",
      content: {
        "text/javascript": { schema: { type: "string" } },
        "text/css": { schema: { type: "string" } },
      },
    },
    "404": problemResponse("no such file"),
  },
  "GET /openapi.json": {
    "200": {
      description: "this document",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
  },
};

/**
 * What the query API answers after its handler, for an answer too large to send uncompressed
 * (lib/http/responses.ts `compressed`).
 */
const TOO_LARGE: Record<string, Json> = {
  "406": problemResponse(
    "the answer is over 6 MB uncompressed and the request did not take gzip: ask with Accept-Encoding: gzip, or for less (its path names the header)",
  ),
};

/**
 * What a route answers besides its handler's own: the gate's (nothing for a public route, no key
 * asked) and, for the query API's, the refusal of an answer too large to send uncompressed.
 */
export const gateOf = (route: Pick<Route, "method" | "path">): Record<string, Json> => {
  const found = ROUTES.find((r) => key(r) === key(route));
  if (found?.role === "public") return {};
  return found?.fn === "query-api" ? { ...GATE, ...TOO_LARGE } : GATE;
};
