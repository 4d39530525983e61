import { formatReplication } from '../cassandra/Replication';
import { loadPlatformConfig } from '../config/PlatformConfig';
import {
  BATCH_INGEST_NODE_OPTIONS,
  DEAD_LETTER_RETENTION_SECONDS,
  HTTP_FUNCTION_TIMEOUT_SECONDS,
  INGEST_BUCKET_LIFECYCLE_RULES,
  NOTIFICATIONS_PER_INVOCATION,
  QUEUE_RETENTION_SECONDS,
  STAGING_PREFIX,
  STREAM_INGEST_TIMEOUT_SECONDS,
  Topology,
  type QueueDefinition,
} from './Topology';

type CfnValue = string | number | boolean | CfnValue[] | { [key: string]: CfnValue };

/** What `serverless.yml` takes from the topology. */
export interface ServerlessTopology {
  readonly resources: { Resources: Record<string, CfnValue>; Outputs: Record<string, CfnValue> };
  readonly batchIngestEvents: CfnValue[];
  /**
   * The batch-chunk function's reserved concurrency: chunk invocations of all
   * tenants at once, at most. Its event sources (a tenant's chunk queue each)
   * are made at runtime, like the stream function's.
   */
  readonly batchChunkConcurrency: number;
  /** The batch functions' own environment (their heap limit). */
  readonly batchIngestEnvironment: Record<string, CfnValue>;
  /** The batch functions' timeout, in seconds (their queues' visibility timeout is derived from it). */
  readonly batchTimeoutSeconds: number;
  /** The stream-ingest function's timeout, in seconds (the stream queues' visibility timeout is derived from it). */
  readonly streamIngestTimeoutSeconds: number;
  /** Every other function's timeout (`provider.timeout`): the HTTP functions'. */
  readonly httpTimeoutSeconds: number;
  /** Function environment: plain values locally; references and secrets on AWS. */
  readonly environment: Record<string, CfnValue>;
  /** The operator login's own environment: the operator password. */
  readonly operatorLoginEnvironment: Record<string, CfnValue>;
  /** The operator's enable/disable function's own environment: RabbitMQ's management API and admin. */
  readonly operatorStatusEnvironment: Record<string, CfnValue>;
  readonly iamStatements: CfnValue[];
  /**
   * The HTTP API's CORS settings (`provider.httpApi.cors`): none when no origin is
   * allowed besides the API's own (same-origin calls need none), else exactly the
   * configured origins. API Gateway, and serverless offline as patched, then add
   * CORS headers for those origins only.
   */
  readonly httpApiCors: false | { [key: string]: CfnValue };
}

const BUCKET_LOGICAL_ID = 'IngestBucket';

function queueResources(queue: QueueDefinition): Record<string, CfnValue> {
  const dlqId = `${queue.logicalId}DeadLetter`;
  return {
    [dlqId]: { Type: 'AWS::SQS::Queue', Properties: { QueueName: queue.deadLetterName, MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS } },
    [queue.logicalId]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: queue.name,
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        MessageRetentionPeriod: QUEUE_RETENTION_SECONDS,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: queue.maxReceiveCount },
      },
    },
  };
}

/**
 * Renders the topology for `serverless.yml`: the ingest bucket with its
 * upload notification, the batch queues and dead-letter queues, the batch
 * function's event source, the environment and IAM permissions. Locally
 * (`AWS_ENDPOINT_URL` set) the environment holds the local endpoints; on AWS it
 * references the stack's own resources and secrets.
 *
 * The tenants' stream queues and the stream function's event sources are not in
 * the stack: tenants are data, added, disabled and removed at runtime with no
 * deploy, so `tenants provision` makes them (and locally the offline pollers
 * follow the registry). The functions may use any queue of the stage's stream
 * prefix.
 *
 * @example
 * const rendered = renderServerlessTopology('dev', process.env);
 */
