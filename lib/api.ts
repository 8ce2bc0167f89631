import { CfnOutput, Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpNoneAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WindhoverFunction } from './windhover-function';

export interface ApiProps {
  readonly logLevel: string;
  readonly logRetention: RetentionDays;
  readonly reservedConcurrency?: number;
  readonly corsOrigins?: readonly string[];
}

/** Routes that must work without credentials: Kestra's webhooks (key in the URL) and health checks. */
export const OPEN_ROUTES: readonly { path: string; methods: HttpMethod[] }[] = [
  { path: '/api/v1/{tenant}/executions/webhook/{proxy+}', methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT] },
  { path: '/api/v1/executions/webhook/{proxy+}', methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT] },
  { path: '/health', methods: [HttpMethod.GET] },
  { path: '/health/{proxy+}', methods: [HttpMethod.GET] },
];

/**
 * The HTTPS API: an API Gateway HTTP API in front of the API function (the
 * same handler as the local server). A Lambda authorizer (Basic credentials
 * or API token, cached 5 minutes per Authorization header) guards every
 * route except webhooks and health.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly fn: WindhoverFunction;
  readonly authorizerFn: WindhoverFunction;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.fn = new WindhoverFunction(this, 'Function', {
      entry: 'functions/api/handler.ts',
      serviceName: 'windhover-api',
      description: 'Windhover API (Kestra-compatible REST API)',
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      reservedConcurrentExecutions: props.reservedConcurrency,
    });
    this.authorizerFn = new WindhoverFunction(this, 'Authorizer', {
      entry: 'functions/authorizer/handler.ts',
      serviceName: 'windhover-authorizer',
      description: 'Windhover API authorizer: Basic credentials and API tokens',
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      memorySize: 256,
      timeout: Duration.seconds(5),
    });
    const authorizer = new HttpLambdaAuthorizer('Authorizer', this.authorizerFn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(5),
    });
    const integration = new HttpLambdaIntegration('Integration', this.fn);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Windhover API',
      defaultAuthorizer: authorizer,
      ...(props.corsOrigins?.length
        ? {
            corsPreflight: {
              allowOrigins: [...props.corsOrigins],
              allowMethods: [CorsHttpMethod.ANY],
              allowHeaders: ['authorization', 'content-type'],
              allowCredentials: true,
            },
          }
        : {}),
    });
    this.httpApi.addRoutes({ path: '/{proxy+}', methods: [HttpMethod.ANY], integration });
    for (const route of OPEN_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: route.methods, integration, authorizer: new HttpNoneAuthorizer() });
    }
  }

  /** `https://{id}.execute-api.{region}.amazonaws.com` (no trailing slash). */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }

  addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', { value: this.url, description: 'Windhover API base URL' });
    new CfnOutput(this, 'WebhookBaseUrl', {
      value: `${this.url}/api/v1/main/executions/webhook`,
      description: 'Append /{namespace}/{flowId}/{key} for a flow webhook trigger',
    });
  }
}
