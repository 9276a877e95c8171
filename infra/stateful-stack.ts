import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as events from "aws-cdk-lib/aws-events";
import * as targets from "aws-cdk-lib/aws-events-targets";
import * as eventschemas from "aws-cdk-lib/aws-eventschemas";
import * as ses from "aws-cdk-lib/aws-ses";
import * as sqs from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { TABLE } from "../lib/adapters/dynamodb/table";
import { DOSSIER_EVENTS_RULE, INGEST_SOURCE } from "../lib/contracts/bus";
import { renderBusSchemas } from "../lib/domain/events/json-schema";
import { CONSUMER_TIMEOUT } from "./consumer";
import { CONSUMER_TUNING } from "./consumer-tuning";

/** The tag that marks the ingest-api function's role: the only one that may use the API's source. */
export const INGEST_ROLE_TAG = { key: "dossier-monitor-role", value: "ingest-api" } as const;

/**
 * An EventBridge pattern from lib/contracts/bus.ts as CDK's EventPattern type: the same object, its keys
 * spelled the CDK way (the synthesized template spells them back as EventBridge does).
 */
export function cdkPattern(pattern: Record<string, readonly unknown[]>): events.EventPattern {
  const { "detail-type": detailType, ...rest } = pattern;
  return {
    ...(detailType ? { detailType: detailType as string[] } : {}),
    ...(rest as Record<string, string[]>),
  };
}

/**
 * What holds data and outlives deployments: the table, the bus with its archive, the consumer's
 * queue and dead-letter queue, and the SES configuration set. Retained on stack deletion.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly bus: events.EventBus;
  readonly eventsQueue: sqs.Queue;
  readonly eventsDlq: sqs.Queue;
  /** Where the bus puts a dossier event it could not deliver to the queue (after its retries). */
  readonly dossierEventsRuleDlq: sqs.Queue;
  readonly dossierEventsRule: events.Rule;
  readonly configurationSet: ses.ConfigurationSet;
  /** The bus's schema registry: one schema per event type, for AWS-native producers' code bindings. */
  readonly schemaRegistry: eventschemas.CfnRegistry;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    this.table = singleTable(this);
    this.bus = dossierBus(this);
    this.schemaRegistry = schemaRegistry(this);
    // Every event on the bus, kept a year for replay (README "Deploying to AWS": replay from the archive).
    // Retained like the bus and the table: deleting the stack must not delete the year of events
    // a replay needs.
    this.bus
      .archive("Archive", {
        description: "All events of the dossier bus, for replay",
        eventPattern: { account: [Stack.of(this).account] },
        retention: Duration.days(365),
      })
      .applyRemovalPolicy(RemovalPolicy.RETAIN);
    const consumer = consumerQueues(this);
    this.eventsQueue = consumer.queue;
    this.eventsDlq = consumer.dlq;
    const routing = dossierEventsRule(this, this.bus, this.eventsQueue);
    this.dossierEventsRule = routing.rule;
    this.dossierEventsRuleDlq = routing.dlq;
    this.configurationSet = feedbackConfigurationSet(this);
    // The names an operator passes to `units import --table` and to PutEvents, output by the stack
    // that owns them (an output of the stateless stack would only re-export an import).
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "EventBusName", { value: this.bus.eventBusName });
  }
}

