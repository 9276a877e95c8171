import type { APIGatewayProxyResultV2 } from "aws-lambda";
import type { Problem } from "../domain/result";
import * as z from "../domain/zod";

/** HTTP answers of the API's handlers (API Gateway HTTP API, payload 2.0). */
export type HttpResult = Exclude<APIGatewayProxyResultV2, string> & { statusCode: number; body?: string };

const SECURITY_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export function json(statusCode: number, body: unknown): HttpResult {
  return { statusCode, headers: SECURITY_HEADERS, body: JSON.stringify(body) };
}

/**
 * The body of every 4xx and 503 of both APIs (the OpenAPI document's `Problem` component): a
 * message and the domain's {@link Problem}s, each naming its field.
 */
export const ProblemSchema = z.object({
  message: z.string(),
  problems: z.array(z.object({ path: z.string(), message: z.string() }) satisfies z.ZodMiniType<Problem>),
});
export type ProblemBody = z.infer<typeof ProblemSchema>;

/** A 4xx with every reason, each naming its field. */
export function problem(statusCode: number, message: string, problems: readonly Problem[] = []): HttpResult {
  return json(statusCode, { message, problems: [...problems] } satisfies ProblemBody);
}

/** The 400 for a page cursor the store refused (one it did not hand out, or another listing's). */
export function badCursor(refusal: { message: string }): HttpResult {
  return problem(400, "invalid query parameters", [{ path: "cursor", message: refusal.message }]);
}

export function file(body: Buffer, contentType: string, filename: string): HttpResult {
  return {
    statusCode: 200,
    headers: {
      "content-type": contentType,
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
    body: body.toString("base64"),
    isBase64Encoded: true,
  };
}
