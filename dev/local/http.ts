import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { matchRoute } from "../../lib/contracts/routes";
import { decodeUtf8 } from "../../lib/domain/text";
import type { HttpResult } from "../../lib/http/responses";

/**
 * The local HTTP API: requests as API Gateway (HTTP API, payload 2.0) hands them to the functions,
 * routed as lib/contracts/routes.ts says, as the deployed API routes them.
 */

type ApiHandler = (event: APIGatewayProxyEventV2, context: never) => Promise<HttpResult>;

/**
 * API Gateway's own payload limit (10 MB): past it, the gateway answers 413 and no function runs.
 * The API's smaller limit for events is the ingestion function's (lib/http/body.ts).
 */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Text bodies as text; bytes that are not UTF-8 base64-encoded, as API Gateway passes binary. */
function bodyField(bytes: Buffer): { body: string; isBase64Encoded: boolean } {
  const text = decodeUtf8(bytes);
  return text === undefined
    ? { body: bytes.toString("base64"), isBase64Encoded: true }
    : { body: text, isBase64Encoded: false };
}

function toApiEvent(req: IncomingMessage, bytes: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
  const query = Object.fromEntries(url.searchParams.entries());
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers,
    ...bodyField(bytes),
    requestContext: {
      http: { method: req.method ?? "GET", path: url.pathname, sourceIp: "127.0.0.1" },
    } as never,
  } as APIGatewayProxyEventV2;
}

/** Reads a request body up to `limit` bytes; `undefined` when it is larger (the caller answers 413). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      if (!tooLarge) chunks.push(c);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** An HTTP server for the two API functions (not yet listening). */
export function apiServer(
  handlers: { "ingest-api": ApiHandler; "query-api": ApiHandler },
  onError: (e: unknown) => void,
): Server {
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const body = await readBody(req, GATEWAY_MAX_BODY_BYTES);
      let result: HttpResult;
      if (body === undefined)
        result = { statusCode: 413, body: JSON.stringify({ message: "Request Entity Too Large" }) };
      else {
        const event = toApiEvent(req, body);
        // Each route to the function lib/contracts/routes.ts names, as the deployed API routes it; the
        // handler answers 404 or 405 to the rest, as API Gateway's $default route does.
        const route = matchRoute(req.method ?? "GET", event.rawPath);
        const fn = route?.fn ?? (req.method === "POST" ? "ingest-api" : "query-api");
        result = await handlers[fn](event, {} as never);
      }
      res.writeHead(result.statusCode, {
        "content-type": "application/json; charset=utf-8",
        ...(result.headers as Record<string, string>),
      });
      res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8") : undefined);
    } catch (e) {
      onError(e);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "internal error" }));
    }
  });
  // An idle connection is closed by the client (undici lets one rest 4 s), never by this server first:
  // with Node's default of 5 s, a busy machine let a request leave on a socket the server was closing
  // (ECONNRESET in a test). `close()` still ends idle connections at once.
  server.keepAliveTimeout = 65_000;
  return server;
}
