/**
 * What a composition root is given (docs/style.md 5): AWS clients and the runtime around them. Lambda
 * builds them once per execution environment (functions/lambda/*.ts); the local stack and the
 * bench build local ones and call the same roots, so no one writes `process.env`.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { SESv2Client } from "@aws-sdk/client-sesv2";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Publish } from "../../lib/contracts/bus";
import { METRIC_NAMESPACE } from "../../lib/contracts/metrics";
import type { CountingSettings } from "../../lib/domain/counting";

export interface Clients {
  /** The DynamoDB document client the table's store runs over. */
  dynamo: DynamoDBDocumentClient;
  ses: SESv2Client;
  /** A publisher to the named bus: EventBridge in Lambda, the in-process bus locally. */
  bus: (busName: string) => Publish;
  now: () => number;
  /**
   * The real time by which a handler keeps what it read (the unit directory, lib/app/directory.ts):
   * `Date.now` when absent, whatever clock `now` keeps; a test moves its own instead of waiting.
   */
  cacheClock?: () => number;
  logger: (service: string) => Logger;
  metrics: (service: string) => Metrics;
}

/** The runtime of a Lambda execution environment: real time, Powertools as configured by its env. */
export const LAMBDA_RUNTIME: Pick<Clients, "now" | "logger" | "metrics"> = {
  now: Date.now,
  logger: (service) => new Logger({ serviceName: service }),
  metrics: (service) => new Metrics({ namespace: METRIC_NAMESPACE, serviceName: service }),
};

/** What the KPI readers need of the deployment's settings. */
export function kpiSettings(settings: CountingSettings) {
  return {
    calendar: settings.calendar,
    scheme: settings.scheme,
    strictSupplementRule: settings.strictSupplementRule,
  };
}
