import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';

/** The bus that carries execution events (source `windhover`) for flow triggers and users' own rules. */
export class Events extends Construct {
  readonly bus: EventBus;

  constructor(scope: Construct, id: string, props: { readonly busName: string }) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
  }

  configurePutEvents(fn: LambdaFunction): void {
    this.bus.grantPutEventsTo(fn);
    fn.addEnvironment(ENV_NAMES.EVENT_BUS_NAME, this.bus.eventBusName);
  }
}
