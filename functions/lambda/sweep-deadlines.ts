/** The Lambda entry (NodejsFunction `entry`): the root, given the environment and AWS clients. */
import { EventBridgeClient, eventBridgePublisher } from "../../lib/adapters/eventbridge";
import { parseEnv } from "../../lib/contracts/config";
import { lambdaDynamo } from "../commons/aws";
import { LAMBDA_RUNTIME } from "../commons/clients";
import { lambdaEnv } from "../commons/env";
import { compose, EnvSchema } from "../sweep-deadlines";

const eventBridge = new EventBridgeClient({});
export const handler = compose(parseEnv(EnvSchema, lambdaEnv()), {
  ...LAMBDA_RUNTIME,
  dynamo: lambdaDynamo(),
  bus: (name) => eventBridgePublisher(eventBridge, name),
});
