import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { WindhoverFunction } from './windhover-function';

export interface SchedulerProps {
  readonly logLevel: string;
  readonly logRetention: RetentionDays;
}

/**
 * The scheduler: an EventBridge rule fires every minute and the scheduler
 * function claims the Schedule-trigger slots up to the next minute (conditional
 * writes make an overlapping or retried tick harmless) and fires due timers.
 */
export class Scheduler extends Construct {
  readonly fn: WindhoverFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: SchedulerProps) {
    super(scope, id);
    this.fn = new WindhoverFunction(this, 'Function', {
      entry: 'functions/scheduler/handler.ts',
      serviceName: 'windhover-scheduler',
      description: 'Windhover scheduler tick: Schedule triggers and long timers',
      logLevel: props.logLevel,
      logRetention: props.logRetention,
      timeout: Duration.seconds(55),
    });
    this.rule = new Rule(this, 'Tick', {
      description: 'Windhover scheduler tick, every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
    });
    this.rule.addTarget(new LambdaTarget(this.fn, { retryAttempts: 2 }));
  }
}
