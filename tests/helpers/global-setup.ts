import { execFileSync } from "node:child_process";
import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../dev/local/dynamodb-local";
import { startSesLocal } from "../../dev/local/ses-local";

/** One DynamoDB Local for the whole run; every test file makes its own table on it. */
export default async function setup(project: TestProject) {
  // This process talks to the emulators too; it runs on Node 20 by design (Lambda runs Node 22).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // The tests that run the command line run the built one: build it from the sources under test.
  execFileSync(process.execPath, ["scripts/build.mjs"], { stdio: "inherit" });
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
