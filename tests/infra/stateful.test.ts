import { App, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { StatefulStack } from "../../infra/stateful-stack";
import { createTableInput, TABLE } from "../../lib/adapters/dynamodb/table";
import { DOSSIER_EVENTS_RULE } from "../../lib/contracts/bus";
import { renderBusSchemas } from "../../lib/domain/events/json-schema";
import { DossierEventSchema } from "../../lib/domain/events/schema";
import { readProjectFile } from "../helpers/fixtures";
import { logicalId } from "../helpers/infra";

// The stateful stack on its own (no function to bundle, so its synth is quick), with cdk-nag: the
// data and the bus. What it shares with the stateless stack is in stacks.test.ts.
let stateful: Template;
beforeAll(() => {
  const app = new App();
  const stack = new StatefulStack(app, "DossierMonitor-test-Stateful");
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  stateful = Template.fromStack(stack);
});

describe("the stateful stack on its own", () => {
  it("builds the table from the repository's description, retained, with recovery and protection", () => {
    const local = createTableInput("x");
    stateful.hasResource("AWS::DynamoDB::GlobalTable", {
      DeletionPolicy: "Retain",
      Properties: Match.objectLike({
        KeySchema: local.KeySchema,
        AttributeDefinitions: Match.arrayWith(local.AttributeDefinitions.map((a) => Match.objectLike(a))),
        GlobalSecondaryIndexes: local.GlobalSecondaryIndexes.map((g) =>
          Match.objectLike({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }),
        ),
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      }),
    });
  });

  it("routes dossier events to the consumer's queue with the pattern lib/contracts/bus.ts defines", () => {
    stateful.hasResourceProperties("AWS::Events::Rule", { EventPattern: DOSSIER_EVENTS_RULE.eventPattern });
    stateful.hasResourceProperties("AWS::SQS::Queue", {
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
    stateful.hasResourceProperties("AWS::Events::Archive", { RetentionDays: 365 });
    // Kept when the stack goes, as the bus and the table are.
    stateful.hasResource("AWS::Events::Archive", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
  });

  it("gives the bus → queue target a retry policy and a dead-letter queue of its own, encrypted, TLS only", () => {
    const dlqId = logicalId(stateful, "AWS::SQS::Queue", "EventsRuleDlq");
    stateful.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: DOSSIER_EVENTS_RULE.eventPattern,
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: { "Fn::GetAtt": [dlqId, "Arn"] } },
        }),
      ],
    });
    expect(stateful.toJSON().Resources[dlqId]).toMatchObject({
      DeletionPolicy: "Retain",
      Properties: { SqsManagedSseEnabled: true },
    });
    const policies = Object.values(stateful.findResources("AWS::SQS::QueuePolicy")).filter((p) =>
      JSON.stringify(p.Properties.Queues).includes(dlqId),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
    // TLS only, and the bus may send to it only for this rule.
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": expect.anything() } },
      }),
    );
  });

  it("keeps an SES configuration set that suppresses bounces and complaints and reports them", () => {
    stateful.hasResourceProperties("AWS::SES::ConfigurationSet", {
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    stateful.hasResourceProperties("AWS::SES::ConfigurationSetEventDestination", {
      EventDestination: Match.objectLike({ MatchingEventTypes: ["bounce", "complaint"] }),
    });
  });

  it("registers one draft-4 schema per event type of the contract, rendered from the same zod", () => {
    const registryId = logicalId(stateful, "AWS::EventSchemas::Registry", "SchemaRegistry");
    const schemas = Object.values(stateful.findResources("AWS::EventSchemas::Schema")).map(
      (r) => r.Properties as { SchemaName: string; Type: string; Content: string; RegistryName: unknown },
    );
    const types = DossierEventSchema.def.options.map((o) => o.shape.type.def.values[0]);
    expect(schemas.map((s) => s.SchemaName).sort()).toEqual([...types].sort());
    const rendered = renderBusSchemas();
    for (const schema of schemas) {
      expect(schema.Type).toBe("JSONSchemaDraft4");
      expect(schema.RegistryName).toEqual({ "Fn::GetAtt": [registryId, "RegistryName"] });
      expect(schema.Content).toBe(rendered[schema.SchemaName]);
      // The same shape as the committed 2020-12 schema of events/schemas/, only the dialect differs.
      const content = JSON.parse(schema.Content);
      const committed = JSON.parse(readProjectFile(`events/schemas/${schema.SchemaName}.schema.json`));
      expect(content.$schema).toBe("http://json-schema.org/draft-04/schema#");
      expect(content.title).toBe(committed.title);
      expect(content.required).toEqual(committed.required);
      expect(Object.keys(content.properties)).toEqual(Object.keys(committed.properties));
      expect(content.properties.type).toEqual({ type: "string", enum: [schema.SchemaName] });
      // Free text that may name people is left out of what a bus producer is told to send.
      const data = Object.keys(content.properties.data.properties ?? {});
      const committedData = Object.keys(committed.properties.data.properties ?? {});
      expect(data).toEqual(committedData.filter((f) => f !== "reason"));
    }
    const withReason = ["dossier.supplement_requested", "dossier.withdrawn"];
    for (const type of withReason)
      expect(
        Object.keys(
          JSON.parse(readProjectFile(`events/schemas/${type}.schema.json`)).properties.data.properties,
        ),
      ).toContain("reason");
  });
});
