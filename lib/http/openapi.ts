import { ROUTES, type Route } from "../contracts/routes";
import { DossierEventSchema, EventBatchSchema } from "../domain/events/schema";
import * as z from "../domain/zod";
import { DvcqgRequestSchema } from "./dvcqg";
import { ANSWERS, gateOf, JSON_TYPE, type Json, key } from "./openapi-answers";
import {
  AgenciesQuery,
  ExportQuery,
  FormQuery,
  IndexQuery,
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
  "GET /kpis/index": IndexQuery,
  "GET /dossiers": ListQuery,
  "GET /quarantine": QuarantineQuery,
  "GET /kpis/trend": TrendQuery,
  "GET /quality": QualityQuery,
  "GET /agencies": AgenciesQuery,
};

/** The routes that answer a page: `{items, cursor}`, the next page asked with `?cursor=`. */
const PAGED = new Set(["GET /dossiers", "GET /quarantine", "GET /quality"]);

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
