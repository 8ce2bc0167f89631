import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from './aws-config';

/** The SDK clients of one process. Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables. */
export interface AwsClients {
  readonly dynamo: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly secrets: SecretsManagerClient;
  readonly events: EventBridgeClient;
  readonly ecs: ECSClient;
}

/** A service client (the document client is not one: it sends through `dynamo`'s middleware stack). */
export type AwsServiceClient = AwsClients[Exclude<keyof AwsClients, 'doc'>];

interface Created {
  /** Service clients created so far, in creation order. */
  readonly services: AwsServiceClient[];
  doc?: DynamoDBDocumentClient;
  readonly listeners: ((client: AwsServiceClient) => void)[];
}

/** What createAwsClients has created for each clients object it returned. */
const created = new WeakMap<AwsClients, Created>();

/**
 * The process's clients, each created on first use (a property getter) and
 * then reused: a function that never talks to a service (the api never starts
 * Fargate tasks, nothing publishes without an event bus) never builds its
 * client. Call at cold start and reuse.
 */
export function createAwsClients(config: Pick<AwsConfig, 'region' | 's3ForcePathStyle' | 's3ChecksumWhenRequired'>): AwsClients {
  const region = config.region;
  const state: Created = { services: [], listeners: [] };
  const once = <T extends AwsServiceClient>(make: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        state.services.push(client);
        for (const listener of state.listeners) listener(client);
      }
      return client;
    };
  };
  const dynamo = once(() => new DynamoDBClient({ region }));
  const s3 = once(
    () =>
      new S3Client({
        region,
        forcePathStyle: config.s3ForcePathStyle ?? false,
        ...(config.s3ChecksumWhenRequired ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
      }),
  );
  const sqs = once(() => new SQSClient({ region }));
  const secrets = once(() => new SecretsManagerClient({ region }));
  const events = once(() => new EventBridgeClient({ region }));
  const ecs = once(() => new ECSClient({ region }));
  const clients: AwsClients = {
    get dynamo() {
      return dynamo();
    },
    get doc() {
      state.doc ??= DynamoDBDocumentClient.from(dynamo(), { marshallOptions: { removeUndefinedValues: true } });
      return state.doc;
    },
    get s3() {
      return s3();
    },
    get sqs() {
      return sqs();
    },
    get secrets() {
      return secrets();
    },
    get events() {
      return events();
    },
    get ecs() {
      return ecs();
    },
  };
  created.set(clients, state);
  return clients;
}

/**
 * Calls `listener` with every service client of `clients` already created and
 * with each one created later. For clients built by createAwsClients this
 * creates none; any other AwsClients object is taken as fully built.
 */
export function onAwsServiceClient(clients: AwsClients, listener: (client: AwsServiceClient) => void): void {
  const state = created.get(clients);
  if (!state) {
    for (const client of new Set([clients.dynamo, clients.s3, clients.sqs, clients.secrets, clients.events, clients.ecs])) listener(client);
    return;
  }
  for (const client of state.services) listener(client);
  state.listeners.push(listener);
}

/** Destroys the clients that exist (a client never used is not created just to be destroyed). */
export function destroyAwsClients(clients: AwsClients): void {
  const state = created.get(clients);
  if (!state) {
    for (const c of [clients.doc, clients.dynamo, clients.s3, clients.sqs, clients.secrets, clients.events, clients.ecs]) c.destroy();
    return;
  }
  state.doc?.destroy();
  for (const c of state.services) c.destroy();
}
