import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAwsApp, memoize } from '../shared/aws-app';
import { readEnv } from '../shared/env';
import { logger, loggerPort, metrics, metricsSink, tracer } from '../shared/powertools';
import { toApiGatewayResult, toApiRequest } from './api-gateway-event';
import { collectStream } from './collect-stream';

const app = memoize(() => createAwsApp(readEnv(), { logger: loggerPort, metrics: metricsSink }));

/** API Gateway HTTP API → the shared Kestra-compatible API handler. */
export const handler = middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
  const { runtime } = await app();
  // API Gateway answers within 30 s: a streamed answer (follow) sends what it has after 25 s.
  return toApiGatewayResult(await collectStream(await runtime.handler(toApiRequest(event)), 25_000));
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
