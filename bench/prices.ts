/**
 * Published on-demand prices used for the cost per million events, US East (N. Virginia), in USD,
 * as read on the pages below in 2026. Other regions differ (Asia Pacific (Singapore), the natural
 * region for a Vietnamese deployment, is dearer for DynamoDB); change them here to price another.
 */
export const PRICES = {
  region: "us-east-1",
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (after the November 2024 reduction) */
  dynamoWriteRequestUnit: 0.625 / 1e6,
  dynamoReadRequestUnit: 0.125 / 1e6,
  /** https://aws.amazon.com/eventbridge/pricing/: custom events, per 64 KB chunk */
  eventBridgeEvent: 1.0 / 1e6,
  /** https://aws.amazon.com/eventbridge/pricing/: archive, per GB processed */
  eventBridgeArchiveGb: 0.1,
  /** https://aws.amazon.com/sqs/pricing/: standard queue, per request (64 KB chunk) */
  sqsRequest: 0.4 / 1e6,
  /** https://aws.amazon.com/lambda/pricing/: Arm, first tier */
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  /** https://aws.amazon.com/api-gateway/pricing/: HTTP APIs, first 300 million requests */
  httpApiRequest: 1.0 / 1e6,
} as const;
