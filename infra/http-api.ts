import { Duration, Validations } from "aws-cdk-lib";
import * as apigw from "aws-cdk-lib/aws-apigateway";
import * as apigwv2 from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { type Access, type ApiFunction, ROUTES } from "../lib/contracts/routes";
import type { ProjectFunction } from "./project-function";

/**
 * Throttles, in requests per second with their burst. The stage's default applies to each route
 * on its own; reader routes get a lower one, so reading (or anonymous traffic aimed at the read
 * routes) never takes what posting needs, and export (an XLSX build) lower still.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 */
export const STAGE_THROTTLE = { rateLimit: 100, burstLimit: 200 } as const;
export const ROUTE_THROTTLE: Record<Access, { rateLimit: number; burstLimit: number }> = {
  integration: STAGE_THROTTLE,
  reader: { rateLimit: 20, burstLimit: 40 },
  // The API's description, without a key: a static answer, asked by tools now and then.
  public: { rateLimit: 5, burstLimit: 10 },
};
const EXPORT_THROTTLE = { rateLimit: 5, burstLimit: 10 };
/**
 * The routes that build files (the report's CSV or XLSX, form II.06a's XLSX, or its JSON, which
 * the dashboard never asks): the export throttle. The index stays on the readers' (each dashboard
 * page asks it).
 */
const EXPORT_PATHS = new Set(["/kpis/export", "/kpis/form"]);
/**
 * The dashboard's page and files, public too, but what a morning's readers ask at once: each first
 * load asks three (the page, its script and style sheet, then cached), so twenty heads opening it
 * together passed the public routes' burst and some saw a blank page (429 on the script).
 */
const DASHBOARD_THROTTLE = { rateLimit: 20, burstLimit: 60 };

/** How long API Gateway keeps an authorizer's answer for one identity (a key on one route). */
export const AUTHORIZER_CACHE = Duration.minutes(5);

/**
 * What the authorizer's cache is keyed on, and what a request must carry. A request without the
 * `Authorization` header is answered 401 by API Gateway itself, without invoking anything. The
 * route key makes an answer given for a reader route never serve a posting route (and back).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
 */
export const AUTHORIZER_IDENTITY_SOURCE = ["$request.header.Authorization", "$context.routeKey"];

/**
 * The access log: one JSON line per request, with the caller's source IP, the authorizer's error
 * (when it failed) and the key's name it passed on (never the key). `$context.error.message`
 * tells a throttle (429) or a missing identity (401) from a handler's answer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging-variables.html
 */
export const ACCESS_LOG_FORMAT = {
  requestId: "$context.requestId",
  sourceIp: "$context.identity.sourceIp",
  routeKey: "$context.routeKey",
  status: "$context.status",
  latency: "$context.responseLatency",
  error: "$context.error.message",
  authorizerError: "$context.authorizer.error",
  keyName: "$context.authorizer.name",
  keyRole: "$context.authorizer.role",
};

export interface DossierHttpApiProps {
  handlers: Record<ApiFunction, ProjectFunction>;
  authorizer: ProjectFunction;
  logRetention: logs.RetentionDays;
}

/**
 * The HTTP API: exactly the routes of lib/contracts/routes.ts, each behind the cached key authorizer (an
 * outer ring: the handlers check the key and its role again), throttled per stage and per route,
 * with access logs.
 *
 * What limits anonymous traffic: API Gateway's own 401 for a request without `Authorization`
 * (no Lambda, no table read), the cached refusal of a bad key (one lookup per key, route and
 * cache period), and the stage and per-route throttles (429). What does not: HTTP APIs have no
 * WAF association and no usage plans, so there is no per-client (per-IP or per-key) limit at the
 * gateway; many distinct made-up keys each cost one authorizer call until the route's throttle.
 * Per-client limits would need CloudFront with an AWS WAF web ACL (a rate-based rule per IP) in
 * front of the API, or a REST API with usage plans and API keys.
 */
export function buildHttpApi(scope: Construct, props: DossierHttpApiProps) {
  // Built directly in the stack (not a construct of its own) so the API keeps its logical id,
  // hence its URL, which integrations are configured with.
  const api = new apigwv2.HttpApi(scope, "Api", {
    description: `dossier-monitor API. Route roles: ${ROUTES.map((r) => `${r.method} ${r.path} ${r.role}`).join("; ")}`,
    createDefaultStage: false,
  });
  const accessLogs = new logs.LogGroup(scope, "ApiAccessLogs", { retention: props.logRetention });
  const stage = new apigwv2.HttpStage(scope, "ApiStage", {
    httpApi: api,
    stageName: "$default",
    autoDeploy: true,
    throttle: STAGE_THROTTLE,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogs),
      format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
    },
  });
  // Route-level throttles override the stage default for the routes they name.
  const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
  cfnStage.routeSettings = Object.fromEntries(
    ROUTES.map((r) => {
      const t = EXPORT_PATHS.has(r.path)
        ? EXPORT_THROTTLE
        : r.path.startsWith("/dashboard")
          ? DASHBOARD_THROTTLE
          : ROUTE_THROTTLE[r.role];
      return [
        `${r.method} ${r.path}`,
        { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit },
      ];
    }),
  );

  const authorizer = new HttpLambdaAuthorizer("KeyAuthorizer", props.authorizer.fn, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    identitySource: AUTHORIZER_IDENTITY_SOURCE,
    resultsCacheTtl: AUTHORIZER_CACHE,
  });
  const integrations = {
    "ingest-api": new HttpLambdaIntegration("Ingest", props.handlers["ingest-api"].fn),
    "query-api": new HttpLambdaIntegration("Query", props.handlers["query-api"].fn),
  } satisfies Record<ApiFunction, HttpLambdaIntegration>;
  const routes: apigwv2.HttpRoute[] = [];
  for (const r of ROUTES) {
    const added = api.addRoutes({
      path: r.path,
      methods: [apigwv2.HttpMethod[r.method]],
      integration: integrations[r.fn],
      // A public route has none: an authorizer would make API Gateway refuse a request without a key.
      authorizer: r.role === "public" ? new apigwv2.HttpNoneAuthorizer() : authorizer,
    });
    if (r.role === "public")
      for (const route of added)
        if (r.path.startsWith("/dashboard"))
          Validations.of(route).acknowledge({
            id: "AwsSolutions-APIG4",
            reason:
              "The dashboard's static files are public by design (lib/http/dashboard.ts): a page, its script and its style sheet, holding no data; the page reads the API with the reader key its user gives it. Throttled on its own route.",
          });
        else
          Validations.of(route).acknowledge({
            id: "AwsSolutions-APIG4",
            reason:
              "The API's own description is public by design (lib/contracts/routes.ts): the document docs/openapi.json holds in the repository, throttled on its own route.",
          });
    routes.push(...added);
  }
  return { api, stage, routes };
}
