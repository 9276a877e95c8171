import { MAX_EVENTS } from "../app/ingest";
import { ROUTES, type Route } from "../contracts/routes";
import { DossierEventSchema, EventBatchSchema } from "../domain/events/schema";
import * as z from "../domain/zod";
import { MAX_BODY_BYTES } from "./body";
import { DvcqgRequestSchema } from "./dvcqg";
import {
  AgenciesQuery,
  ExportQuery,
  FormQuery,
  KpisQuery,
  ListQuery,
  QualityQuery,
  QuarantineQuery,
  TrendQuery,
} from "./queries";
import { ProblemSchema } from "./responses";

/**
 * The OpenAPI 3.1 document of both HTTP APIs, from the routes of lib/contracts/routes.ts and the zod
 * schemas the handlers parse with: query parameters, request bodies and the problem shape. What
 * has no zod schema (the answers' bodies) is described in words. `npm run openapi` writes it to
 * docs/openapi.json; a test fails when that file is stale or its paths differ from ROUTES.
 */

type Json = Record<string, unknown>;
const key = (r: Pick<Route, "method" | "path">) => `${r.method} ${r.path}`;

/** zod → a JSON Schema of OpenAPI 3.1's dialect (2020-12), as the client sends it. */
const schemaOf = (schema: z.ZodMiniType): Json => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as Json;
  return rest;
};

/** The query schema each GET route parses (query-api.ts). */
const QUERIES: Record<string, z.ZodMiniObject> = {
  "GET /kpis": KpisQuery,
  "GET /kpis/export": ExportQuery,
  "GET /kpis/form": FormQuery,
  "GET /kpis/index": KpisQuery,
  "GET /dossiers": ListQuery,
  "GET /quarantine": QuarantineQuery,
  "GET /kpis/trend": TrendQuery,
  "GET /quality": QualityQuery,
  "GET /agencies": AgenciesQuery,
};

/** The routes that answer a page: `{items, cursor}`, the next page asked with `?cursor=`. */
const PAGED = new Set(["GET /dossiers", "GET /quarantine", "GET /quality"]);

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const JSON_TYPE = "application/json";
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
const ANSWERS: Record<string, Json> = {
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
    "413": problemResponse(`a body larger than ${MAX_BODY_BYTES} bytes, or more than ${MAX_EVENTS} events`),
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
      "no such period in this deployment's scheme, no such agency, or an agency not in the tree for that period",
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
      "no such period in this deployment's scheme, no such agency, or an agency not in the tree for that period",
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
      description: "the national service index (Decision 766): the office's, a unit's or an agency's",
      content: { [JSON_TYPE]: { schema: { type: "object" } } },
    },
    "400": problemResponse(
      "a bad query parameter, both unit and agency, or no unit named for a key of several units",
    ),
    "404": problemResponse(
      "no such period in this deployment's scheme, no such agency, or an agency not in the tree for that period",
    ),
  },
  "GET /dossiers": {
    "200": {
      description: "a page of the unit's dossiers in that SLA state",
      content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/Page" } } },
    },
    "400": problemResponse("a bad query parameter or cursor"),
  },
  "GET /dossiers/{id}": {
    "200": {
      description:
        "the dossier's state, its timeline of events, and the alerts raised for it (kind, raisedAt, and sentAt / deskSentAt once a digest sent it)",
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
        "the key's scope (office, units or agencies), its units by name, the agencies it reads from (`agencies`) and the tree it sees under them (`tree`: id, kind, names, parent; null for a key scoped to units), and the periods to pick from",
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
        "the period's anomalies by kind, and a page of the dossiers whose SLA is unknown (`unknownSla`, `cursor`); office-wide keys only",
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

/** What a route answers before its handler runs: nothing for a public route (no key asked). */
const gateOf = (route: Pick<Route, "method" | "path">): Record<string, Json> =>
  ROUTES.find((r) => key(r) === key(route))?.role === "public" ? {} : GATE;

/** The status codes a route's document lists (the gate's and its own), for tests. */
export function documentedStatuses(route: Pick<Route, "method" | "path">): number[] {
  return Object.keys({ ...gateOf(route), ...ANSWERS[key(route)] })
    .map(Number)
    .sort((a, b) => a - b);
}

function parameters(route: Route): Json[] {
  const out: Json[] = [];
  if (route.path === "/dashboard/{file}") {
    out.push({
      name: "file",
      in: "path",
      required: true,
      description: "the file's name, with its content hash",
      schema: { type: "string" },
    });
  }
  if (route.path === "/dossiers/{id}") {
    out.push({
      name: "id",
      in: "path",
      required: true,
      description: "the dossier's id, percent-encoded",
      schema: { type: "string" },
    });
  }
  const query = QUERIES[key(route)];
  if (query) {
    const json = schemaOf(query) as { properties: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties)) {
      out.push({
        name,
        in: "query",
        required: json.required?.includes(name) ?? false,
        ...(name === "cursor"
          ? { description: "the previous page's cursor: the next page (absent: the first)" }
          : {}),
        schema,
      });
    }
  }
  return out;
}

function requestBody(route: Route): Json | undefined {
  if (route.path === "/events") {
    return {
      required: true,
      content: {
        [JSON_TYPE]: {
          schema: {
            oneOf: [
              { $ref: "#/components/schemas/DossierEvent" },
              { $ref: "#/components/schemas/EventBatch" },
            ],
          },
        },
      },
    };
  }
  if (route.path === "/integrations/dvcqg") {
    return {
      required: true,
      content: { [JSON_TYPE]: { schema: { $ref: "#/components/schemas/DvcqgRequest" } } },
    };
  }
  return undefined;
}

/** Each route's operation, by path and method. */
function pathsOf(): Record<string, Record<string, Json>> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTES) {
    const answers = ANSWERS[key(route)];
    if (!answers) throw new Error(`openapi: no answers described for ${key(route)}`);
    const body = requestBody(route);
    const params = parameters(route);
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    const open = route.role === "public";
    item[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/\{(\w+)\}/g, "By-$1").replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: route.summary,
      tags: [route.fn],
      description: `${open ? "Public: no key." : `For ${route.role} keys.`}${PAGED.has(key(route)) ? " Paged: pass the answer's `cursor` as `?cursor=` for the next page; `null` means the last page." : ""}`,
      // An empty list overrides the document's default: no key asked.
      security: open ? [] : [{ bearerAuth: [] }],
      ...(params.length ? { parameters: params } : {}),
      ...(body ? { requestBody: body } : {}),
      responses: { ...answers, ...gateOf(route) },
    };
  }
  return paths;
}

