import { INGEST_EXCHANGE } from '../amqp/ingestExchange';
import { tenantAmqpUser } from '../amqp/tenantAmqpUser';
import type { PlatformConfig } from '../config/PlatformConfig';
import type { TenantProfile } from '../tenants/TenantProfile';

/** An SQS queue and its dead-letter queue. */
export interface QueueDefinition {
  /** Logical id, used as the CloudFormation resource name. */
  readonly logicalId: string;
  readonly name: string;
  readonly deadLetterName: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  /** The tenant whose queue it is; `undefined` for the shared batch-ingest queue. */
  readonly tenant: string | undefined;
}

/** The RabbitMQ objects of one stage. */
export interface AmqpTopology {
  readonly vhost: string;
  /** Topic exchange tenants publish to, with their tenant id as routing key. */
  readonly exchange: string;
  /** Where messages the bridge cannot forward (too large) are dead-lettered. */
  readonly deadLetterExchange: string;
  /** Per tenant: its queues, its routing key, and its user, of this stage only (users are global to the broker). */
  readonly tenants: ReadonlyArray<{ tenant: string; user: string; queue: string; rejectedQueue: string; routingKey: string }>;
}

/** The ingest bucket's CORS rule; S3's API and CloudFormation each spell its fields their own way. */
export interface UploadCorsRule<Origin> {
  readonly allowedOrigins: Origin[];
  readonly allowedMethods: ['POST'];
  readonly allowedHeaders: ['*'];
  readonly exposedHeaders: ['ETag'];
  readonly maxAgeSeconds: number;
}
/** The stream-ingest function's timeout; its queues' visibility timeout is derived from it. */
export const STREAM_INGEST_TIMEOUT_SECONDS = 30;
/** The HTTP functions' timeout: inside the 30 s an HTTP API waits for its integration. */
export const HTTP_FUNCTION_TIMEOUT_SECONDS = 29;
/** How long a queue keeps a message: 4 days (SQS' default) for live messages, 14 (its maximum) for dead letters. */
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/** Tries of a batch notification or chunk task failing for a reason of its own (outages are waited out without using them). */
export const BATCH_INGEST_MAX_RECEIVE_COUNT = 3;
/** Upload notifications per batch-ingest invocation (its event source's batch size), taken in at once. */
export const NOTIFICATIONS_PER_INVOCATION = 10;
/**
 * The batch-ingest function's V8 heap limit. Its working set is small (it
 * streams the file); without a limit V8 lets garbage pile up to the machine's
 * memory before collecting it. 160 MB keeps its process under 256 MB of RSS
 * whatever the file size, for about 10 % of its speed (bench/batch.ts).
 */
export const BATCH_INGEST_NODE_OPTIONS = '--enable-source-maps --max-old-space-size=160';

/** S3 prefix of what an ingestion's tasks hand on to one another (see `stagingPrefix`): outside `tenants/`, so it notifies no one. */
export const STAGING_PREFIX = 'staging/';
/**
 * Days an object staged for an ingestion is kept at most: one more than a
 * dead letter is (14), so a failed ingestion's staged rows last as long as
 * the task that can redrive it, and a failed ingestion never redriven leaves
 * nothing behind. (A finished ingestion deletes its staging at once.)
 */
export const STAGING_EXPIRATION_DAYS = DEAD_LETTER_RETENTION_SECONDS / (24 * 3600) + 1;

/**
 * The ingest bucket keeps object versions (see `IngestBucket`); versions that
 * are no longer current (moved away, replayed over) expire after a week, and
 * unfinished multipart uploads after a day; staged objects expire (see
 * {@link STAGING_EXPIRATION_DAYS}). Spelt as CloudFormation spells them.
 */
