import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local/stack-options";
import { DASHBOARD_ASSETS } from "../../lib/http/dashboard-assets";
import { startE2eStack } from "../helpers/e2e-stack";
import { readProjectFile } from "../helpers/fixtures";

/**
 * The committed OpenAPI document, walked over HTTP on the local stack (the handlers behind the
 * routing the deployed API has): every documented operation is served (a documented status, never
 * the router's 404 or a 405), and nothing undocumented is (every other method on a documented
 * path, and paths beside them, are answered 404 or 405).
 */
type Operation = { security: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
const doc = JSON.parse(readProjectFile("docs/openapi.json")) as {
  paths: Record<string, Record<string, Operation>>;
};
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const DOSSIER = "000.30.32.H48-220711-0042";
/** The dashboard's script, as its page names it. */
const DASHBOARD_SCRIPT = Object.keys(DASHBOARD_ASSETS).find((n) => n.endsWith(".js")) as string;

/** What each operation is sent: what a client that read the document would send (a valid body, required parameters). */
const SAMPLES: Record<string, { query?: string; body?: string }> = {
  "POST /events": { body: readProjectFile("events/samples/dossier.received.json") },
  "POST /integrations/dvcqg": { body: readProjectFile("events/dvcqg/snapshot-1-accepted.json") },
  "GET /dossiers": { query: "?unit=cn-vpdk-dat-dai&sla=near_due" },
};

let stack: LocalStack;
beforeAll(async () => {
  ({ stack } = await startE2eStack("openapi", {
    clock: "2022-07-20T09:00:00+07:00",
    periodScheme: "calendar-quarter",
  }));
}, 120_000);
afterAll(async () => stack?.stop());

async function call(method: string, path: string, key?: string, body?: string) {
  const res = await fetch(`${stack.urls.api}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body,
  });
  const text = Buffer.from(await res.arrayBuffer()).toString("utf8");
  const type = (res.headers.get("content-type") ?? "").split(";")[0] ?? "";
  const message =
    type === "application/json" ? (JSON.parse(text) as { message?: string }).message : undefined;
  return { status: res.status, type, text, message };
}

describe("the OpenAPI document against the running API", () => {
  it("is what GET /openapi.json serves, without a key", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual(doc);
  });

  it("describes only operations the handlers serve, each answered with a documented status and type", async () => {
    const keys = stack.keys as { integration: string; reader: string };
    // Posting first, so that the dossier read below exists.
    const operations = Object.entries(doc.paths)
      .flatMap(([path, item]) =>
        Object.entries(item).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
      )
      .sort((a, b) => a.method.localeCompare(b.method) * -1);
    for (const { method, path, op } of operations) {
      const name = `${method} ${path}`;
      const sample = SAMPLES[name] ?? {};
      const key = op.security.length === 0 ? undefined : method === "POST" ? keys.integration : keys.reader;
      const res = await call(
        method,
        `${path.replace("{id}", encodeURIComponent(DOSSIER)).replace("{file}", DASHBOARD_SCRIPT)}${sample.query ?? ""}`,
        key,
        sample.body,
      );
      if (method === "POST") await stack.drain();
      expect(res.message, name).not.toBe("no such route");
      expect(
        Object.keys(op.responses),
        `${name} answered ${res.status}: ${res.text.slice(0, 300)}`,
      ).toContain(String(res.status));
      expect(res.status, `${name}: ${res.text.slice(0, 300)}`).toBe(200);
      expect(Object.keys(op.responses["200"]?.content ?? {}), name).toContain(res.type);
    }
  });

  it("has no route the document does not describe: other methods and neighbouring paths are 404 or 405", async () => {
    const keys = stack.keys as { integration: string; reader: string };
    const probes: [string, string][] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const method of METHODS.filter((m) => !(m.toLowerCase() in item)))
        probes.push([method, path.replace("{id}", "X")]);
    for (const path of [
      "/",
      "/openapi",
      "/openapi.yaml",
      "/kpis/other",
      "/events/x",
      "/dossiers/a/b",
      "/integrations",
      "/integrations/other",
      "/quarantine/x",
    ])
      for (const method of METHODS) probes.push([method, path]);
    for (const [method, path] of probes)
      for (const key of [undefined, keys.reader, keys.integration]) {
        const res = await call(method, path, key, method === "GET" ? undefined : "{}");
        expect([404, 405], `${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`).toContain(
          res.status,
        );
      }
    expect(probes.length).toBeGreaterThan(50);
  });
});
