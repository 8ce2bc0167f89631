import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  ComparisonOperator,
  Dashboard as CwDashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRIC_NAMES } from '../functions/shared/env-names';

export interface DashboardProps {
  readonly dashboardName: string;
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  readonly executor: LambdaFunction;
  readonly queues: readonly { readonly name: string; readonly queue: Queue }[];
  readonly dlqs: readonly { readonly name: string; readonly queue: Queue }[];
  readonly table: TableV2;
  readonly httpApi: HttpApi;
  /** Alarm notifications go to this address (SNS email subscription) when set. */
  readonly alarmEmail?: string;
}

const P = Duration.minutes(1);

/** A SEARCH over one of our EMF metrics, one line per dimension value. */
const search = (metric: string, dims: string, stat: string, label: string) =>
  new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},${dims}} MetricName="${metric}"', '${stat}', 60)`,
    label,
    period: P,
    usingMetrics: {},
  });

/**
 * The CloudWatch dashboard (executions by state, durations p50/p99, task
 * runs per minute, queue depth and age, DLQ depth, Lambda errors/throttles/
 * duration, DynamoDB throttles, Git sync results) and the alarms: any message
 * in a DLQ, executor errors, API 5xx.
 */
export class Dashboard extends Construct {
  readonly dashboard: CwDashboard;
  readonly alarms: Alarm[] = [];
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Windhover alarms' });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.dashboard = new CwDashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    const d = this.dashboard;
    const fns = Object.entries(props.functions);
    const lambdaMetric = (title: string, make: (fn: LambdaFunction) => Metric) =>
      new GraphWidget({ title, width: 8, left: fns.map(([name, fn]) => make(fn).with({ label: name, period: P })) });
    const api5xx = new Metric({
      namespace: 'AWS/ApiGateway',
      metricName: '5xx',
      dimensionsMap: { ApiId: props.httpApi.apiId },
      statistic: 'Sum',
      period: P,
    });

    d.addWidgets(
      new TextWidget({ markdown: '# Windhover\nExecutions, task runs, queues, functions and storage.', width: 24, height: 1 }),
    );
    d.addWidgets(
      new GraphWidget({
        title: 'Executions started / ended by state',
        width: 8,
        left: [
          search(METRIC_NAMES.EXECUTIONS_STARTED, 'service', 'Sum', 'started'),
          search(METRIC_NAMES.EXECUTIONS_ENDED, 'service,state', 'Sum', 'ended'),
        ],
      }),
      new GraphWidget({
        title: 'Execution duration p50 / p99 (ms)',
        width: 8,
        left: [
          search(METRIC_NAMES.EXECUTION_DURATION, 'service', 'p50', 'p50'),
          search(METRIC_NAMES.EXECUTION_DURATION, 'service', 'p99', 'p99'),
        ],
      }),
      new GraphWidget({
        title: 'Task runs per minute and duration p50 / p99 (ms)',
        width: 8,
        left: [search(METRIC_NAMES.TASK_RUNS_ENDED, 'service,state', 'Sum', 'task runs')],
        right: [
          search(METRIC_NAMES.TASK_RUN_DURATION, 'service', 'p50', 'p50'),
          search(METRIC_NAMES.TASK_RUN_DURATION, 'service', 'p99', 'p99'),
        ],
      }),
    );
    d.addWidgets(
      new GraphWidget({
        title: 'Queue depth',
        width: 8,
        left: props.queues.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: P, statistic: 'Maximum' })),
      }),
      new GraphWidget({
        title: 'Age of oldest message (s)',
        width: 8,
        left: props.queues.map((q) => q.queue.metricApproximateAgeOfOldestMessage({ label: q.name, period: P, statistic: 'Maximum' })),
      }),
      new GraphWidget({
        title: 'DLQ depth',
        width: 8,
        left: props.dlqs.map((q) => q.queue.metricApproximateNumberOfMessagesVisible({ label: q.name, period: P, statistic: 'Maximum' })),
      }),
    );
    d.addWidgets(
      lambdaMetric('Lambda errors', (fn) => fn.metricErrors({ statistic: 'Sum' })),
      lambdaMetric('Lambda throttles', (fn) => fn.metricThrottles({ statistic: 'Sum' })),
      lambdaMetric('Lambda duration p99 (ms)', (fn) => fn.metricDuration({ statistic: 'p99' })),
    );
    d.addWidgets(
      new GraphWidget({
        title: 'DynamoDB throttled requests',
        width: 8,
        left: [
          new MathExpression({
            expression: `SEARCH('{AWS/DynamoDB,TableName,Operation} MetricName="ThrottledRequests" TableName="${props.table.tableName}"', 'Sum', 60)`,
            label: 'throttled',
            period: P,
            usingMetrics: {},
          }),
        ],
      }),
      new GraphWidget({
        title: 'Git sync results',
        width: 8,
        left: [search(METRIC_NAMES.GIT_SYNCS, 'service,result', 'Sum', 'git')],
      }),
      new GraphWidget({
        title: 'API requests and 5xx',
        width: 8,
        left: [
          new Metric({ namespace: 'AWS/ApiGateway', metricName: 'Count', dimensionsMap: { ApiId: props.httpApi.apiId }, statistic: 'Sum', period: P }),
          api5xx,
        ],
      }),
    );

    const alarm = (id: string, metric: Metric, description: string) => {
      const a = metric.createAlarm(this, id, {
        alarmDescription: description,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      a.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(a);
    };
    for (const q of props.dlqs) {
      alarm(`${q.name}DlqAlarm`, q.queue.metricApproximateNumberOfMessagesVisible({ period: P, statistic: 'Maximum' }), `Messages in the ${q.name} dead-letter queue`);
    }
    alarm('ExecutorErrorsAlarm', props.executor.metricErrors({ period: P, statistic: 'Sum' }), 'The executor function failed');
    alarm('Api5xxAlarm', api5xx, 'The API answered with a server error');
  }
}
