import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** The context Lambda passes to a handler (plain data; the handlers only read it). */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `req-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** An API Gateway HTTP API (payload 2.0) event, as the service builds it. */
export function httpEvent(method: string, path: string, init: { body?: string; headers?: Record<string, string>; query?: string } = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: init.query ?? '',
    headers: { host: 'api.example.com', ...(init.headers ?? {}) },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'e2e' },
      requestId: `r-${Date.now()}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: init.body !== undefined,
    ...(init.body !== undefined ? { body: Buffer.from(init.body).toString('base64') } : {}),
  };
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** SQS messages as Lambda's event source mapping hands them to a function. */
export function sqsEvent(queueUrl: string, messages: readonly Message[]): SQSEvent {
  const name = queueUrl.split('/').pop() ?? 'queue';
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          ...(m.Attributes?.MessageGroupId ? { MessageGroupId: m.Attributes.MessageGroupId } : {}),
          ...(m.Attributes?.MessageDeduplicationId ? { MessageDeduplicationId: m.Attributes.MessageDeduplicationId } : {}),
          ...(m.Attributes?.SequenceNumber ? { SequenceNumber: m.Attributes.SequenceNumber } : {}),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, { stringValue: v.StringValue, dataType: v.DataType ?? 'String' }]),
        ),
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
        awsRegion: 'us-east-1',
      }),
    ),
  };
}

/**
 * One poll of Lambda's event source mapping: receive up to 10 messages,
 * invoke the handler, delete what it did not report as failed. Returns the
 * number of messages received and the failed ids.
 */
export async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  handler: SqsHandler,
  options: { deliverTwice?: boolean } = {},
): Promise<{ received: number; failed: string[] }> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      AttributeNames: ['All'],
    }),
  );
  const messages = out.Messages ?? [];
  if (messages.length === 0) return { received: 0, failed: [] };
  const event = sqsEvent(queueUrl, messages);
  // A function error (Powertools throws when every record failed) fails the whole batch, as Lambda does.
  const invoke = async (): Promise<SQSBatchResponse> => {
    try {
      return await handler(event, lambdaContext('fn'));
    } catch {
      return { batchItemFailures: messages.map((m) => ({ itemIdentifier: m.MessageId ?? '' })) };
    }
  };
  let response = await invoke();
  // At-least-once: the same batch delivered again (e.g. the first invocation timed out after doing its work).
  if (options.deliverTwice) response = await invoke();
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId ?? ''));
  if (done.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }),
    );
  }
  return { received: messages.length, failed: [...failed] };
}