/** The single table of lib/adapters/dynamodb/table.ts: same keys, same sparse index. */
function singleTable(stack: Stack): dynamodb.TableV2 {
  return new dynamodb.TableV2(stack, "Table", {
    partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    timeToLiveAttribute: TABLE.ttlAttribute,
    removalPolicy: RemovalPolicy.RETAIN,
    globalSecondaryIndexes: [
      {
        indexName: TABLE.sweepIndex.name,
        partitionKey: { name: TABLE.sweepIndex.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TABLE.sweepIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
        projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      },
      {
        indexName: TABLE.slaIndex.name,
        partitionKey: { name: TABLE.slaIndex.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TABLE.slaIndex.sortKey, type: dynamodb.AttributeType.NUMBER },
        projectionType: dynamodb.ProjectionType.ALL,
      },
    ],
  });
}

/** The dossier bus, retained, and its policy keeping the ingestion API's source for the API. */
function dossierBus(stack: Stack): events.EventBus {
  const bus = new events.EventBus(stack, "Bus", {
    description: "Dossier events from integrations and the ingestion API",
  });
  bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
  // The API's source means "the body's source is the caller's key's" (the consumer trusts it):
  // only the ingest-api function's role, tagged in the stateless stack, may put events under it,
  // whatever an identity policy elsewhere in the account allows (an explicit deny wins).
  new events.CfnEventBusPolicy(stack, "OnlyTheApiUsesItsSource", {
    eventBusName: bus.eventBusName,
    statementId: "OnlyTheApiUsesItsSource",
    statement: {
      Effect: "Deny",
      Principal: "*",
      Action: "events:PutEvents",
      Resource: bus.eventBusArn,
      Condition: {
        StringEquals: { "events:source": INGEST_SOURCE },
        StringNotEquals: { [`aws:PrincipalTag/${INGEST_ROLE_TAG.key}`]: INGEST_ROLE_TAG.value },
      },
    },
  });
  return bus;
}

/**
 * One schema per event type, rendered from the event contract's zod (not discovered from
 * traffic), so that a producer with AWS credentials finds the contract beside the bus.
 */
function schemaRegistry(stack: Stack): eventschemas.CfnRegistry {
  const registry = new eventschemas.CfnRegistry(stack, "SchemaRegistry", {
    description: "Dossier events accepted on the dossier bus (detail of each detail-type)",
  });
  for (const [type, content] of Object.entries(renderBusSchemas())) {
    new eventschemas.CfnSchema(stack, `Schema-${type}`, {
      registryName: registry.attrRegistryName,
      schemaName: type,
      type: "JSONSchemaDraft4",
      description: `The detail of a ${type} event (detail-type ${type})`,
      content,
    });
  }
  return registry;
}

/** The consumer's queue and its dead-letter queue (after 5 receives). */
function consumerQueues(stack: Stack): { queue: sqs.Queue; dlq: sqs.Queue } {
  const dlq = new sqs.Queue(stack, "EventsDlq", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const queue = new sqs.Queue(stack, "EventsQueue", {
    // Six times the consumer's timeout plus its batching window, as Lambda's SQS guidance advises
    // (infra/consumer-tuning.ts).
    visibilityTimeout: Duration.seconds(
      6 * CONSUMER_TIMEOUT.toSeconds() + CONSUMER_TUNING.maxBatchingWindowSeconds,
    ),
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { queue, dlq };
}

/**
 * Dossier events → the consumer's queue (routing between two retained resources lives here),
 * with the rule's own dead-letter queue.
 */
function dossierEventsRule(
  stack: Stack,
  bus: events.EventBus,
  queue: sqs.Queue,
): { rule: events.Rule; dlq: sqs.Queue } {
  // An event the bus could not put on the consumer's queue (a deleted or misconfigured queue, a
  // policy, a throttle that outlasted the retries) waits here for a redrive instead of being
  // dropped; the stateless stack alarms on its depth.
  const dlq = new sqs.Queue(stack, "EventsRuleDlq", {
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(dlq).acknowledge({
    id: "AwsSolutions-SQS3",
    reason:
      "This queue is itself the dead-letter queue of the dossier-events rule's target (EventBridge's DeadLetterConfig, which cdk-nag does not see as a redrive policy).",
  });
  // EventBridge retries a failed delivery with back-off; a day of retries (its own maximum
  // event age) rides out a regional hiccup, and only then does the event go to the DLQ.
  const rule = new events.Rule(stack, DOSSIER_EVENTS_RULE.id, {
    eventBus: bus,
    description: DOSSIER_EVENTS_RULE.description,
    eventPattern: cdkPattern(DOSSIER_EVENTS_RULE.eventPattern),
    targets: [
      new targets.SqsQueue(queue, {
        deadLetterQueue: dlq,
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
      }),
    ],
  });
  return { rule, dlq };
}

/**
 * Bounces and complaints are suppressed by SES for this configuration set and published to the
 * default bus (the only bus SES event destinations reach), where ses-feedback records them.
 */
function feedbackConfigurationSet(stack: Stack): ses.ConfigurationSet {
  const configurationSet = new ses.ConfigurationSet(stack, "ConfigurationSet", {
    suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    reputationMetrics: true,
    tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
  });
  configurationSet.addEventDestination("ToEventBridge", {
    destination: ses.EventDestination.eventBus(
      events.EventBus.fromEventBusName(stack, "DefaultBus", "default"),
    ),
    events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
  });
  configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return configurationSet;
}
