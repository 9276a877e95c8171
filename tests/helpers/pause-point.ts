import { localDynamoClient } from "../../dev/local/dynamodb-local";

/**
 * What a process a test kills shares (./killable-consumer.ts, ./killable-import.ts): a DynamoDB
 * Local client (DYNAMO_ENDPOINT) for TABLE_NAME, where to stop (PAUSE=`<where>:<N>`), and `pause`,
 * which prints `paused` once and never settles, so every DynamoDB call after it waits for the kill.
 */
export function pausePoint() {
  const [where, at] = (process.env.PAUSE ?? "").split(":");
  let paused = false;
  const forever = new Promise<never>(() => {});
  const pause = (): Promise<never> => {
    if (!paused) {
      paused = true;
      process.stdout.write("paused\n");
    }
    return forever;
  };
  return {
    client: localDynamoClient(process.env.DYNAMO_ENDPOINT as string),
    tableName: process.env.TABLE_NAME as string,
    where,
    pauseAt: Number(at),
    pause,
    isPaused: () => paused,
  };
}
