import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../lib/local/dynamodb-local";
import { startSesLocal } from "../../lib/local/ses-local";

/** One DynamoDB Local for the whole run; every test file makes its own table on it. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const ses = await startSesLocal();
  project.provide("dynamoEndpoint", dynamo.endpoint);
  project.provide("sesEndpoint", ses.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), ses.stop()]);
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}
