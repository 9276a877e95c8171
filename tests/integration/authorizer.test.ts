import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayRequestAuthorizerEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableStore } from "../../lib/adapters/dynamodb/store";
import { ROUTES } from "../../lib/contracts/routes";
import { admit, createApiKey, keyHash, revokeApiKey } from "../../lib/http/auth";
import { decide, routeForKey } from "../../lib/http/authorizer";
import { testTable } from "../helpers/dynamo";

let table: Awaited<ReturnType<typeof testTable>>;
const keys = { integration: "", reader: "" };

beforeAll(async () => {
  table = await testTable("authz");
  keys.integration = await createApiKey(table.store, {
    name: "mot-cua-huyen",
    role: "integration",
    source: "mot-cua",
    ratePerSecond: 20,
  });
  keys.reader = await createApiKey(table.store, {
    name: "bang-dieu-khien",
    role: "reader",
    source: "dashboard",
    ratePerSecond: 5,
  });
});
afterAll(() => table.drop());

const request = (routeKey: string, authorization?: string) => ({
  routeKey,
  headers: authorization === undefined ? {} : { authorization },
});

describe("the key authorizer", () => {
  it("knows every route of lib/contracts/routes.ts by its API Gateway route key, and no other", () => {
    for (const r of ROUTES) expect(routeForKey(`${r.method} ${r.path}`)).toBe(r);
    expect(routeForKey("GET /dossiers/abc")).toBeUndefined();
    expect(routeForKey("$default")).toBeUndefined();
  });

  it("lets anyone through to a public route, keyed or not (it has no authorizer on AWS anyway)", async () => {
    for (const r of ROUTES.filter((x) => x.role === "public"))
      for (const auth of [undefined, `Bearer ${keys.integration}`, "Bearer dm_r_made-up"])
        expect(await decide(table.store, request(`${r.method} ${r.path}`, auth)), r.path).toMatchObject({
          isAuthorized: true,
          context: { role: "public" },
        });
    // The API's description, and the dashboard's static files (lib/http/dashboard.ts).
    expect(ROUTES.filter((x) => x.role === "public").map((r) => r.path)).toEqual([
      "/dashboard",
      "/dashboard/{file}",
      "/openapi.json",
    ]);
  });

  it("passes on an integration key's credential for a posting route, never the key", async () => {
    const decision = await decide(table.store, request("POST /events", `Bearer ${keys.integration}`));
    expect(decision).toEqual({
      isAuthorized: true,
      context: {
        name: "mot-cua-huyen",
        role: "integration",
        source: "mot-cua",
        scope: JSON.stringify({ ratePerSecond: 20 }),
      },
    });
    expect(JSON.stringify(decision)).not.toContain(keys.integration.slice(5));
  });

  it("passes on a reader key's credential for every read route", async () => {
    for (const r of ROUTES.filter((x) => x.role === "reader")) {
      const decision = await decide(table.store, request(`${r.method} ${r.path}`, `Bearer ${keys.reader}`));
      expect(decision, r.path).toMatchObject({ isAuthorized: true, context: { role: "reader" } });
    }
  });

  it("enforces the route's role both ways: readers cannot post, integrations cannot read", async () => {
    const posting = await decide(table.store, request("POST /integrations/dvcqg", `Bearer ${keys.reader}`));
    expect(posting).toMatchObject({ isAuthorized: false });
    for (const r of ROUTES.filter((x) => x.role === "reader")) {
      const reading = await decide(
        table.store,
        request(`${r.method} ${r.path}`, `Bearer ${keys.integration}`),
      );
      expect(reading, r.path).toEqual({
        isAuthorized: false,
        reason: "this key posts events: it cannot read (use a reader key)",
      });
    }
  });

  it("refuses an unknown key, a missing key and an unknown route", async () => {
    expect(await decide(table.store, request("GET /kpis", "Bearer dm_r_made-up"))).toMatchObject({
      isAuthorized: false,
      reason: "unknown key",
    });
    expect(await decide(table.store, request("GET /kpis"))).toMatchObject({ isAuthorized: false });
    expect(await decide(table.store, request("DELETE /events", `Bearer ${keys.integration}`))).toEqual({
      isAuthorized: false,
      reason: "unknown route",
    });
  });

  it("answers API Gateway in the simple-response format, with the context only when allowed", async () => {
    process.env.TABLE_NAME ??= "unused";
    const { createHandler } = await import("../../functions/authorizer");
    const handler = createHandler(table.store, new Logger({ logLevel: "SILENT" }));
    const event = (routeKey: string, authorization: string) =>
      ({
        version: "2.0",
        type: "REQUEST",
        routeKey,
        headers: { authorization },
        requestContext: { http: { sourceIp: "203.0.113.7" } },
      }) as unknown as APIGatewayRequestAuthorizerEventV2;
    const allowed = await handler(event("GET /kpis", `Bearer ${keys.reader}`), {} as never);
    expect(allowed).toEqual({
      isAuthorized: true,
      context: { name: "bang-dieu-khien", role: "reader", source: "dashboard", scope: '{"ratePerSecond":5}' },
    });
    const refused = await handler(event("POST /events", `Bearer ${keys.reader}`), {} as never);
    expect(refused).toEqual({ isAuthorized: false });
  });

  it("throws when the store fails, so API Gateway answers 500 and caches no refusal", async () => {
    const broken = tableStore(table.doc, "no-such-table");
    await expect(decide(broken, request("GET /kpis", `Bearer ${keys.reader}`))).rejects.toThrow();
  });
});

