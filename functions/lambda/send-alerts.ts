/** The Lambda entry (NodejsFunction `entry`): the root, given the environment and AWS clients. */
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { parseEnv } from "../../lib/contracts/config";
import { lambdaDynamo } from "../commons/aws";
import { LAMBDA_RUNTIME } from "../commons/clients";
import { lambdaEnv } from "../commons/env";
import { compose, EnvSchema } from "../send-alerts";

export const handler = compose(parseEnv(EnvSchema, lambdaEnv()), {
  ...LAMBDA_RUNTIME,
  dynamo: lambdaDynamo(),
  ses: new SESv2Client({}),
});
