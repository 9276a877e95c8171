import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "../../dev/local/stack-options";
import { INGEST_SOURCE } from "../../lib/contracts/bus";
import { orThrow } from "../../lib/domain/result";
import { startE2eStack } from "../helpers/e2e-stack";

/**
 * EventBridge's PutEvents on the local stack, from the real SDK client (endpoint override, made-up
 * credentials), as a producer with AWS credentials posts: through the local bus and the deployed
 * rules to the consumer. The stack starts like `serve --empty`: units and keys, no seed replay.
 */
let stack: LocalStack;
let client: EventBridgeClient;
const SOURCE = "vn.motcua.huyen-thu";

beforeAll(async () => {
  ({ stack } = await startE2eStack("put-events", {
    clock: "2022-07-04T09:00:00+07:00",
    periodScheme: "calendar-quarter",
  }));
  client = new EventBridgeClient({
    endpoint: stack.urls.eventBridge,
    region: "ap-southeast-1",
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "anything" },
    maxAttempts: 1,
  });
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await stack?.stop();
});

const received = (eventId: string, dossierId: string, channel = "online") => ({
  eventId,
  type: "dossier.received",
  occurredAt: "2022-07-04T08:30:00+07:00",
  dossierId,
  data: { unitId: "phong-tu-phap", procedureCode: "1.001193", channel, processingDays: 5, domain: "ho-tich" },
});
const entry = (detail: object, more: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: SOURCE,
  DetailType: "dossier.received",
  Detail: JSON.stringify(detail),
  EventBusName: stack.busName,
  ...more,
});
const readDossier = async (id: string) => {
  const res = await fetch(`${stack.urls.api}/dossiers/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${stack.keys?.reader}` },
  });
  return {
    status: res.status,
    json: (await res.json()) as { state?: { unitId?: string }; timeline?: unknown[] },
  };
};

describe("PutEvents on the local stack, from @aws-sdk/client-eventbridge", () => {
  it("applies valid entries, answers the others one by one, and loses nothing it accepted", async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(received("pe-ok-1", "HS-PE-1")),
          { ...entry({}), Detail: "{not json" },
          { ...entry(received("pe-x-2", "HS-PE-2")), DetailType: undefined },
          entry(received("pe-x-3", "HS-PE-3"), { Source: "aws.ses" }),
          entry(received("pe-x-4", "HS-PE-4"), { Source: INGEST_SOURCE }),
          // Reaches the consumer, breaks the contract: quarantined with its reason.
          entry(received("pe-bad-5", "HS-PE-5", "fax")),
          // No rule matches it, or it is put on the default bus: accepted, delivered nowhere.
          entry(received("pe-none-6", "HS-PE-6"), { DetailType: "DossierReceived" }),
          entry(received("pe-none-7", "HS-PE-7"), { EventBusName: undefined }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(4);
    const entries = out.Entries ?? [];
    expect(entries.map((e) => e.ErrorCode ?? "ok")).toEqual([
      "ok",
      "MalformedDetail",
      "InvalidArgument",
      "NotAuthorizedForSourceException",
      "AccessDeniedException",
      "ok",
      "ok",
      "ok",
    ]);
    expect(entries[2]?.ErrorMessage).toMatch(/DetailType is a required argument/);
    for (const i of [0, 5, 6, 7]) expect(entries[i]?.EventId, `entry ${i}`).toMatch(/^[0-9a-f-]{36}$/);

    await stack.drain();
    const applied = await readDossier("HS-PE-1");
    expect(applied.status).toBe(200);
    expect(applied.json.state?.unitId).toBe("phong-tu-phap");
    expect(applied.json.timeline).toEqual([expect.objectContaining({ eventId: "pe-ok-1" })]);
    const quarantined = orThrow(await stack.store.quarantine.listPage({ limit: 50 })).items;
    expect(quarantined).toEqual([
      expect.objectContaining({
        eventId: "pe-bad-5",
        source: SOURCE,
        reason: expect.stringMatching(/^invalid event: data\.channel/),
      }),
    ]);
    // Refused and undelivered entries reached nothing; nothing was given up on.
    for (const id of ["HS-PE-2", "HS-PE-3", "HS-PE-4", "HS-PE-6", "HS-PE-7"])
      expect((await readDossier(id)).status, id).toBe(404);
    expect(stack.deadLetters()).toBe(0);
  });

  it("refuses a request of more than 10 entries as a whole, as EventBridge does", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => entry(received(`pe-many-${i}`, `HS-PE-MANY-${i}`)));
    const refused = await client.send(new PutEventsCommand({ Entries: eleven })).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).name).toBe("ValidationException");
    await stack.drain();
    expect((await readDossier("HS-PE-MANY-0")).status).toBe(404);
  });

  it("wants a signed request (any credentials) and answers PutEvents only", async () => {
    const unsigned = await fetch(stack.urls.eventBridge, {
      method: "POST",
      headers: { "x-amz-target": "AWSEvents.PutEvents", "content-type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ Entries: [entry(received("pe-u", "HS-PE-U"))] }),
    });
    expect(unsigned.status).toBe(403);
    expect(((await unsigned.json()) as { __type: string }).__type).toBe(
      "MissingAuthenticationTokenException",
    );
    const other = await fetch(stack.urls.eventBridge, {
      method: "POST",
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=x", "x-amz-target": "AWSEvents.ListRules" },
      body: "{}",
    });
    expect(((await other.json()) as { __type: string }).__type).toBe("UnknownOperationException");
  });
});
