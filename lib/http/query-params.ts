import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { KpiDeps } from "../app/kpi-report";
import { capProblems } from "../domain/events/validate";
import { periodByName, periodOf } from "../domain/periods";
import { err, ok, type Result } from "../domain/result";
import type * as z from "../domain/zod";
import type { Credential } from "./auth";
import { type HttpResult, problem } from "./responses";

/** A route's query parameters by its zod schema (./queries.ts): every bad one answered 400, named. */
export function parseQuery<T extends z.ZodMiniType>(
  schema: T,
  event: APIGatewayProxyEventV2,
): Result<z.infer<T>, HttpResult> {
  const parsed = schema.safeParse(event.queryStringParameters ?? {});
  if (parsed.success) return ok(parsed.data);
  return err(
    problem(
      400,
      "invalid query parameters",
      capProblems(
        parsed.error.issues.map((i) => ({
          path: i.path.join(".") || (i.code === "unrecognized_keys" ? i.keys.join(",") : "(query)"),
          message: i.message,
        })),
      ),
    ),
  );
}

/** The period a query names, or the current one; 404 naming `period` when the scheme has none. */
export function resolvePeriod(deps: KpiDeps, name: string | undefined) {
  const period = name ? periodByName(deps.scheme, name) : periodOf(deps.scheme, deps.now());
  if (period) return ok(period);
  return err(
    problem(404, name ? `no period named ${name} in this deployment's scheme` : "no current period", [
      { path: "period", message: "unknown period" },
    ]),
  );
}

/**
 * A route that reads every unit's data: the credential, when it is office-wide; a key scoped to
 * units (or agencies) is refused, 403.
 */
export function officeWide(credential: Credential, what: string): Result<Credential, HttpResult> {
  if (!credential.units) return ok(credential);
  return err(
    problem(403, `${what} is read with an office-wide reader key`, [
      { path: "(key)", message: "this key is scoped to units" },
    ]),
  );
}
