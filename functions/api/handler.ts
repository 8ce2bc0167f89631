import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAwsApp, memoize } from '../shared/aws-app';
import { readEnv } from '../shared/env';
import { logger, loggerPort, metrics, metricsSink, tracer } from '../shared/powertools';
import { toApiGatewayResult, toApiRequest } from './api-gateway-event';

const app = memoize(() => createAwsApp(readEnv(), { logger: loggerPort, metrics: metricsSink }));

/** API Gateway HTTP API → the shared Kestra-compatible API handler. */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { runtime } = await app();
  return toApiGatewayResult(await runtime.handler(toApiRequest(event)));
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
