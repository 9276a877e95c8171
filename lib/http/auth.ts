import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { agencyTreeOf } from "../app/directory";
import { DEFAULT_KEY_RATE, type KeyStore } from "../app/ports";
import { type ApiFunction, matchRoute, ROUTES, type Role, type Route } from "../contracts/routes";
import { SourceSchema } from "../domain/events/schema";
import { err, isErr, ok, type Result } from "../domain/result";
import type { LocalDate } from "../domain/time";
import type { UnitDirectory } from "../domain/units";
import { type HttpResult, problem } from "./responses";

/**
 * API credentials: one key per integration (role `integration`, may only post events; its
 * `source` is what its events are attributed to) or per dashboard (role `reader`, may only read).
 * No key does both (README "Trust boundaries"); lib/contracts/routes.ts says which role each route needs.
 * Keys are stored as SHA-256 hashes only and never logged; the plain key is shown once, when
 * created.
 */
export type { Role } from "../contracts/routes";

export interface Credential {
  name: string;
  role: Role;
  /** The `source` set on every event this key posts. */
  source: string;
  /** Requests per second this key may make (its own budget: one integration cannot starve another). */
  ratePerSecond: number;
  /**
   * A reader key's units: it reads only their figures and dossiers (a department's dashboard).
   * Absent: the whole office (leadership), which alone may read the quarantine.
   */
  units?: string[];
  /**
   * The key's agencies: a reader key reads only their subtrees (it is given the units
   * under them as its unit scope, {@link scopeToAgencies}); an integration key posts only for units
   * under them (lib/app/ingest.ts). Absent: the whole office.
   */
  agencies?: string[];
}

/** The hash a key is stored and looked up under (SHA-256, hex). */
export const keyHash = (key: string) => createHash("sha256").update(key).digest("hex");

/** A key refused before it is created: the message names the field. */
export class KeyRefusedError extends Error {}

/** A key's agency scope as one comparable string (`*`: the whole office). */
const scopeOf = (agencies?: readonly string[]) => (agencies ? [...new Set(agencies)].sort().join(", ") : "*");

/**
 * Creates a key; only its SHA-256 is stored. A unit scope is for reader keys only; an agency scope
 * is for either role, and not with a unit scope.
 */
export async function createApiKey(store: KeyStore, c: Credential): Promise<string> {
  // The API writes the key's source into every event it takes: one the event contract refuses
  // would have every event refused, for a fault in the key the integration cannot mend.
  if (!SourceSchema.safeParse(c.source).success)
    throw new KeyRefusedError(`source: 1 to 64 characters, as events carry it (got ${c.source.length})`);
  if (c.units !== undefined && (c.role !== "reader" || c.units.length === 0))
    throw new KeyRefusedError("units: a unit scope is for reader keys, and names at least one unit");
  if (c.agencies !== undefined && (c.agencies.length === 0 || c.units !== undefined))
    throw new KeyRefusedError(
      "agencies: an agency scope names at least one agency, and is not given with units",
    );
  // A dossier belongs to the source that received it (another source's events are refused, unless
  // the directory grants that source the dossier's unit), so the source is what keeps one agency's
  // integration off another's dossiers: two integration keys share a source only with the same
  // scope (a key and its replacement).
  // Dossiers stay their source's when its keys are revoked, so the source stays bound to its
  // first scope for good: a key of another agency under a revoked agency's source would reach that
  // agency's dossiers (move, resolve, withdraw them).
  if (c.role === "integration") {
    const clash = (await store.keys.list()).find(
      (k) => k.role === "integration" && k.source === c.source && scopeOf(k.agencies) !== scopeOf(c.agencies),
    );
    if (clash)
      throw new KeyRefusedError(
        `source: "${c.source}" is already the source of the integration key "${clash.name}" (${clash.agencies ? `agencies ${scopeOf(clash.agencies)}` : "the whole office"}); an integration key of another scope needs its own source`,
      );
    const bound = await store.keys.bindSource(c.source, scopeOf(c.agencies));
    if (bound !== undefined)
      throw new KeyRefusedError(
        `source: "${c.source}" was given to integration keys of ${bound === "*" ? "the whole office" : `agencies ${bound}`} (revoked since, its dossiers still its own); an integration key of another scope needs its own source`,
      );
  }
  const key = `dm_${c.role === "reader" ? "r" : "i"}_${randomBytes(24).toString("base64url")}`;
  const { units, agencies, ...rest } = c;
  await store.keys.put(keyHash(key), {
    ...rest,
    ...(units ? { units: [...new Set(units)] } : {}),
    ...(agencies ? { agencies: [...new Set(agencies)] } : {}),
  });
  return key;
}

/**
 * Revokes the key stored under `hash` (lib/adapters/dynamodb/api-keys.ts `delete`); answers whether
 * there was one. An integration key's source is bound to its scope first, so a key created before
 * sources were bound still leaves its source to its own scope once revoked.
 */
