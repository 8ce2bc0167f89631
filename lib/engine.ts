import { Duration } from 'aws-cdk-lib';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';
import { WindhoverFunction } from './windhover-function';

export interface EngineProps {
  readonly namePrefix: string;
  readonly logLevel: string;
  readonly logRetention: RetentionDays;
  readonly executorReservedConcurrency?: number;
  readonly workerReservedConcurrency?: number;
  readonly workerTimeout?: Duration;
  readonly workerMemorySize?: number;
}

/**
 * The engine: a FIFO executor queue (MessageGroupId = execution id, high
 * throughput mode, dedup per group) and a standard worker queue, each with a
 * dead-letter queue after 5 receives, and the executor and worker functions
 * that consume them with partial batch responses.
 */
export class Engine extends Construct {
  readonly executorQueue: Queue;
  readonly executorDlq: Queue;
  readonly workerQueue: Queue;
  readonly workerDlq: Queue;
  readonly executor: WindhoverFunction;
  readonly worker: WindhoverFunction;

  constructor(scope: Construct, id: string, props: EngineProps) {
    super(scope, id);
    const workerTimeout = props.workerTimeout ?? Duration.minutes(15);
    this.executorDlq = new Queue(this, 'ExecutorDlq', {
      queueName: `${props.namePrefix}-executor-dlq.fifo`,
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.executorQueue = new Queue(this, 'ExecutorQueue', {
      queueName: `${props.namePrefix}-executor.fifo`,
      fifo: true,
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      // Six times the function timeout, as AWS recommends for Lambda event sources.
      visibilityTimeout: Duration.minutes(3),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.executorDlq, maxReceiveCount: 5 },
    });
    this.workerDlq = new Queue(this, 'WorkerDlq', {
      queueName: `${props.namePrefix}-worker-dlq`,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.workerQueue = new Queue(this, 'WorkerQueue', {
      queueName: `${props.namePrefix}-worker`,
      visibilityTimeout: Duration.seconds(workerTimeout.toSeconds() * 6),
      receiveMessageWaitTime: Duration.seconds(20),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.workerDlq, maxReceiveCount: 5 },
    });

    this.executor = new WindhoverFunction(this, 'Executor', {
      entry: 'functions/executor/handler.ts',
      serviceName: 'windhover-executor',
      description: 'Windhover executor: applies execution events in order, one execution at a time',
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      memorySize: 1024,
      timeout: Duration.seconds(30),
      reservedConcurrentExecutions: props.executorReservedConcurrency,
    });
    this.executor.addEventSource(
      new SqsEventSource(this.executorQueue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    this.worker = new WindhoverFunction(this, 'Worker', {
      entry: 'functions/worker/handler.ts',
      serviceName: 'windhover-worker',
      description: 'Windhover worker: runs task runs that do I/O',
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      memorySize: props.workerMemorySize ?? 1024,
      timeout: workerTimeout,
      reservedConcurrentExecutions: props.workerReservedConcurrency,
    });
    this.worker.addEventSource(
      new SqsEventSource(this.workerQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
      }),
    );
    for (const fn of [this.executor, this.worker]) this.configureSendMessages(fn);
  }

  /** Lets a function send to both queues (the effect dispatcher) and tells it their URLs. */
  grantSendMessages(grantee: IGrantable): void {
    this.executorQueue.grantSendMessages(grantee);
    this.workerQueue.grantSendMessages(grantee);
  }

  configureSendMessages(fn: LambdaFunction): void {
    this.grantSendMessages(fn);
    fn.addEnvironment(ENV_NAMES.EXECUTOR_QUEUE_URL, this.executorQueue.queueUrl);
    fn.addEnvironment(ENV_NAMES.WORKER_QUEUE_URL, this.workerQueue.queueUrl);
  }
}
