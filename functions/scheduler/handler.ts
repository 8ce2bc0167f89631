import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { ScheduledEvent } from 'aws-lambda';
import { createAwsApp, memoize } from '../shared/aws-app';
import { readEnv } from '../shared/env';
import { logger, loggerPort, metrics, metricsSink, tracer } from '../shared/powertools';

const app = memoize(() => createAwsApp(readEnv(), { logger: loggerPort, metrics: metricsSink }));

/**
 * The scheduler tick (EventBridge, every minute): fires due long timers and
 * claims Schedule-trigger slots up to the next minute. The event's time is
 * the tick's "now", so a retried invocation claims the same slots.
 */
export const handler = middy(async (event: ScheduledEvent): Promise<void> => {
  const { runtime } = await app();
  const now = event.time ? new Date(event.time) : new Date();
  await runtime.tick(now);
  logger.info('scheduler tick done', { tick: now.toISOString() });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
