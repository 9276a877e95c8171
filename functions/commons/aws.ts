/** The AWS clients of a Lambda execution environment, built once each (docs/style.md 5). */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
/** The document client over the region's DynamoDB, undefined attributes dropped. */
export function lambdaDynamo(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
