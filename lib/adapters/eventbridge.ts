import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { Publish } from "../contracts/bus";

/**
 * PutEvents in batches of 10 (the API's limit), retrying the entries EventBridge reports as
 * failed; what is still failing after the retries is returned, so nothing is reported published
 * that was not.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string, attempts = 4): Publish {
  return async (entries) => {
    const failed: number[] = [];
    for (let i = 0; i < entries.length; i += 10) {
      let pending = entries.slice(i, i + 10).map((e, j) => ({
        index: i + j,
        entry: {
          EventBusName: busName,
          Source: e.source,
          DetailType: e.detailType,
          Detail: JSON.stringify(e.detail),
        },
      }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        let results: { ErrorCode?: string }[] | undefined;
        try {
          results = (await client.send(new PutEventsCommand({ Entries: pending.map((p) => p.entry) })))
            .Entries;
        } catch {
          results = undefined;
        }
        pending = pending.filter((_, j) => !results || results[j]?.ErrorCode);
        if (pending.length === 0) break;
        if (attempt >= attempts) {
          failed.push(...pending.map((p) => p.index));
          break;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    return { failed };
  };
}

export { EventBridgeClient };
