import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Publish } from "../../lib/contracts/bus";
import { instant } from "../../lib/domain/time";
import { parseUnitDirectory } from "../../lib/domain/units";
import { createApiKey } from "../../lib/http/auth";
import { testTable } from "./dynamo";
import { ROOT } from "./fixtures";

/**
 * The ingest routes called in-process against a table of DynamoDB Local: an integration key of
 * source `source`, the seed's unit directory, and a bus that keeps what was published.
 */
export async function ingestHarness(name: string, source = name) {
  const table = await testTable(name);
  const key = await createApiKey(table.store, {
    name,
    role: "integration",
    source,
    ratePerSecond: 100_000,
  });
  const directory = parseUnitDirectory(
    JSON.parse(readFileSync(join(ROOT, "events/units/seed-units.json"), "utf8")),
  );
  await table.store.directory.put(directory.units, directory.leadership);
  const published: unknown[] = [];
  const publish: Publish = async (entries) => {
    published.push(...entries);
    return { failed: [] };
  };
  const now = () => instant("2022-08-01T09:00:00+07:00");
  const post = (path: string, body: string, isBase64Encoded = false): APIGatewayProxyEventV2 =>
    ({
      version: "2.0",
      routeKey: "$default",
      rawPath: path,
      rawQueryString: "",
      headers: { authorization: `Bearer ${key}` },
      body,
      isBase64Encoded,
      requestContext: { http: { method: "POST", path } } as never,
    }) as APIGatewayProxyEventV2;
  return { table, key, published, publish, now, post, deps: () => ({ ...table.store, publish, now }) };
}

/** The portal-shaped and contract samples the bad-input tests mutate. */
export const sampleReceived = () =>
  JSON.parse(readFileSync(join(ROOT, "events/samples/dossier.received.json"), "utf8"));