export async function revokeApiKey(store: KeyStore, hash: string): Promise<boolean> {
  const stored = await store.keys.get(hash);
  if (stored?.role === "integration") await store.keys.bindSource(stored.source, scopeOf(stored.agencies));
  return store.keys.delete(hash);
}

/**
 * A reader key scoped to agencies as the routes check it: its unit scope is every unit under its
 * agencies on `at` (where the unit's dossiers count then, or where the directory places it:
 * `AgencyTree.isUnder`). An agency the directory does not know gives no unit: it reads nothing.
 * Every route that refuses a unit-scoped key then refuses it too (office-wide figures).
 */
export function scopeToAgencies(credential: Credential, directory: UnitDirectory, at: LocalDate): Credential {
  const agencies = credential.agencies;
  if (!agencies) return credential;
  const tree = agencyTreeOf(directory);
  return {
    ...credential,
    units: directory.units.filter((u) => tree.isUnder(u.id, agencies, at)).map((u) => u.id),
  };
}

/** Why a request's key is refused: 401 without one, 403 for an unknown key or the wrong role. */
export interface AuthRefusal {
  status: 401 | 403;
  message: string;
}

/**
 * `Authorization: Bearer <key>`, the only place a key is read: API Gateway caches the authorizer's
 * answer by that header, so a key read from anywhere else (an `x-api-key` was, once) would be
 * answered with the decision cached for another request's `Authorization`.
 */
export function keyFromHeaders(headers: Record<string, string | undefined>): string | undefined {
  const auth = headers.authorization ?? headers.Authorization;
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return undefined;
}

/** The credential of `key`, if it is known and has the role the route `needs`; else why not. */
export async function authenticate(
  store: KeyStore,
  key: string | undefined,
  needs: Role,
): Promise<Result<Credential, AuthRefusal>> {
  if (!key) return err({ status: 401, message: "missing credentials: send Authorization: Bearer <key>" });
  const digest = keyHash(key);
  const stored = await store.keys.get(digest);
  // Compare the digests in constant time as well, though the lookup already matched them.
  if (!stored || !timingSafeEqual(Buffer.from(stored.hash), Buffer.from(digest))) {
    return err({ status: 403, message: "unknown key" });
  }
  const credential: Credential = {
    name: stored.name,
    role: stored.role as Role,
    source: stored.source,
    ratePerSecond: stored.ratePerSecond ?? DEFAULT_KEY_RATE,
    ...(stored.units ? { units: stored.units } : {}),
    ...(stored.agencies ? { agencies: stored.agencies } : {}),
  };
  if (credential.role !== needs) {
    return err({
      status: 403,
      message:
        credential.role === "reader"
          ? "this key is read-only: it cannot post events"
          : "this key posts events: it cannot read (use a reader key)",
    });
  }
  return ok(credential);
}

/**
 * The window a key's requests are counted in: the key's own (two keys of one source, as every
 * dashboard's reader key may be, each have their budget), under a hash of its own so that the
 * table's rate items never hold the key or the hash it is looked up by.
 */
export const rateBucket = (key: string) =>
  `key#${createHash("sha256").update(`rate:${key}`).digest("hex").slice(0, 32)}`;

/**
 * Per-key throttling, readers and integrations alike: a fixed one-second window counted in the
 * table (TTL cleans it up). `false` when the key has used its budget for this second.
 */
export async function withinRate(
  store: KeyStore,
  key: string,
  credential: Credential,
  now: number,
): Promise<boolean> {
  const count = await store.rates.hit(rateBucket(key), Math.floor(now / 1000));
  return count <= credential.ratePerSecond;
}

/** A request the gate lets through: a public route has no credential (and counts no key's rate). */
export type Admitted = { route: Route; credential: Credential } | { route: Route; credential: undefined };

/**
 * The gate of both HTTP APIs: the route (lib/contracts/routes.ts) of the request, the key, the role that
 * route needs, and the key's rate. Answers the route and credential, or the 4xx that says why not.
 * A public route is let through without a key, as API Gateway does (no authorizer on it).
 */
export async function admit(
  store: KeyStore,
  event: APIGatewayProxyEventV2,
  fn: ApiFunction,
  now: number,
): Promise<Result<Admitted, HttpResult>> {
  const method = event.requestContext.http.method;
  const route = matchRoute(method, event.rawPath);
  if (!route || route.fn !== fn) {
    const other = ROUTES.some(
      (r) => r.fn === fn && matchRoute(r.method, event.rawPath) === r && r.method !== method,
    );
    return err(other ? problem(405, `${method} is not allowed here`) : problem(404, "no such route"));
  }
  if (route.role === "public") return ok({ route, credential: undefined });
  const key = keyFromHeaders(event.headers);
  const auth = await authenticate(store, key, route.role);
  if (isErr(auth)) return err(problem(auth.error.status, auth.error.message));
  const credential = auth.value;
  if (!(await withinRate(store, key as string, credential, now))) {
    const refused = problem(429, `rate limit: ${credential.ratePerSecond} requests per second for this key`);
    return err({ ...refused, headers: { ...refused.headers, "retry-after": "1" } });
  }
  return ok({ route, credential });
}
