/** The Lambda entry (NodejsFunction `entry`): the root, given the environment and AWS clients. */
import { parseEnv } from "../../lib/contracts/config";
import { lambdaDynamo } from "../commons/aws";
import { LAMBDA_RUNTIME } from "../commons/clients";
import { lambdaEnv } from "../commons/env";
import { compose, EnvSchema } from "../query-api";

export const handler = compose(parseEnv(EnvSchema, lambdaEnv()), {
  ...LAMBDA_RUNTIME,
  dynamo: lambdaDynamo(),
});
