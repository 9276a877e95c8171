import type { KeyStore } from "../app/ports";
import { ROUTES, type Route } from "../contracts/routes";
import { isErr } from "../domain/result";
import { authenticate, type Credential, keyFromHeaders } from "./auth";

/**
 * The HTTP API's Lambda REQUEST authorizer, an outer ring in front of the handlers (which keep
 * their own key check: defence in depth, and the local stack has no API Gateway).
 *
 * API Gateway caches its answer per identity source, here the `Authorization` header and the
 * route key (infra/stateless-stack.ts), so a key, good or bad, is looked up once per route per
 * cache period, and a request without the header is refused by API Gateway itself (401) without
 * invoking anything. Because the route key is part of the cache key, an answer given for a reader
 * route is never reused for a posting route.
 */

/** What the handlers receive in `requestContext.authorizer.lambda`: never the key, nor its hash. */
export interface AuthorizerContext {
  name: string;
  role: Route["role"];
  source: string;
  /**
   * The rest of the credential (its grants: units, dossier-id prefixes, its rate…) as JSON, so
   * the context stays a flat map of strings whatever the credential grows to hold.
   */
  scope: string;
}

export type AuthorizerDecision =
  | { isAuthorized: true; context: AuthorizerContext }
  | { isAuthorized: false; reason: string };

/** The part of API Gateway's authorizer event (payload 2.0) the decision reads. */
export interface AuthorizerRequest {
  routeKey: string;
  headers?: Record<string, string | undefined>;
}

/** The route of lib/contracts/routes.ts an HTTP API route key (`GET /dossiers/{id}`) names, if any. */
export function routeForKey(routeKey: string): Route | undefined {
  return ROUTES.find((r) => `${r.method} ${r.path}` === routeKey);
}

/** The context passed on for a credential: its identity, and the rest of it as `scope`. */
export function authorizerContext(credential: Credential): AuthorizerContext {
  const { name, role, source, ...rest } = credential;
  return { name, role, source, scope: JSON.stringify(rest) };
}

/**
 * Allows a request when its key is known and its role is the one the route needs, both ways:
 * integration keys post, reader keys read, no key does both (README "Trust boundaries").
 * A store failure throws: API Gateway then answers 500 and caches nothing, so an outage never
 * becomes a cached refusal of a good key.
 */
export async function decide(store: KeyStore, request: AuthorizerRequest): Promise<AuthorizerDecision> {
  const route = routeForKey(request.routeKey);
  if (!route) return { isAuthorized: false, reason: "unknown route" };
  // A public route has no authorizer on AWS (infra/http-api.ts); asked anyway, it lets anyone in.
  if (route.role === "public")
    return { isAuthorized: true, context: { name: "anonymous", role: "public", source: "", scope: "{}" } };
  const key = keyFromHeaders(request.headers ?? {});
  // authenticate() checks the role both ways, as the handlers do: one rule, one place.
  const auth = await authenticate(store, key, route.role);
  if (isErr(auth)) return { isAuthorized: false, reason: auth.error.message };
  return { isAuthorized: true, context: authorizerContext(auth.value) };
}
