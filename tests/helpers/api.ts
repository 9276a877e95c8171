import type { APIGatewayProxyEventV2 } from "aws-lambda";

/** A `GET` as API Gateway's HTTP API hands it to a handler (payload 2.0), with a key. */
export function apiGet(
  path: string,
  query: Record<string, string> = {},
  key?: string,
): APIGatewayProxyEventV2 {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    queryStringParameters: Object.keys(query).length ? query : undefined,
    headers: key ? { authorization: `Bearer ${key}` } : {},
    isBase64Encoded: false,
    requestContext: { http: { method: "GET", path } } as never,
  } as APIGatewayProxyEventV2;
}
