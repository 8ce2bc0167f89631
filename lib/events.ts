import { Stack } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';

/** The bus that carries execution events (source `windhover`) for users' own rules. */
export class Events extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: { readonly busName: string }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
  }

  /**
   * PutEvents on this bus only, and ListRules: the publisher sends an event
   * only while the bus has a rule (every PutEvents entry is billed, matched
   * or not). ListRules has no resource type in IAM (Resource must be `*`), so
   * it is the only action of its statement and is limited to the stack's
   * Region with the global `aws:RequestedRegion` condition key.
   */
  configurePutEvents(fn: LambdaFunction): void {
    this.bus.grantPutEventsTo(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['events:ListRules'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(this).region } },
      }),
    );
    fn.addEnvironment(ENV_NAMES.EVENT_BUS_NAME, this.bus.eventBusName);
  }
}
