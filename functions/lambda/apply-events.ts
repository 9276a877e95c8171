/** The Lambda entry (NodejsFunction `entry`): the root, given the environment and AWS clients. */
import { parseEnv } from "../../lib/contracts/config";
import { compose, EnvSchema } from "../apply-events";
import { lambdaDynamo } from "../commons/aws";
import { LAMBDA_RUNTIME } from "../commons/clients";
import { lambdaEnv } from "../commons/env";

export const handler = compose(parseEnv(EnvSchema, lambdaEnv()), {
  ...LAMBDA_RUNTIME,
  dynamo: lambdaDynamo(),
});
