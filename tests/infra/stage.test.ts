import { spawnSync } from "node:child_process";
import { App, type Stack } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { describe, expect, it } from "vitest";
import { main } from "../../infra/app";
import { monitorEnvironment, parseStageConfig } from "../../infra/config";
import { parseMonitorEnv } from "../../lib/contracts/config";
import { METRIC_NAMESPACE, METRICS } from "../../lib/contracts/metrics";
import { catalogProcedures, ROOT, readProjectFile } from "../helpers/fixtures";
import { infraSources, NO_BUNDLING, synthStage } from "../helpers/infra";

// What holds for the stage as a whole: cdk-nag's findings and the stage configuration. The
// resources of each stack are in stacks.test.ts.
describe("cdk-nag AwsSolutions", () => {
  it("fails the synth when a new unsuppressed finding appears", () => {
    expect(() =>
      synthStage(
        (_app, { stateless: stack }) => {
          new sqs.Queue(stack, "CarelessQueue", { encryption: sqs.QueueEncryption.UNENCRYPTED });
        },
        { bundle: false },
      ),
    ).toThrow(/AwsSolutions-SQS/);
  }, 120_000);

  it("has a written reason for every acknowledgement", () => {
    const sources = infraSources().map(readProjectFile).join("\n");
    const acks = sources.match(/acknowledge\(\{[\s\S]*?\}\)/g) ?? [];
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) expect(a).toMatch(/reason:\s*"[^"]{30,}/);
  });
});

/** cfn-lint (a Python tool, not an npm package): on the path, or missing on this machine. */
const cfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
const cfnLintMissing = cfnLint.status !== 0;
if (cfnLintMissing) console.warn("cfn-lint is not on the path: the template check is skipped");

describe("cfn-lint", () => {
  it.skipIf(cfnLintMissing)(
    "finds nothing in the deployed stage's templates (settings in .cfnlintrc.yaml)",
    () => {
      const context = JSON.parse(readProjectFile("cdk.json")).context;
      const assembly = main(new App({ context: { ...context, ...NO_BUNDLING, stage: "dev" } })).synth();
      const templates = assembly.stacks.map((s) => s.templateFullPath);
      expect(templates).toHaveLength(2);
      // From the project's root, where cfn-lint finds .cfnlintrc.yaml.
      const run = spawnSync("cfn-lint", ["--", ...templates], { encoding: "utf8", cwd: ROOT });
      expect(`${run.stdout}${run.stderr}`).toBe("");
      expect(run.status).toBe(0);
    },
    120_000,
  );
});

