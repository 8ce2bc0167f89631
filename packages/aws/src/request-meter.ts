import { type AwsClients, onAwsServiceClient } from './aws-clients';

/** One AWS request as the meter saw it. */
export interface MeteredRequest {
  /** SDK client name, e.g. `DynamoDBClient`. */
  readonly service: string;
  /** Command name, e.g. `PutItemCommand`. */
  readonly operation: string;
  /** DynamoDB read/write request units consumed (from ConsumedCapacity). */
  readonly capacityUnits?: number;
}

type Handler = (args: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
interface Stack {
  add(mw: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler, options: { step: 'initialize'; name: string }): void;
}

const DYNAMO_CAPACITY_OPS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'TransactGetItemsCommand',
]);

const capacityOf = (consumed: unknown): number | undefined => {
  const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
  if (list.length === 0) return undefined;
  return list.reduce((sum: number, c: { CapacityUnits?: number }) => sum + (c.CapacityUnits ?? 0), 0);
};

/**
 * Counts the AWS requests a process makes (an SDK middleware on every
 * client), with DynamoDB's consumed capacity (it asks for
 * `ReturnConsumedCapacity: TOTAL`). Used by the cost benchmark; off in
 * production unless WINDHOVER_METER_REQUESTS is set.
 */
let meters = 0;

export class RequestMeter {
  readonly requests: MeteredRequest[] = [];
  /** The middleware's name on each client's stack (a stack refuses two middlewares of one name). */
  readonly #name = `windhoverRequestMeter${++meters}`;

  /**
   * Meters every client of `clients`: those already created and, with
   * createAwsClients' clients (created on first use), each one created later.
   * Attaching creates no client.
   */
  attach(clients: AwsClients): void {
    onAwsServiceClient(clients, (client) => {
      (client.middlewareStack as unknown as Stack).add(
        (next, context) => async (args) => {
          const operation = context.commandName ?? 'unknown';
          if (context.clientName === 'DynamoDBClient' && DYNAMO_CAPACITY_OPS.has(operation)) {
            args.input.ReturnConsumedCapacity ??= 'TOTAL';
          }
          const result = await next(args);
          const capacityUnits = capacityOf(result.output.ConsumedCapacity);
          this.requests.push({ service: context.clientName ?? 'unknown', operation, ...(capacityUnits === undefined ? {} : { capacityUnits }) });
          return result;
        },
        { step: 'initialize', name: this.#name },
      );
    });
  }

  reset(): void {
    this.requests.length = 0;
  }
}

/** The process-wide meter the functions attach to when metering is on. */
export const requestMeter = new RequestMeter();
