import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAwsApp, memoize } from '../shared/aws-app';
import { readEnv } from '../shared/env';
import { METRIC_NAMES } from '../shared/env-names';
import { logger, loggerPort, metrics, metricsSink, tracer } from '../shared/powertools';

const app = memoize(() => createAwsApp(readEnv(), { logger: loggerPort, metrics: metricsSink, bufferLogs: true }));
const processor = new SqsFifoPartialProcessorAsync();

/**
 * The executor: SQS FIFO (one message group per execution). Records of a
 * group are applied in order; after a failure the rest of that group is
 * reported failed too (skipGroupOnError) so SQS redelivers them in order,
 * while other executions in the batch go on.
 */
export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { runtime, ports } = await app();
  const onRecord = async (record: SQSRecord) => {
    logger.appendKeys({ executionId: record.attributes.MessageGroupId });
    try {
      await runtime.engine.handleExecutorMessage(record.body);
    } finally {
      // One write for every line the step's inline tasks logged.
      await ports.logs.flush();
    }
    metrics.addMetric(METRIC_NAMES.EXECUTOR_MESSAGES, MetricUnit.Count, 1);
  };
  return processPartialResponse(event, onRecord, processor, { context, skipGroupOnError: true });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
