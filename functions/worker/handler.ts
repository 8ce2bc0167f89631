import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { delayedExecutorMessage } from '@windhover/aws';
import { createAwsApp, memoize } from '../shared/aws-app';
import { readEnv } from '../shared/env';
import { logger, loggerPort, metrics, metricsSink, tracer } from '../shared/powertools';

const app = memoize(() => createAwsApp(readEnv(), { logger: loggerPort, metrics: metricsSink }));
const processor = new BatchProcessor(EventType.SQS);

/**
 * The worker: SQS standard queue, records in parallel, failed ones reported
 * for redelivery. A record may also be a delayed executor message in
 * transit (FIFO queues have no per-message delay): it is forwarded to the
 * executor queue with its original id.
 */
export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { runtime, ports } = await app();
  const onRecord = async (record: SQSRecord) => {
    const forward = delayedExecutorMessage(record.body, (name) => record.messageAttributes[name]?.stringValue);
    if (forward) {
      await ports.queue.sendToExecutor([forward]);
      return;
    }
    // Not buffered: lines of a long task run show up while it runs.
    await runtime.engine.handleWorkerMessage(record.body);
  };
  return processPartialResponse(event, onRecord, processor, { context });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
