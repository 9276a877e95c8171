import { gunzipSync } from "node:zlib";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createHandler, type QueryDeps } from "../../functions/query-api";
import { matchRoute, ROUTES } from "../../lib/contracts/routes";
import { documentedStatuses, openApiDocument, renderOpenApi } from "../../lib/http/openapi";
import { OPENAPI_GZIP_BASE64 } from "../../lib/http/openapi-served";
import { ListQuery, QuarantineQuery } from "../../lib/http/queries";
import { apiGet } from "../helpers/api";
import { readProjectFile } from "../helpers/fixtures";

const { version } = JSON.parse(readProjectFile("package.json")) as { version: string };
type Operation = {
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
  requestBody?: unknown;
};
const doc = openApiDocument(version) as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
);

describe("the OpenAPI document", () => {
  it("is committed as npm run openapi writes it", () => {
    expect(readProjectFile("docs/openapi.json"), "docs/openapi.json is stale: run npm run openapi").toBe(
      renderOpenApi(version),
    );
  });

  it("is served as committed: the query API's compressed copy unpacks to docs/openapi.json, compact", () => {
    const served = gunzipSync(Buffer.from(OPENAPI_GZIP_BASE64, "base64")).toString("utf8");
    expect(served, "lib/http/openapi-served.ts is stale: run npm run openapi").toBe(
      JSON.stringify(JSON.parse(readProjectFile("docs/openapi.json"))),
    );
  });

  it("describes exactly the routes of ROUTES, both ways", () => {
    const documented = operations.map((o) => `${o.method} ${o.path}`).sort();
    const routed = ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    expect(documented).toEqual(routed);
    expect(doc.openapi).toBe("3.1.0");
  });

  it("puts every keyed operation behind the bearer key, with the gate's answers in the problem shape", () => {
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas.Problem).toMatchObject({
      type: "object",
      required: ["message", "problems"],
      properties: { problems: { type: "array" } },
    });
    // The document describes itself without a key; the dashboard's static files are public too.
    const self = operations.find((o) => o.path === "/openapi.json");
    expect(self?.op.security).toEqual([]);
    expect(Object.keys(self?.op.responses ?? {})).toEqual(["200"]);
    const isPublic = (method: string, path: string) =>
      ROUTES.some((r) => r.method === method && r.path === path && r.role === "public");
    const publicOps = operations.filter((o) => isPublic(o.method, o.path));
    expect(publicOps.map((o) => o.path).sort()).toEqual(["/dashboard", "/dashboard/{file}", "/openapi.json"]);
    for (const { op } of publicOps) expect(op.security).toEqual([]);
    for (const { method, path, op } of operations.filter((o) => !isPublic(o.method, o.path))) {
      expect(op.security, `${method} ${path}`).toEqual([{ bearerAuth: [] }]);
      expect(Object.keys(op.responses).map(Number).sort(), `${method} ${path}`).toEqual(
        documentedStatuses({ method: method as "GET" | "POST", path }),
      );
      for (const status of ["401", "403", "429"]) {
        expect(
          op.responses[status]?.content?.["application/json"]?.schema,
          `${method} ${path} ${status}`,
        ).toEqual({
          $ref: "#/components/schemas/Problem",
        });
      }
    }
  });

  it("takes query parameters from the handlers' zod schemas, with the page cursor", () => {
    const params = (path: string) => doc.paths[path]?.get?.parameters ?? [];
    for (const [path, schema] of [
      ["/dossiers", ListQuery],
      ["/quarantine", QuarantineQuery],
    ] as const) {
      expect(params(path).map((p) => p.name)).toEqual(Object.keys(schema.shape));
      expect(params(path).find((p) => p.name === "cursor")).toMatchObject({ in: "query", required: false });
      expect(doc.paths[path]?.get?.responses["200"]?.content?.["application/json"]?.schema).toEqual({
        $ref: "#/components/schemas/Page",
      });
    }
    expect(
      params("/dossiers")
        .filter((p) => p.required)
        .map((p) => p.name),
    ).toEqual(["unit", "sla"]);
    expect(params("/dossiers/{id}")).toEqual([
      expect.objectContaining({ name: "id", in: "path", required: true }),
    ]);
  });

  it("gives the posting routes their bodies and the ingest answers", () => {
    expect(doc.paths["/events"]?.post?.requestBody).toBeDefined();
    expect(doc.paths["/integrations/dvcqg"]?.post?.requestBody).toBeDefined();
    expect(documentedStatuses({ method: "POST", path: "/events" })).toEqual([
      200, 207, 400, 401, 403, 413, 429, 503,
    ]);
    // Every $ref resolves to a component.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1],
    );
    for (const ref of new Set(refs)) expect(doc.components.schemas, ref).toHaveProperty([ref as string]);
  });

  it("is served when the unit directory cannot be read; a keyed route then fails as before", async () => {
    // A table that fails every read of every area, its key lookups included: the description
    // needs none of it.
    const unreachable = () => Promise.reject(new Error("table unreachable"));
    const area = new Proxy({}, { get: () => unreachable });
    let directoryReads = 0;
    const deps = new Proxy(
      {
        units: () => {
          directoryReads++;
          return unreachable();
        },
        now: () => Date.now(),
      },
      { get: (target, name) => (target as Record<string | symbol, unknown>)[name] ?? area },
    ) as unknown as QueryDeps;
    const handler = createHandler(deps, new Logger({ logLevel: "SILENT" }));
    const context = {} as Context;
    const described = await handler(apiGet("/openapi.json", {}), context);
    expect(described.statusCode).toBe(200);
    expect(JSON.parse(described.body as string).openapi).toBe("3.1.0");
    expect(directoryReads).toBe(0);
    await expect(handler(apiGet("/kpis", {}, "some-key"), context)).rejects.toThrow("table unreachable");
  });

  it("matches each documented path literally, {id} as one segment", () => {
    expect(matchRoute("GET", "/openapi.json")?.path).toBe("/openapi.json");
    expect(matchRoute("GET", "/openapiXjson")).toBeUndefined();
    expect(matchRoute("GET", "/dossiers/HS-1")?.path).toBe("/dossiers/{id}");
    expect(matchRoute("GET", "/dossiers/HS-1/x")).toBeUndefined();
  });
});
