import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { Publish } from "./bus";

/**
 * PutEvents in batches of 10 (the API's limit), retrying the entries EventBridge reports as
 * failed, and throwing if any is still not published: nothing is reported published that was not.
 */
export function eventBridgePublisher(client: EventBridgeClient, busName: string, attempts = 4): Publish {
  return async (entries) => {
    for (let i = 0; i < entries.length; i += 10) {
      let batch = entries.slice(i, i + 10).map((e) => ({
        EventBusName: busName,
        Source: e.source,
        DetailType: e.detailType,
        Detail: JSON.stringify(e.detail),
      }));
      for (let attempt = 1; batch.length > 0; attempt++) {
        const out = await client.send(new PutEventsCommand({ Entries: batch }));
        const failed = batch.filter((_, j) => out.Entries?.[j]?.ErrorCode);
        if (failed.length === 0) break;
        if (attempt >= attempts) {
          throw new Error(
            `EventBridge did not accept ${failed.length} entries: ${out.Entries?.find((x) => x.ErrorCode)?.ErrorCode}`,
          );
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        batch = failed;
      }
    }
  };
}

export { EventBridgeClient };
