import { loadPlatformConfig } from '../config/PlatformConfig';
import type { TenantProfile } from '../tenants/TenantProfile';
import { BATCH_INGEST_NODE_OPTIONS, Topology, type QueueDefinition } from './Topology';

type CfnValue = string | number | boolean | CfnValue[] | { [key: string]: CfnValue };

/** What `serverless.yml` takes from the topology. */
export interface ServerlessTopology {
  readonly resources: { Resources: Record<string, CfnValue>; Outputs: Record<string, CfnValue> };
  /** One SQS event per tenant stream queue, for the stream-ingest function. */
  readonly streamIngestEvents: CfnValue[];
  readonly batchIngestEvents: CfnValue[];
  /** The batch-ingest function's own environment (its heap limit). */
  readonly batchIngestEnvironment: Record<string, CfnValue>;
  /** Function environment: plain values locally; references and secrets on AWS. */
  readonly environment: Record<string, CfnValue>;
  /** The operator login's own environment: the operator password. */
  readonly operatorLoginEnvironment: Record<string, CfnValue>;
  /** The operator's enable/disable function's own environment: RabbitMQ's management API and admin. */
  readonly operatorStatusEnvironment: Record<string, CfnValue>;
  readonly iamStatements: CfnValue[];
}

const BUCKET_LOGICAL_ID = 'IngestBucket';

function queueResources(queue: QueueDefinition): Record<string, CfnValue> {
  const dlqId = `${queue.logicalId}DeadLetter`;
  return {
    [dlqId]: { Type: 'AWS::SQS::Queue', Properties: { QueueName: queue.deadLetterName, MessageRetentionPeriod: 14 * 24 * 3600 } },
    [queue.logicalId]: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: queue.name,
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        MessageRetentionPeriod: 4 * 24 * 3600,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: queue.maxReceiveCount },
      },
    },
  };
}

/**
 * Renders the topology for `serverless.yml`: the ingest bucket with its
 * upload notification, the queues and dead-letter queues, the event sources of
 * the two ingest functions, their environment and IAM permissions. Locally
 * (`AWS_ENDPOINT_URL` set) the environment holds the local endpoints; on AWS it
 * references the stack's own resources and secrets.
 *
 * @example
 * const rendered = renderServerlessTopology('dev', process.env, profiles);
 */
export function renderServerlessTopology(stage: string, env: NodeJS.ProcessEnv, tenants: readonly TenantProfile[]): ServerlessTopology {
  const local = Boolean(env.AWS_ENDPOINT_URL);
  const config = loadPlatformConfig({ ...env, MYSIMBDP_STAGE: stage, AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL || undefined });
  const topology = new Topology(config);
  const batchQueue = topology.batchIngestQueue;
  const streamQueues = tenants.map((profile) => ({ profile, queue: topology.streamQueue(profile.tenant, profile) }));
  const bucketName = local ? config.ingestBucket : { 'Fn::Sub': `mysimbdp-${stage}-ingest-\${AWS::AccountId}-\${AWS::Region}` };
  const bucketArn = local ? `arn:aws:s3:::${config.ingestBucket}` : { 'Fn::Sub': `arn:aws:s3:::mysimbdp-${stage}-ingest-\${AWS::AccountId}-\${AWS::Region}` };

  const uploadCors = topology.uploadCors<CfnValue>(local ? [] : [{ 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com' }]);

  const Resources: Record<string, CfnValue> = {
    ...queueResources(batchQueue),
    ...Object.assign({}, ...streamQueues.map(({ queue }) => queueResources(queue))),
    BatchIngestQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [{ Ref: batchQueue.logicalId }],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: { 'Fn::GetAtt': [batchQueue.logicalId, 'Arn'] },
              Condition: { ArnLike: { 'aws:SourceArn': bucketArn }, StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ],
        },
      },
    },
    [BUCKET_LOGICAL_ID]: {
      Type: 'AWS::S3::Bucket',
      DependsOn: ['BatchIngestQueuePolicy'],
      Properties: {
        BucketName: bucketName,
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
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
  const environment: Record<string, CfnValue> = local
    ? {
        MYSIMBDP_INGEST_BUCKET: config.ingestBucket,
        CASSANDRA_CONTACT_POINTS: config.cassandra.contactPoints.join(','),
        CASSANDRA_LOCAL_DC: config.cassandra.localDataCenter,
        AMQP_URL: config.amqp.url,
        AMQP_USERNAME: config.amqp.username,
        AMQP_PASSWORD: config.amqp.password,
        MYSIMBDP_TOKEN_SECRET: config.auth.tokenSecret,
        ...(env.MYSIMBDP_WRITE_CONCURRENCY ? { MYSIMBDP_WRITE_CONCURRENCY: env.MYSIMBDP_WRITE_CONCURRENCY } : {}),
      }
    : {
        MYSIMBDP_INGEST_BUCKET: { Ref: BUCKET_LOGICAL_ID },
        CASSANDRA_CONTACT_POINTS: config.cassandra.contactPoints.join(','),
        CASSANDRA_LOCAL_DC: config.cassandra.localDataCenter,
        CASSANDRA_USERNAME: config.cassandra.username ?? '',
        CASSANDRA_PASSWORD: secret('cassandraPassword'),
        CASSANDRA_REPLICATION: JSON.stringify(config.cassandra.replication),
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

  const queueArns: CfnValue[] = [batchQueue, ...streamQueues.map(({ queue }) => queue)].map((queue) => ({ 'Fn::GetAtt': [queue.logicalId, 'Arn'] }));
  const deadLetterArns: CfnValue[] = streamQueues.map(({ queue }) => ({ 'Fn::GetAtt': [`${queue.logicalId}DeadLetter`, 'Arn'] }));
  const iamStatements: CfnValue[] = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [BUCKET_LOGICAL_ID, 'Arn'] }, '/tenants/*']] },
    },
    { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: { 'Fn::GetAtt': [BUCKET_LOGICAL_ID, 'Arn'] } },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage', 'sqs:GetQueueUrl', 'sqs:GetQueueAttributes', 'sqs:ChangeMessageVisibility'],
      Resource: [...queueArns, ...deadLetterArns],
    },
  ];

  return {
    resources: { Resources, Outputs },
    batchIngestEvents: [
      {
        sqs: {
          arn: { 'Fn::GetAtt': [batchQueue.logicalId, 'Arn'] },
          batchSize: 1,
          functionResponseType: 'ReportBatchItemFailures',
          // Benchmarks run the function in their own process, to measure its memory as Lambda does.
          ...(local && env.MYSIMBDP_OFFLINE_BATCH_INGEST === 'off' ? { enabled: false } : {}),
        },
      },
    ],
    streamIngestEvents: streamQueues.map(({ profile, queue }) => ({
      sqs: {
        arn: { 'Fn::GetAtt': [queue.logicalId, 'Arn'] },
        batchSize: profile.stream.batchSize,
        maximumBatchingWindow: profile.stream.batchWindowSeconds,
        functionResponseType: 'ReportBatchItemFailures',
      },
    })),
    batchIngestEnvironment: { NODE_OPTIONS: BATCH_INGEST_NODE_OPTIONS },
    environment,
    operatorLoginEnvironment,
    operatorStatusEnvironment,
    iamStatements,
  };
}
