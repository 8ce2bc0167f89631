import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (lib/ is one level down). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface WindhoverFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/api/handler.ts`. */
  readonly entry: string;
  readonly serviceName: string;
  readonly logLevel: string;
  readonly logRetention: RetentionDays;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly environment?: Record<string, string>;
  readonly description?: string;
}

/**
 * Every Windhover Lambda: Node.js 22 on arm64, ESM bundle built by the local
 * esbuild (never Docker), minified with source maps, the AWS SDK v3 taken
 * from the runtime (keeps bundles small and cold starts short), X-Ray
 * tracing, Powertools settings, and a log group with the configured retention.
 */
export class WindhoverFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: WindhoverFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
    const base: NodejsFunctionProps = {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: 'Windhover',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        externalModules: ['@aws-sdk/*', '@smithy/*'],
        // Some CommonJS dependencies call require(); give the ESM bundle one.
        banner: "import { createRequire as __wh_cr } from 'node:module'; const require = __wh_cr(import.meta.url);",
      },
    };
    super(scope, id, base);
  }
}
