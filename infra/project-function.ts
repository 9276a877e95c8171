import { join } from "node:path";
import { Duration, Stack, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { type BundlingOptions, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { BUNDLED_CATALOG } from "../functions/commons/env";

const ROOT = join(import.meta.dirname, "..");

export interface ProjectFunctionProps {
  /** The function's name: its composition root is functions/NAME.ts, its Lambda entry functions/lambda/NAME.ts. */
  name: string;
  description: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  logRetention: logs.RetentionDays;
  /**
   * The stage's procedure catalog as a JSON file (its path from the project's root), copied into the
   * bundle (functions/commons/env.ts) rather than the environment, which Lambda holds to 4 KB.
   */
  catalogFile?: string;
}

/**
 * How every function is bundled: ESM for Node.js 22, minified with source maps, the AWS SDK left to
 * the runtime; with the stage's catalog (a JSON file written at synth) copied beside the code
 * (functions/commons/env.ts) when it has one.
 */
export function bundlingOf(catalogFile?: string): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: "node22",
    minify: true,
    sourceMap: true,
    externalModules: ["@aws-sdk/*"],
    // Some dependencies are CommonJS and call require(): give the ESM bundle one.
    banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    forceDockerBundling: false,
    ...(catalogFile !== undefined && {
      commandHooks: {
        beforeBundling: () => [],
        beforeInstall: () => [],
        // Beside the code, where functions/commons/env.ts reads it (not on the command line:
        // a province's catalog is larger than one argument may be). The file is named from the
        // project's root, which is the input folder whether esbuild runs here or in Docker.
        afterBundling: (input: string, output: string) => [
          `cp ${shellQuoted(join(input, catalogFile))} ${shellQuoted(join(output, BUNDLED_CATALOG))}`,
        ],
      },
    }),
  };
}

/** `text` as one word of a POSIX shell command. */
const shellQuoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * Every function of the project, built one way (docs/style.md 9): ARM64, Node.js 22, ESM, minified
 * with source maps, the AWS SDK left to the runtime, an explicit log group with retention, and
 * its own role that starts with nothing but writing to that log group.
 */
export class ProjectFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, "Logs", { retention: props.logRetention });
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.name}: its log group, plus the grants its stack adds`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${this.logGroup.logGroupArn}:*`],
      }),
    );
    this.fn = new NodejsFunction(this, "Function", {
      entry: join(ROOT, "functions", "lambda", `${props.name}.ts`),
      handler: "handler",
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: props.name,
      },
      bundling: bundlingOf(props.catalogFile),
    });
    const stack = Stack.of(this);
    const logGroupId = stack.resolve(stack.getLogicalId(this.logGroup.node.defaultChild as logs.CfnLogGroup));
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
      reason:
        "Log streams are created per execution environment, so the grant names the function's own log group with :* for its streams.",
    });
    Validations.of(this.fn).acknowledge({
      id: "AwsSolutions-L1",
      reason:
        "Node.js 22 is the runtime the bundles target (esbuild's node22); the tests run on Node.js 20.19 or later (engines), with no API used that 22 lacks. Moving to a newer runtime is a deliberate upgrade, tested on it.",
    });
  }

  /** The ARN of the table's sweep index, for a grant that names it. */
  static indexArn(tableArn: string, index: string): string {
    return `${tableArn}/index/${index}`;
  }

  get region(): string {
    return Stack.of(this).region;
  }
}
