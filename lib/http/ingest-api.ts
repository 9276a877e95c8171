import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { type IngestDeps, ingestEvents, MAX_BODY_BYTES, MAX_EVENTS, parseBody } from "../app/ingest";
import { capProblems } from "../domain/events/validate";
import { decodeUtf8 } from "../domain/text";
import { admit } from "./auth";
import { dvcqgToEvents } from "./dvcqg";
import { type HttpResult, json, problem } from "./responses";

/**
 * The body as text: at most {@link MAX_BODY_BYTES}, and UTF-8 (API Gateway passes a body it does
 * not take for text base64-encoded; one that is not UTF-8 is refused, see {@link decodeUtf8}).
 */
function bodyText(event: APIGatewayProxyEventV2): string | undefined | HttpResult {
  if (!event.body) return event.body;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : undefined;
  if ((bytes?.length ?? Buffer.byteLength(event.body)) > MAX_BODY_BYTES)
    return problem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  if (!bytes) return event.body;
  return (
    decodeUtf8(bytes) ??
    problem(400, "the body is not UTF-8 text", [
      {
        path: "(body)",
        message: "send JSON encoded in UTF-8 (Content-Type: application/json; charset=utf-8)",
      },
    ])
  );
}

/** The posting routes: `POST /events` and `POST /integrations/dvcqg`, for integration keys only. */
export async function handleIngest(deps: IngestDeps, event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const admitted = await admit(deps.store, event, "ingest-api", deps.now());
  if ("statusCode" in admitted) return admitted;
  const { route, credential } = admitted;
  const raw = bodyText(event);
  if (typeof raw === "object") return raw;
  if (route.path === "/events") {
    const candidates = parseBody(raw);
    if (!Array.isArray(candidates)) return candidates;
    return ingestEvents(deps, credential, candidates);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw ?? "");
  } catch (e) {
    return problem(400, "malformed JSON", [{ path: "(body)", message: (e as Error).message.slice(0, 200) }]);
  }
  const converted = dvcqgToEvents(body);
  if ("error" in converted) return problem(400, "not a DVCQG sync request", capProblems(converted.error));
  // The portal's format must not turn one request into more events than POST /events takes.
  if (converted.events.length > MAX_EVENTS) {
    return problem(413, `this request makes ${converted.events.length} events; at most ${MAX_EVENTS}`, [
      { path: "data", message: "send fewer dossiers (or fewer supplements) per request" },
    ]);
  }
  const problems = capProblems(converted.problems) as typeof converted.problems;
  if (converted.events.length === 0) {
    return json(problems.length ? 400 : 200, {
      accepted: 0,
      duplicate: 0,
      rejected: converted.problems.length,
      results: [],
      problems,
    });
  }
  const result = await ingestEvents(deps, credential, converted.events);
  if (!problems.length) return result;
  const answer = JSON.parse(result.body ?? "{}");
  return json(207, {
    ...answer,
    rejected: answer.rejected + converted.problems.length,
    problems,
  });
}
