import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ENV_NAMES } from '../functions/shared/env-names';
import { TABLE_SCHEMA } from '@windhover/aws';

export interface StorageProps {
  readonly tableName?: string;
  readonly bucketName?: string;
  readonly removalPolicy: RemovalPolicy;
  /** Days to keep execution files in S3 (internal storage); undefined keeps them. */
  readonly storageRetentionDays?: number;
  readonly logRetentionDays?: number;
}

/**
 * The single DynamoDB table (on-demand, point-in-time recovery, TTL) and the
 * S3 bucket (private, encrypted, TLS only, lifecycle rules) that hold every
 * flow, execution, log, trigger, KV entry and file.
 */
export class Storage extends Construct {
  readonly table: TableV2;
  readonly bucket: Bucket;
  private readonly logRetentionDays?: number;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.logRetentionDays = props.logRetentionDays;
    this.table = new TableV2(this, 'Table', {
      ...(props.tableName ? { tableName: props.tableName } : {}),
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      removalPolicy: props.removalPolicy,
      globalSecondaryIndexes: TABLE_SCHEMA.indexes.map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...i.projectedAttributes],
      })),
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...(props.bucketName ? { bucketName: props.bucketName } : {}),
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(props.storageRetentionDays
          ? [{ id: 'expire-execution-files', prefix: 'storage/', expiration: Duration.days(props.storageRetentionDays) }]
          : []),
        ...(props.logRetentionDays
          ? [{ id: 'expire-large-logs', prefix: '_repository/logs/', expiration: Duration.days(props.logRetentionDays) }]
          : []),
        { id: 'jobs-scratch', prefix: 'jobs/', expiration: Duration.days(7) },
      ],
    });
  }

  /** Read and write every item and object (the engine functions). */
  grantReadWriteData(grantee: IGrantable): void {
    this.table.grantReadWriteData(grantee);
    this.bucket.grantReadWrite(grantee);
  }

  /** Grants read/write and sets the table, bucket and retention variables. */
  configureReadWriteData(fn: LambdaFunction): void {
    this.grantReadWriteData(fn);
    fn.addEnvironment(ENV_NAMES.TABLE_NAME, this.table.tableName);
    fn.addEnvironment(ENV_NAMES.BUCKET_NAME, this.bucket.bucketName);
    if (this.logRetentionDays) fn.addEnvironment(ENV_NAMES.LOG_RETENTION_DAYS, String(this.logRetentionDays));
  }
}
