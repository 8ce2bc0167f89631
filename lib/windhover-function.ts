import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (lib/ is one level down). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Packages the code requires on first use (createRequire at run time, which
 * esbuild leaves alone) rather than at load: they stay out of index.js and
 * ship beside it as node_modules/<name>/index.js, each pre-bundled and
 * minified, so a cold start parses only what every request needs.
 * date-holidays (with moment-timezone and astronomia, ~1.4 MB) is only
 * needed when a PublicHoliday condition is evaluated; isomorphic-git (with
 * pako, ~215 KB) and its Node HTTP client only when a Git task or a Git
 * sync runs (packages/tasks/src/git/isomorphic-git-loader.ts).
 * A name may be a package subpath (`isomorphic-git/http/node`): it is built
 * into that folder, which Node resolves through its package.json `main`.
 */
export const LAZY_MODULES: readonly { readonly name: string; readonly entry: string }[] = [
  { name: 'date-holidays', entry: 'node_modules/date-holidays/lib/index.cjs' },
  { name: 'isomorphic-git', entry: 'node_modules/isomorphic-git/index.cjs' },
  { name: 'isomorphic-git/http/node', entry: 'node_modules/isomorphic-git/http/node/index.cjs' },
  // Flow validation (saving a flow) and Ion (ionToJson, Git diff files) only.
  { name: 'ajv/dist/2020', entry: 'node_modules/ajv/dist/2020.js' },
  { name: 'ion-js', entry: 'node_modules/ion-js/dist/commonjs/es6/Ion.js' },
];

/**
 * Packages the code requires at run time that are shipped as they are (copied
 * files, no npm install): jq-web (the expressions' jq) reads its .wasm next to it.
 */
export const COPIED_MODULES: readonly { readonly name: string; readonly files: readonly string[] }[] = [
  { name: 'jq-web', files: ['package.json', 'jq.js', 'jq.wasm'] },
];

/** esbuild options of a lazy module's bundle (CommonJS, like the function bundle). */
export const LAZY_MODULE_ESBUILD_ARGS = ['--bundle', '--platform=node', '--format=cjs', '--target=node22', '--minify', '--log-level=error'];

/** Shell commands that build each lazy module into `outputDir/node_modules/<name>/`. */
export function lazyModuleCommands(inputDir: string, outputDir: string): string[] {
  return LAZY_MODULES.flatMap(({ name, entry }) => [
    `mkdir -p "${outputDir}/node_modules/${name}"`,
    `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/${entry}" ${LAZY_MODULE_ESBUILD_ARGS.join(' ')} --outfile="${outputDir}/node_modules/${name}/index.js"`,
    `echo '{"name":"${name}","main":"index.js","type":"commonjs"}' > "${outputDir}/node_modules/${name}/package.json"`,
  ]);
}

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
 * Every Windhover Lambda: Node.js 22 on arm64, CommonJS bundle built by the local
 * esbuild (never Docker), minified with source maps (without sources), the AWS SDK v3 taken
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
        // CommonJS: the runtime's AWS SDK (CommonJS) then loads through require(), without the ESM
        // loader's CommonJS lexer, which measured about 25% of the cold-start import time.
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Maps without the original sources: stack traces still point at the TypeScript lines, and
        // the map Node parses at load (--enable-source-maps) is 1.8 MB instead of 5.4 MB.
        sourcesContent: false,
        mainFields: ['module', 'main'],
        externalModules: ['@aws-sdk/*', '@smithy/*', ...LAZY_MODULES.map((m) => m.name)],
        // ESM dependencies that use import.meta.url get the bundle file's URL.
        banner: "const __wh_meta_url=require('node:url').pathToFileURL(__filename).href;",
        define: { 'import.meta.url': '__wh_meta_url' },
        // jq-web (the expressions' jq) is loaded with require() at run time and reads its
        // .wasm next to it: ship those files beside the bundle (copied, no npm install).
        // The lazy modules are built beside it too.
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            ...COPIED_MODULES.flatMap(({ name, files }) => [
              `mkdir -p "${outputDir}/node_modules/${name}"`,
              ...files.map((f) => `cp "${inputDir}/node_modules/${name}/${f}" "${outputDir}/node_modules/${name}/${f}"`),
            ]),
            ...lazyModuleCommands(inputDir, outputDir),
          ],
        },
      },
    };
    super(scope, id, base);
  }
}
