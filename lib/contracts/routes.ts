/**
 * Every route of the two HTTP APIs and the one role that may call it: the handlers check it, the
 * CDK stack creates exactly these routes (and quotes this table in its API description), the local
 * stack serves them, and the README shows it. No key does both: integration keys post, reader keys
 * read (README "Trust boundaries"). One route needs no key: the API's own description, which
 * says nothing an integrator cannot read in this repository.
 */
export type Role = "integration" | "reader";
/** Who may call a route: keys of one role, or anyone (`public`: no key, no authorizer). */
export type Access = Role | "public";
export type ApiFunction = "ingest-api" | "query-api";

export interface Route {
  method: "GET" | "POST";
  /** The path as API Gateway writes it (`{id}` a path parameter). */
  path: string;
  role: Access;
  fn: ApiFunction;
  /** What it does, for the README and the OpenAPI document. */
  summary: string;
}

export const ROUTES: readonly Route[] = [
  { method: "POST", path: "/events", role: "integration", fn: "ingest-api", summary: "post dossier events" },
  {
    method: "POST",
    path: "/integrations/dvcqg",
    role: "integration",
    fn: "ingest-api",
    summary: "post the national portal's sync format",
  },
  {
    method: "GET",
    path: "/kpis",
    role: "reader",
    fn: "query-api",
    summary: "the period report (docs/kpis.md)",
  },
  {
    method: "GET",
    path: "/kpis/export",
    role: "reader",
    fn: "query-api",
    summary: "the report as CSV or XLSX",
  },
  {
    method: "GET",
    path: "/kpis/form",
    role: "reader",
    fn: "query-api",
    summary: "form II.06a (docs/official.md) as JSON, CSV or XLSX",
  },
  {
    method: "GET",
    path: "/kpis/index",
    role: "reader",
    fn: "query-api",
    summary: "the national service index (Decision 766), live",
  },
  {
    method: "GET",
    path: "/dossiers",
    role: "reader",
    fn: "query-api",
    summary: "a unit's dossiers by SLA state",
  },
  {
    method: "GET",
    path: "/dossiers/{id}",
    role: "reader",
    fn: "query-api",
    summary: "one dossier and its timeline",
  },
  {
    method: "GET",
    path: "/quarantine",
    role: "reader",
    fn: "query-api",
    summary: "events kept with their reason",
  },
  {
    method: "GET",
    path: "/me",
    role: "reader",
    fn: "query-api",
    summary:
      "what this reader key reads: its units and agencies by name, the agency tree it sees, and the periods to pick from",
  },
  {
    method: "GET",
    path: "/agencies",
    role: "reader",
    fn: "query-api",
    summary: "the agency tree this key reads, each node with its figures for a period",
  },
  {
    method: "GET",
    path: "/kpis/trend",
    role: "reader",
    fn: "query-api",
    summary: "the national index at each weekly snapshot of a period (office-wide keys)",
  },
  {
    method: "GET",
    path: "/quality",
    role: "reader",
    fn: "query-api",
    summary: "data quality: anomalies by kind, dossiers whose SLA is unknown (office-wide keys)",
  },
  {
    method: "GET",
    path: "/dashboard",
    role: "public",
    fn: "query-api",
    summary: "the dashboard: a static page that reads this API with the key it is given",
  },
  {
    method: "GET",
    path: "/dashboard/{file}",
    role: "public",
    fn: "query-api",
    summary: "the dashboard's script and style sheet",
  },
  {
    method: "GET",
    path: "/openapi.json",
    role: "public",
    fn: "query-api",
    summary: "this API's OpenAPI 3.1 document",
  },
];

/** The route a request matches (method and path), if any. */
export function matchRoute(method: string, rawPath: string): Route | undefined {
  const path = rawPath.replace(/\/+$/, "") || "/";
  return ROUTES.find((r) => {
    if (r.method !== method) return false;
    // The path's own characters literally (the `.` of /openapi.json is a dot), `{id}` one segment.
    const literal = r.path.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`^${literal.replace(/\{[^/]+\}/g, "[^/]+")}$`);
    return pattern.test(path);
  });
}

/** The table as Markdown, as the README and the CDK's nag reason quote it. */
export function routesTable(): string {
  return [
    "| method | path | role |",
    "|---|---|---|",
    ...ROUTES.map((r) => `| ${r.method} | ${r.path} | ${r.role} |`),
  ].join("\n");
}
