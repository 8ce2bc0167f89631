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

/** Builds every client once; call at cold start and reuse. */
export function createAwsClients(config: Pick<AwsConfig, 'region' | 's3ForcePathStyle' | 's3ChecksumWhenRequired'>): AwsClients {
  const region = config.region;
  const dynamo = new DynamoDBClient({ region });
  return {
    dynamo,
    doc: DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }),
    s3: new S3Client({
      region,
      forcePathStyle: config.s3ForcePathStyle ?? false,
      ...(config.s3ChecksumWhenRequired
        ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
        : {}),
    }),
    sqs: new SQSClient({ region }),
    secrets: new SecretsManagerClient({ region }),
    events: new EventBridgeClient({ region }),
    ecs: new ECSClient({ region }),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  for (const c of [clients.doc, clients.dynamo, clients.s3, clients.sqs, clients.secrets, clients.events, clients.ecs]) c.destroy();
}