describe("stage configuration", () => {
  it("synthesizes the stage named in cdk.json's context", () => {
    const context = JSON.parse(readProjectFile("cdk.json")).context;
    const app = main(new App({ context: { ...context, ...NO_BUNDLING, stage: "prod" } }));
    expect(app.node.children.map((c) => c.node.id)).toEqual([
      "DossierMonitor-prod-Stateful",
      "DossierMonitor-prod-Stateless",
    ]);
    // Its alarms reach someone; a stage without alarmEmail (dev's) is warned of at synth.
    const prod = app.node.findChild("DossierMonitor-prod-Stateless") as Stack;
    Template.fromStack(prod).hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "van-hanh@ubnd.example.org",
    });
    const noEmail = Match.stringLikeRegexp("No alarmEmail");
    Annotations.fromStack(prod).hasNoWarning("*", noEmail);
    // Its address is the shipped placeholder, which is said too until it is replaced.
    Annotations.fromStack(prod).hasWarning("*", Match.stringLikeRegexp("is a placeholder"));
    const dev = main(new App({ context: { ...context, ...NO_BUNDLING, stage: "dev" } }));
    Annotations.fromStack(dev.node.findChild("DossierMonitor-dev-Stateless") as Stack).hasWarning(
      "*",
      noEmail,
    );
  });

  it("passes every setting the functions read from the stage's entry: unknown units and after-hours receipt too", () => {
    const base = { stage: "dev", senderAddress: "a@ubnd.example.org", sesIdentity: "ubnd.example.org" };
    const env = (extra: object) =>
      monitorEnvironment(parseStageConfig({ ...base, ...extra }), "dossier-monitor-dev");
    expect(env({})).toMatchObject({ UNKNOWN_UNITS: "reject" });
    expect(env({})).not.toHaveProperty("AFTER_HOURS_RECEIPT");
    expect(env({ unknownUnits: "accept", afterHoursReceipt: "as-is" })).toMatchObject({
      UNKNOWN_UNITS: "accept",
      AFTER_HOURS_RECEIPT: "as-is",
    });
    // What the functions parse it with takes it (lib/contracts/config.ts).
    expect(parseMonitorEnv(env({ unknownUnits: "accept", afterHoursReceipt: "as-is" }))).toMatchObject({
      UNKNOWN_UNITS: "accept",
      AFTER_HOURS_RECEIPT: "as-is",
    });
    // A key nothing reads is refused, not silently ignored.
    expect(() => parseStageConfig({ ...base, leadershipRecipients: [] })).toThrow(/leadershipRecipients/);
  });

  it("stops on a bad value, naming it", () => {
    expect(() => parseStageConfig({ stage: "Prod!", senderAddress: "nope", sesIdentity: "x" })).toThrow(
      /stage: .*senderAddress/s,
    );
  });

  it("stops at synth on what every function would refuse at its cold start, or Lambda at deployment, naming the stage's key", () => {
    const base = { stage: "dev", senderAddress: "a@ubnd.example.org", sesIdentity: "ubnd.example.org" };
    expect(() => parseStageConfig({ ...base, officeHours: "8h-17h" })).toThrow(
      /^stage configuration: officeHours: /,
    );
    const year = (days: object) => ({
      calendarOverride: { years: { 2027: { document: "QĐ 1/2027", ...days } } },
    });
    const override = parseStageConfig({ ...base, ...year({}) }).calendarOverride;
    expect(override).toBeDefined();
    // An impossible date, and one outside its year: accepted by the file's shape, refused by the calendar.
    const holiday = (date: string) => year({ daysOff: [date] });
    expect(() => parseStageConfig({ ...base, ...holiday("2027-02-30") })).toThrow(
      /^stage configuration: calendarOverride: .*2027-02-30/,
    );
    expect(() => parseStageConfig({ ...base, ...holiday("2028-01-02") })).toThrow(
      /^stage configuration: calendarOverride: .*2028-01-02/,
    );
    // A province's catalog is bundled, not in the environment: any size passes, and is not there.
    const procedures = catalogProcedures(2000);
    const province = parseStageConfig({ ...base, catalog: { procedures } });
    expect(province.catalog?.procedures).toHaveLength(2000);
    expect(monitorEnvironment(province, "t")).not.toHaveProperty("CATALOG");
    // A bad catalog is still named at synth, as the functions would name it.
    expect(() =>
      parseStageConfig({ ...base, catalog: { procedures: [{ ...procedures[0], days: -1 }] } }),
    ).toThrow(/^stage configuration: catalog/);
    // What stays in the environment is held to what Lambda leaves it.
    const domains = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `linh-vuc-${i}`,
        { vi: "Lĩnh vực ".repeat(8), en: "Domain ".repeat(8) },
      ]),
    );
    expect(() => parseStageConfig({ ...base, official: { domains } })).toThrow(
      /^stage configuration: the settings take \d+ bytes of each function's environment, more than the 3072 .*\(official \d+ bytes/,
    );
  });
});

describe("the stacks' sources", () => {
  it("names the project's metrics through lib/contracts/metrics.ts only", () => {
    for (const file of infraSources()) {
      const source = readProjectFile(file);
      for (const name of [METRIC_NAMESPACE, ...Object.values(METRICS)])
        expect(source, `${file}: "${name}"`).not.toContain(`"${name}"`);
    }
  });
});
