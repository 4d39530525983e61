import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { INGEST_BUCKET_LIFECYCLE_RULES, Topology } from '../topology/Topology';
import type { ProvisionedQueue } from './provisionQueues';

/**
 * Creates the ingest bucket, keeping object versions (with the topology's
 * lifecycle rules), points its upload notifications for `tenants/` at the
 * batch-ingest queue (which S3 is allowed to send to), and lets the
 * dashboard's origins POST uploads to it (CORS). Idempotent.
 */
export async function provisionBucket(s3: S3Client, sqs: SQSClient, topology: Topology, batchQueue: ProvisionedQueue): Promise<void> {
  const bucket = topology.ingestBucket;
  const exists = await s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    () => false,
  );
  if (!exists) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: INGEST_BUCKET_LIFECYCLE_RULES.map((declared) => {
          // S3's own spelling of a rule CloudFormation spells as declared.
          const { Id, Prefix, ...rule } = declared;
          if (!('ExpirationInDays' in rule)) return { ...rule, ID: Id, Filter: { Prefix } };
          const { ExpirationInDays, ...rest } = rule;
          return { ...rest, ID: Id, Filter: { Prefix }, Expiration: { Days: ExpirationInDays } };
        }),
      },
    }),
  );
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: batchQueue.url,
      Attributes: {
        // The account is the queue's own (the fifth field of its ARN).
        Policy: JSON.stringify(
          Topology.batchIngestQueuePolicy({ arn: batchQueue.arn, bucketArn: `arn:aws:s3:::${bucket}`, account: batchQueue.arn.split(':')[4] ?? '' }),
        ),
      },
    }),
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'tenant-uploads',
            QueueArn: batchQueue.arn,
            Events: [...Topology.NOTIFICATION_EVENTS],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: Topology.NOTIFICATION_PREFIX }] } },
          },
        ],
      },
    }),
  );
  const cors = topology.uploadCors<string>([]);
  if (cors.allowedOrigins.length) {
    const rule = {
      ID: 'dashboard-uploads',
      AllowedOrigins: cors.allowedOrigins,
      AllowedMethods: cors.allowedMethods,
      AllowedHeaders: cors.allowedHeaders,
      ExposeHeaders: cors.exposedHeaders,
      MaxAgeSeconds: cors.maxAgeSeconds,
    };
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [rule] } }));
  }
}