/** What the posting routes answer (POST /events, POST /integrations/dvcqg). */
const INGEST_ANSWER: Json = {
  type: "object",
  description: "counts, one result per event (accepted, duplicate or rejected with its problems)",
  properties: {
    accepted: { type: "integer" },
    duplicate: { type: "integer" },
    rejected: { type: "integer" },
    results: {
      type: "array",
      items: {
        type: "object",
        properties: {
          index: {
            type: "integer",
            description:
              "the event's place in the request (POST /integrations/dvcqg: among the events its items made)",
          },
          item: {
            type: "integer",
            description: "POST /integrations/dvcqg: the place in `data` of the item the event came from",
          },
          eventId: { type: "string" },
          status: { enum: ["accepted", "duplicate", "rejected"] },
          problems: { $ref: "#/components/schemas/ProblemList" },
        },
        required: ["index", "status"],
      },
    },
    problems: {
      $ref: "#/components/schemas/ProblemList",
      description: "the portal's fields that could not be used (POST /integrations/dvcqg)",
    },
    notes: {
      $ref: "#/components/schemas/ProblemList",
      description:
        "what was read as sent but made no event or no level, and why: statuses 1, 3 and 7, a unit the directory gives no level (POST /integrations/dvcqg); not rejections",
    },
  },
  required: ["accepted", "duplicate", "rejected", "results"],
};

/** The document, as an object. */
export function openApiDocument(version: string): Json {
  const paths = pathsOf();
  return {
    openapi: "3.1.0",
    info: {
      title: "dossier-monitor",
      version,
      description:
        "The ingestion API (integration keys post events) and the query API (reader keys read reports, dossiers and the quarantine). Every 4xx carries a Problem naming each bad field.",
    },
    tags: [
      { name: "ingest-api", description: "posting events (integration keys)" },
      { name: "query-api", description: "reading reports, dossiers and the quarantine (reader keys)" },
    ],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          description: "an API key made with `dossier-monitor keys create`",
        },
      },
      schemas: {
        Problem: schemaOf(ProblemSchema),
        ProblemList: schemaOf(ProblemSchema.shape.problems),
        DossierEvent: schemaOf(DossierEventSchema),
        EventBatch: schemaOf(EventBatchSchema),
        DvcqgRequest: schemaOf(DvcqgRequestSchema),
        IngestAnswer: INGEST_ANSWER,
        Page: {
          type: "object",
          properties: {
            items: { type: "array", items: { type: "object" } },
            cursor: {
              type: ["string", "null"],
              description: "pass as ?cursor= for the next page; null: the last page",
            },
          },
          required: ["items", "cursor"],
        },
      },
    },
  };
}

/** The document's text, as docs/openapi.json holds it. */
export function renderOpenApi(version: string): string {
  return `${JSON.stringify(openApiDocument(version), null, 2)}\n`;
}