export const INGEST_BUCKET_LIFECYCLE_RULES = [
  { Id: 'expire-old-versions', Status: 'Enabled', Prefix: '', NoncurrentVersionExpiration: { NoncurrentDays: 7 } },
  { Id: 'abort-incomplete-uploads', Status: 'Enabled', Prefix: '', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
  { Id: 'expire-staging', Status: 'Enabled', Prefix: STAGING_PREFIX, ExpirationInDays: STAGING_EXPIRATION_DAYS },
] as const;

/** An IAM policy document, with its values as the caller spells them (strings, or CloudFormation expressions). */
export type PolicyDocument<Value> = {
  Version: '2012-10-17';
  Statement: Array<{
    Effect: 'Allow';
    Principal: { Service: string };
    Action: string;
    Resource: Value;
    Condition: { ArnLike: { 'aws:SourceArn': Value }; StringEquals: { 'aws:SourceAccount': Value } };
  }>;
};

function pascal(text: string): string {
  return text.replace(/(^|[^a-zA-Z0-9])([a-zA-Z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * The one source of truth for every resource name and setting: the ingest
 * bucket, the SQS queues with their dead-letter queues and redrive, the S3
 * notification prefix, the keyspaces, the RabbitMQ exchange, queues and users.
 * The local provisioner and the CloudFormation rendering both read it, so
 * LocalStack and AWS cannot drift apart.
 *
 * @example
 * const topology = new Topology(config);
 * topology.streamQueue('zoo').name; // 'mysimbdp-local-stream-zoo'
 */
export class Topology {
  readonly stage: string;
  readonly ingestBucket: string;
  readonly platformKeyspace: string;
  private readonly keyspacePrefix: string;
  private readonly vhost: string;
  private readonly dashboardOrigins: readonly string[];

  /** The batch functions' timeout. */
  readonly batchTimeoutSeconds: number;

  constructor(config: Pick<PlatformConfig, 'stage' | 'ingestBucket' | 'cassandra' | 'amqp' | 'batch' | 'dashboardOrigins'>) {
    this.stage = config.stage;
    this.batchTimeoutSeconds = config.batch.timeoutSeconds;
    this.ingestBucket = config.ingestBucket;
    this.keyspacePrefix = config.cassandra.keyspacePrefix;
    this.platformKeyspace = `${this.keyspacePrefix}mysimbdp`;
    this.vhost = config.amqp.vhost;
    this.dashboardOrigins = config.dashboardOrigins;
  }

  /** S3 prefix every upload of every tenant goes under; the notification filter. */
  static readonly NOTIFICATION_PREFIX = 'tenants/';

  /** S3 event types that start an ingestion (uploads, not the platform's own copies). */
  static readonly NOTIFICATION_EVENTS = ['s3:ObjectCreated:Post', 's3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload'] as const;

  /**
   * The batch-ingest queue's policy: S3 may send it the notifications of the
   * ingest bucket of this account, and nothing else may. The one definition the
   * stack and the local provisioner both use.
   */
  static batchIngestQueuePolicy<Value>(queue: { arn: Value; bucketArn: Value; account: Value }): PolicyDocument<Value> {
    return {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 's3.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.arn,
          Condition: { ArnLike: { 'aws:SourceArn': queue.bucketArn }, StringEquals: { 'aws:SourceAccount': queue.account } },
        },
      ],
    };
  }

  /**
   * A batch queue's visibility timeout: a message whose invocation crashed comes
   * back after it. Lambda wants at least the function's timeout; twice that
   * leaves room for a slow start while bounding how long a crash delays a chunk.
   */
  private get batchVisibilitySeconds(): number {
    return this.batchTimeoutSeconds * 2;
  }

  /** S3's upload notifications, for the batch-ingest function. */
  get batchIngestQueue(): QueueDefinition {
    const name = `mysimbdp-${this.stage}-batch-ingest`;
    return {
      logicalId: 'BatchIngestQueue',
      name,
      deadLetterName: `${name}-dlq`,
      maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT,
      visibilityTimeoutSeconds: this.batchVisibilitySeconds,
      tenant: undefined,
    };
  }

  /** Every tenant's chunk queue name (and its dead-letter queue's) starts with it, and nothing else's. */
  get chunkQueuePrefix(): string {
    return `mysimbdp-${this.stage}-chunks-`;
  }

  /** The batch-chunk function as `serverless deploy` names it, whose event sources (one per tenant chunk queue) follow the tenants. */
  get batchChunkFunctionName(): string {
    return `mysimbdp-${this.stage}-batchChunk`;
  }

  /**
   * A tenant's chunk queue: the tasks of its files ingested in chunks (plan,
   * validate, write), for the batch-chunk function. One per tenant, so that
   * each tenant's work is served from its own queue (fair shares between
   * tenants, its own limit of invocations), made at runtime like its stream queue.
   */
  chunkQueue(tenant: string): QueueDefinition {
    const name = `${this.chunkQueuePrefix}${tenant}`;
    return {
      logicalId: `ChunkQueue${pascal(tenant)}`,
      name,
      deadLetterName: `${name}-dlq`,
      maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT,
      visibilityTimeoutSeconds: this.batchVisibilitySeconds,
      tenant,
    };
  }

  /** The tenant a queue (or its dead-letter queue) of the stage belongs to, by its name or ARN; undefined for the shared queues and others. */
  tenantOfQueue(nameOrArn: string): string | undefined {
    const name = (nameOrArn.split(':').pop() ?? '').replace(/-dlq$/, '');
    for (const prefix of [this.streamQueuePrefix, this.chunkQueuePrefix]) {
      if (name.startsWith(prefix) && name.length > prefix.length) return name.slice(prefix.length);
    }
    return undefined;
  }

  /** Every tenant's stream queue name (and its dead-letter queue's) starts with it, and nothing else's. */
  get streamQueuePrefix(): string {
    return `mysimbdp-${this.stage}-stream-`;
  }

  /** The stream-ingest function as `serverless deploy` names it (service-stage-function), whose event sources follow the tenants. */
  get streamIngestFunctionName(): string {
    return `mysimbdp-${this.stage}-streamIngest`;
  }

  streamQueue(tenant: string, profile?: Pick<TenantProfile, 'stream'>): QueueDefinition {
    const name = `${this.streamQueuePrefix}${tenant}`;
    return {
      logicalId: `StreamQueue${pascal(tenant)}`,
      name,
      deadLetterName: `${name}-dlq`,
      maxReceiveCount: profile?.stream.maxReceiveCount ?? 3,
      visibilityTimeoutSeconds: STREAM_INGEST_TIMEOUT_SECONDS * 6,
      tenant,
    };
  }

  queues(tenants: ReadonlyArray<Pick<TenantProfile, 'tenant' | 'stream'>>): QueueDefinition[] {
    return [this.batchIngestQueue, ...tenants.flatMap((profile) => [this.streamQueue(profile.tenant, profile), this.chunkQueue(profile.tenant)])];
  }

  /**
   * The ingest bucket's CORS rule: the dashboard's page uploads files with the
   * same presigned POST as `fetchdata`, from the API's origin (given, as the
   * stack only knows it once deployed) and the configured dashboard origins.
   */
  uploadCors<Origin>(apiOrigins: readonly Origin[]): UploadCorsRule<Origin | string> {
    return {
      allowedOrigins: [...apiOrigins, ...this.dashboardOrigins],
      allowedMethods: ['POST'],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAgeSeconds: 3600,
    };
  }

  tenantKeyspace(profile: Pick<TenantProfile, 'keyspace'>): string {
    return `${this.keyspacePrefix}${profile.keyspace}`;
  }

  incomingPrefix(tenant: string): string {
    return `tenants/${tenant}/incoming/`;
  }

  amqp(tenants: readonly string[]): AmqpTopology {
    return {
      vhost: this.vhost,
      exchange: INGEST_EXCHANGE,
      deadLetterExchange: 'mysimbdp.rejected',
      tenants: tenants.map((tenant) => ({
        tenant,
        user: tenantAmqpUser(this.vhost, tenant),
        queue: `tenant.${tenant}.ingest`,
        rejectedQueue: `tenant.${tenant}.rejected`,
        routingKey: tenant,
      })),
    };
  }
}
