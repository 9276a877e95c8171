import { type RunningDynamo, startDynamoDbLocal } from "./dynamodb-local";
import { type RunningSes, startSesLocal } from "./ses-local";
import type { LocalStackOptions } from "./stack-options";

/**
 * The local stack's emulators (./stack.ts): DynamoDB Local and the local SES, started unless the
 * options name running ones, and the order the stack stops in around them.
 */

/**
 * The servers and the scheduler, then, once the bus's deliveries still running (send-alerts after
 * a sweep) have ended, the emulators they use: a digest being sent does not fail against a
 * stopped SES.
 */
export async function stopInOrder(
  stops: (() => Promise<void>)[],
  settled: () => Promise<void>,
  emulators: (() => Promise<void>)[],
): Promise<void> {
  for (const stop of stops) await stop();
  await settled().catch(() => {});
  for (const stop of emulators) await stop();
}

/**
 * DynamoDB Local and the local SES, each unless the options name a running one, with what stops
 * them (in the order to call); if the second fails to start, the first is stopped.
 */
export async function startEmulators(
  options: LocalStackOptions,
): Promise<{ dynamoEndpoint: string; sesEndpoint: string; stops: (() => Promise<void>)[] }> {
  const stops: (() => Promise<void>)[] = [];
  let dynamo: RunningDynamo | undefined;
  let ses: RunningSes | undefined;
  try {
    if (!options.dynamoEndpoint) {
      dynamo = await startDynamoDbLocal({ path: options.dataDir });
      stops.push(() => (dynamo as RunningDynamo).stop());
    }
    if (!options.sesEndpoint) {
      ses = await startSesLocal();
      stops.push(() => (ses as RunningSes).stop());
    }
  } catch (e) {
    for (const stop of stops.reverse()) await stop();
    throw e;
  }
  return {
    dynamoEndpoint: options.dynamoEndpoint ?? (dynamo as RunningDynamo).endpoint,
    sesEndpoint: options.sesEndpoint ?? (ses as RunningSes).endpoint,
    stops,
  };
}