export function renderServerlessTopology(stage: string, env: NodeJS.ProcessEnv): ServerlessTopology {
  const local = Boolean(env.AWS_ENDPOINT_URL);
  const config = loadPlatformConfig({ ...env, MYSIMBDP_STAGE: stage, AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL || undefined });
  const topology = new Topology(config);
  const batchQueue = topology.batchIngestQueue;
  const bucketName = local ? config.ingestBucket : { 'Fn::Sub': `mysimbdp-${stage}-ingest-\${AWS::AccountId}-\${AWS::Region}` };
  const bucketArn = local ? `arn:aws:s3:::${config.ingestBucket}` : { 'Fn::Sub': `arn:aws:s3:::mysimbdp-${stage}-ingest-\${AWS::AccountId}-\${AWS::Region}` };

  const uploadCors = topology.uploadCors<CfnValue>(local ? [] : [{ 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com' }]);

  const Resources: Record<string, CfnValue> = {
    ...queueResources(batchQueue),
    BatchIngestQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: batchQueue.logicalId }],
        PolicyDocument: Topology.batchIngestQueuePolicy<CfnValue>({
          arn: { 'Fn::GetAtt': [batchQueue.logicalId, 'Arn'] },
          bucketArn,
          account: { Ref: 'AWS::AccountId' },
        }),
      },
    },
    [BUCKET_LOGICAL_ID]: {
      Type: 'AWS::S3::Bucket',
      DependsOn: ['BatchIngestQueuePolicy'],
      Properties: {
        BucketName: bucketName,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        // Versions: an upload replayed over an object being ingested cannot change what is read.
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: [...INGEST_BUCKET_LIFECYCLE_RULES] },
        // The dashboard, served by the stack's HTTP API, uploads with presigned POSTs from the API's origin.
        ...(uploadCors.allowedOrigins.length
          ? {
              CorsConfiguration: {
                CorsRules: [
                  {
                    Id: 'dashboard-uploads',
                    AllowedOrigins: uploadCors.allowedOrigins,
                    AllowedMethods: uploadCors.allowedMethods,
                    AllowedHeaders: uploadCors.allowedHeaders,
                    ExposedHeaders: uploadCors.exposedHeaders,
                    MaxAge: uploadCors.maxAgeSeconds,
                  },
                ],
              },
            }
          : {}),
        NotificationConfiguration: {
          QueueConfigurations: Topology.NOTIFICATION_EVENTS.map((event) => ({
            Event: event,
            Queue: { 'Fn::GetAtt': [batchQueue.logicalId, 'Arn'] },
            Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: Topology.NOTIFICATION_PREFIX }] } },
          })),
        },
      },
    },
  };

  const Outputs: Record<string, CfnValue> = {
    IngestBucketName: { Value: { Ref: BUCKET_LOGICAL_ID } },
    BatchIngestQueueUrl: { Value: { Ref: batchQueue.logicalId } },
  };

  const secret = (key: string): string => `{{resolve:secretsmanager:mysimbdp/${stage}:SecretString:${key}}}`;
  // Settings an operator may change at deploy time, passed on as given.
  const tuning: Record<string, CfnValue> = Object.fromEntries(
    [
      'MYSIMBDP_WRITE_CONCURRENCY',
      'MYSIMBDP_CHUNK_SIZE',
      'MYSIMBDP_PLAN_RANGE_CHUNKS',
      'MYSIMBDP_CHUNK_CONCURRENCY',
      'MYSIMBDP_BATCH_TIMEOUT_SECONDS',
      'MYSIMBDP_TOKEN_TTL_SECONDS',
      'MYSIMBDP_DEVICE_TOKEN_TTL_SECONDS',
      'MYSIMBDP_UPLOAD_URL_TTL_SECONDS',
      'MYSIMBDP_TENANT_CACHE_SECONDS',
      'MYSIMBDP_ALLOWED_ORIGINS',
      'MYSIMBDP_MAX_FAILED_LOGINS',
      'MYSIMBDP_LOCKOUT_WINDOW_SECONDS',
      'MYSIMBDP_MAX_FAILED_LOGINS_PER_SOURCE',
      'MYSIMBDP_MAX_FAILED_LOGINS_PER_TENANT',
      'MYSIMBDP_MAX_CONCURRENT_LOGINS_PER_SOURCE',
    ].flatMap((name) => (env[name] ? [[name, env[name]]] : [])),
  );
  const common: Record<string, CfnValue> = {
    MYSIMBDP_STAGE: stage,
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_LOG_LEVEL: env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
    ...tuning,
  };
  const environment: Record<string, CfnValue> = local
    ? {
        ...common,
        MYSIMBDP_INGEST_BUCKET: config.ingestBucket,
        CASSANDRA_CONTACT_POINTS: config.cassandra.contactPoints.join(','),
        CASSANDRA_LOCAL_DC: config.cassandra.localDataCenter,
        ...(config.cassandra.username ? { CASSANDRA_USERNAME: config.cassandra.username, CASSANDRA_PASSWORD: config.cassandra.password ?? '' } : {}),
        AMQP_URL: config.amqp.url,
        AMQP_USERNAME: config.amqp.username,
        AMQP_PASSWORD: config.amqp.password,
        MYSIMBDP_TOKEN_SECRET: config.auth.tokenSecret,
      }
    : {
        ...common,
        MYSIMBDP_INGEST_BUCKET: { Ref: BUCKET_LOGICAL_ID },
        CASSANDRA_CONTACT_POINTS: config.cassandra.contactPoints.join(','),
        CASSANDRA_LOCAL_DC: config.cassandra.localDataCenter,
        CASSANDRA_USERNAME: config.cassandra.username ?? '',
        CASSANDRA_PASSWORD: secret('cassandraPassword'),
        CASSANDRA_REPLICATION: formatReplication(config.cassandra.replication),
        AMQP_URL: config.amqp.url,
        AMQP_USERNAME: config.amqp.username,
        AMQP_PASSWORD: secret('amqpPlatformPassword'),
        MYSIMBDP_TOKEN_SECRET: secret('tokenSecret'),
      };

  const operatorLoginEnvironment: Record<string, CfnValue> = {
    MYSIMBDP_OPERATOR_PASSWORD: local ? config.auth.operatorPassword : secret('operatorPassword'),
  };
  const operatorStatusEnvironment: Record<string, CfnValue> = {
    RABBITMQ_MANAGEMENT_URL: config.amqp.managementUrl,
    RABBITMQ_ADMIN_USERNAME: config.amqp.adminUsername,
    RABBITMQ_ADMIN_PASSWORD: local ? config.amqp.adminPassword : secret('rabbitAdminPassword'),
  };

  const queueArns: CfnValue[] = [batchQueue].flatMap((queue) => [
    { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
    { 'Fn::GetAtt': [`${queue.logicalId}DeadLetter`, 'Arn'] },
  ]);
  // Every tenant's stream and chunk queues and their dead-letter queues, made at runtime.
  const tenantQueueArns: CfnValue[] = [topology.streamQueuePrefix, topology.chunkQueuePrefix].map((prefix) => ({
    'Fn::Sub': `arn:aws:sqs:\${AWS::Region}:\${AWS::AccountId}:${prefix}*`,
  }));
  const iamStatements: CfnValue[] = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      // The tenants' objects, and what the platform stages for an ingestion.
      Resource: [Topology.NOTIFICATION_PREFIX, STAGING_PREFIX].map((prefix) => ({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [BUCKET_LOGICAL_ID, 'Arn'] }, `/${prefix}*`]],
      })),
    },
    { Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListBucketVersions'], Resource: { 'Fn::GetAtt': [BUCKET_LOGICAL_ID, 'Arn'] } },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: [...queueArns, ...tenantQueueArns],
    },
    // The stream and chunk functions' event sources poll the tenants' queues with the functions' role.
    { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: tenantQueueArns },
  ];

  // Up to ten notifications per invocation, taken in at once: an intake is a few reads and writes (the file's work
  // waits in its tenant's chunk queue), so that a flood of one tenant's files clears the shared queue quickly.
  const batchEvent = (queue: QueueDefinition): CfnValue => ({
    sqs: {
      arn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
      batchSize: NOTIFICATIONS_PER_INVOCATION,
      functionResponseType: 'ReportBatchItemFailures',
    },
  });
  return {
    resources: { Resources, Outputs },
    batchIngestEvents: [batchEvent(batchQueue)],
    batchChunkConcurrency: config.batch.chunkConcurrency,
    batchTimeoutSeconds: topology.batchTimeoutSeconds,
    streamIngestTimeoutSeconds: STREAM_INGEST_TIMEOUT_SECONDS,
    httpTimeoutSeconds: HTTP_FUNCTION_TIMEOUT_SECONDS,
    batchIngestEnvironment: { NODE_OPTIONS: BATCH_INGEST_NODE_OPTIONS },
    environment,
    operatorLoginEnvironment,
    operatorStatusEnvironment,
    iamStatements,
    httpApiCors: config.allowedOrigins.length
      ? {
          allowedOrigins: config.allowedOrigins,
          allowedMethods: ['GET', 'POST'],
          allowedHeaders: ['Content-Type', 'Authorization'],
          exposedResponseHeaders: ['Retry-After'],
          maxAge: 600,
        }
      : false,
  };
}