describe("creating keys", () => {
  const integration = (source: string, agencies?: string[]) =>
    createApiKey(table.store, {
      name: `${source}-${agencies?.join("+") ?? "office"}`,
      role: "integration",
      source,
      ratePerSecond: 20,
      ...(agencies ? { agencies } : {}),
    });

  it("refuses a source that events could not carry, naming it", async () => {
    for (const source of ["", "x".repeat(65)])
      await expect(integration(source)).rejects.toThrow(/^source: 1 to 64 characters, as events carry it/);
    await expect(integration("x".repeat(64))).resolves.toMatch(/^dm_i_/);
  });

  it("gives two integration keys one source only with the same agency scope", async () => {
    // The office-wide "mot-cua" exists (above): a key scoped to an agency may not post as it, or
    // it could act on that integration's dossiers outside its agencies.
    await expect(integration("mot-cua", ["khoi-dat-dai"])).rejects.toThrow(
      /^source: "mot-cua" is already the source of the integration key "mot-cua-huyen" \(the whole office\)/,
    );
    await expect(integration("mot-cua")).resolves.toMatch(/^dm_i_/);
    await expect(integration("igate-dat-dai", ["khoi-dat-dai", "khoi-xa-hoi"])).resolves.toMatch(/^dm_i_/);
    await expect(integration("igate-dat-dai", ["khoi-xa-hoi", "khoi-dat-dai"])).resolves.toMatch(/^dm_i_/);
    for (const other of [["khoi-xa-hoi"], undefined])
      await expect(integration("igate-dat-dai", other)).rejects.toThrow(
        /^source: "igate-dat-dai" is already the source of the integration key .* \(agencies khoi-dat-dai, khoi-xa-hoi\)/,
      );
    // A reader posts nothing: its source only names its request budget.
    await expect(
      createApiKey(table.store, {
        name: "doc",
        role: "reader",
        source: "igate-dat-dai",
        ratePerSecond: 5,
        agencies: ["khoi-xa-hoi"],
      }),
    ).resolves.toMatch(/^dm_r_/);
    const stored = await table.store.keys.list();
    expect(stored.filter((k) => k.role === "integration" && k.source === "igate-dat-dai")).toHaveLength(2);
  });

  it("keeps a source bound to its first scope once its keys are revoked", async () => {
    // The land registry's integration, revoked (a vendor changed): its dossiers are still its own.
    const key = await integration("igate-so-tnmt", ["khoi-dat-dai"]);
    expect(await table.store.keys.delete(keyHash(key))).toBe(true);
    for (const other of [["khoi-xa-hoi"], undefined])
      await expect(integration("igate-so-tnmt", other)).rejects.toThrow(
        /^source: "igate-so-tnmt" was given to integration keys of agencies khoi-dat-dai \(revoked since/,
      );
    // Its replacement, of the same scope, is taken.
    await expect(integration("igate-so-tnmt", ["khoi-dat-dai"])).resolves.toMatch(/^dm_i_/);
    // A key stored before sources were bound binds its source as it is revoked.
    await table.store.keys.put("f".repeat(64), {
      name: "older",
      role: "integration",
      source: "igate-cu",
      agencies: ["khoi-xa-hoi"],
    });
    expect(await revokeApiKey(table.store, "f".repeat(64))).toBe(true);
    await expect(integration("igate-cu", ["khoi-dat-dai"])).rejects.toThrow(
      /^source: "igate-cu" was given to integration keys of agencies khoi-xa-hoi \(revoked since/,
    );
  });

  it("counts each key's requests on its own, two keys of one source included", async () => {
    const reader = (name: string, ratePerSecond: number) =>
      createApiKey(table.store, { name, role: "reader", source: "dashboard-shared", ratePerSecond });
    const [busy, quiet] = [await reader("busy", 50), await reader("quiet", 2)];
    const get = (key: string) =>
      ({
        rawPath: "/kpis",
        headers: { authorization: `Bearer ${key}` },
        requestContext: { http: { method: "GET" } },
      }) as never;
    // One second, fixed: every request below falls in the same window.
    const now = Date.parse("2022-08-01T02:00:00Z");
    for (let i = 0; i < 5; i++) expect((await admit(table.store, get(busy), "query-api", now)).ok).toBe(true);
    // The busy key's five requests took nothing from the quiet key's budget of two.
    for (let i = 0; i < 2; i++)
      expect((await admit(table.store, get(quiet), "query-api", now)).ok).toBe(true);
    const over = await admit(table.store, get(quiet), "query-api", now);
    expect(over).toMatchObject({
      ok: false,
      error: { statusCode: 429, headers: { "retry-after": "1", "x-content-type-options": "nosniff" } },
    });
    // A second later the window is new.
    expect((await admit(table.store, get(quiet), "query-api", now + 1000)).ok).toBe(true);
  });

  it("reads the key from Authorization: Bearer only, the header API Gateway caches its answer by", async () => {
    const route = "GET /kpis";
    expect(
      await decide(table.store, { routeKey: route, headers: { "x-api-key": keys.reader } }),
    ).toMatchObject({
      isAuthorized: false,
    });
    expect(
      await decide(table.store, {
        routeKey: route,
        headers: { authorization: "Basic eDp5", "x-api-key": keys.reader },
      }),
    ).toMatchObject({ isAuthorized: false });
    expect(await decide(table.store, request(route, `Bearer ${keys.reader}`))).toMatchObject({
      isAuthorized: true,
    });
  });
});
