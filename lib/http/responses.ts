import { gzipSync } from "node:zlib";
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

/**
 * Whether an `Accept-Encoding` header takes gzip (RFC 9110 §12.5.3): `gzip` (or `x-gzip`, its
 * alias) with a weight above 0; failing that, `*` with one. A coding named outright outweighs `*`,
 * so `gzip;q=0, *` refuses it.
 */
export function acceptsGzip(header: string | undefined): boolean {
  const weights = new Map<string, number>();
  for (const part of (header ?? "").split(",")) {
    const [coding, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    if (!coding) continue;
    const q = params.find((p) => p.startsWith("q="));
    weights.set(coding === "x-gzip" ? "gzip" : coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const weight = weights.get("gzip") ?? weights.get("*");
  return weight !== undefined && weight > 0;
}

/**
 * The largest body sent uncompressed, as the function's answer carries it (base64 text, or a JSON
 * string with its escapes): a Lambda function's synchronous answer is at most 6,291,456 bytes,
 * headers and framing included, so this leaves them room.
 */
export const PLAIN_ANSWER_MAX_BYTES = 6_000_000;

/** Below this, a body is sent as it is: gzip's header and the CPU would not pay. */
const GZIP_FROM_BYTES = 1024;
const COMPRESSIBLE = /^(application\/json|text\/)/;

/**
 * A text answer (JSON, CSV; not a spreadsheet, already compressed) gzipped for a client that takes
 * it. API Gateway's HTTP APIs send what the function returns and compress nothing, so a province's
 * `/me` (every procedure's name) or `/kpis` (168 communes) would otherwise cross the network whole
 * on every dashboard load. An answer too large to send uncompressed is refused with 406 instead.
 */
export function compressed(result: HttpResult, acceptEncoding: string | undefined): HttpResult {
  const headers = result.headers ?? {};
  const type = String(headers["content-type"] ?? "");
  if (result.body === undefined || headers["content-encoding"] !== undefined || !COMPRESSIBLE.test(type))
    return result;
  const bytes = result.isBase64Encoded ? Buffer.from(result.body, "base64") : Buffer.from(result.body);
  if (bytes.length < GZIP_FROM_BYTES) return result;
  const had = String(headers.vary ?? "");
  const vary = {
    vary: /\baccept-encoding\b/i.test(had) ? had : had ? `${had}, accept-encoding` : "accept-encoding",
  };
  if (!acceptsGzip(acceptEncoding)) {
    // Past Lambda's bound the platform would answer 502 with no reason: say what to ask instead.
    // Measured as sent: a file goes as base64 (4/3 of its bytes), text inside the answer's JSON.
    const sent = result.isBase64Encoded ? result.body.length : Buffer.byteLength(JSON.stringify(result.body));
    if (sent > PLAIN_ANSWER_MAX_BYTES) {
      const refused = problem(406, "this answer is too large to send uncompressed", [
        {
          path: "accept-encoding",
          message: `the answer is ${(sent / 1e6).toFixed(1)} MB as sent, over the ${PLAIN_ANSWER_MAX_BYTES / 1e6} MB sent uncompressed: ask with Accept-Encoding: gzip, or for less (unit=, agency=, or byUnit=false on /kpis/index)`,
        },
      ]);
      return { ...refused, headers: { ...refused.headers, ...vary } };
    }
    return { ...result, headers: { ...headers, ...vary } };
  }
  return {
    ...result,
    headers: { ...headers, ...vary, "content-encoding": "gzip" },
    body: gzipSync(bytes).toString("base64"),
    isBase64Encoded: true,
  };
}
