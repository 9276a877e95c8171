import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { err, ok, type Result } from "../domain/result";
import { decodeUtf8, jsonErrorText } from "../domain/text";
import { type HttpResult, problem } from "./responses";

/** The posting routes' limit on a body (API Gateway's own is 10 MB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** A parsed body, or the 4xx that says why there is none. */
export type BodyResult = Result<unknown, HttpResult>;

/**
 * The body of a posting route as JSON, checked once, before any route reads it: at most
 * {@link MAX_BODY_BYTES} (413), UTF-8 (API Gateway passes a body it does not take for text
 * base64-encoded; one that is not UTF-8 is refused, see {@link decodeUtf8}), present, and JSON.
 * `empty` is the message for a missing body (a route that says what it expects); without it, a
 * missing body is malformed JSON.
 */
export function jsonBody(event: APIGatewayProxyEventV2, empty?: string): BodyResult {
  let text = event.body;
  if (text) {
    const bytes = event.isBase64Encoded ? Buffer.from(text, "base64") : undefined;
    if ((bytes?.length ?? Buffer.byteLength(text)) > MAX_BODY_BYTES)
      return err(problem(413, `body larger than ${MAX_BODY_BYTES} bytes`));
    if (bytes) {
      text = decodeUtf8(bytes);
      if (text === undefined)
        return err(
          problem(400, "the body is not UTF-8 text", [
            {
              path: "(body)",
              message: "send JSON encoded in UTF-8 (Content-Type: application/json; charset=utf-8)",
            },
          ]),
        );
    }
  }
  // A byte order mark before the JSON (some Windows tools write one) is read past: RFC 8259 §8.1
  // lets a parser ignore it, and JSON.parse alone refuses it.
  if (text?.startsWith("\uFEFF")) text = text.slice(1);
  if (!text && empty !== undefined) return err(problem(400, empty));
  try {
    return ok(JSON.parse(text ?? ""));
  } catch (e) {
    return err(problem(400, "malformed JSON", [{ path: "(body)", message: jsonErrorText(e) }]));
  }
}
