import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { systemClock } from './Clock';
import { DeviceTokens } from './auth/DeviceTokens';
import { LoginService } from './auth/LoginService';
import { LoginThrottle } from './auth/LoginThrottle';
import { LoginThrottleStore } from './auth/LoginThrottleStore';
import { TokenService } from './auth/TokenService';
import { sharedCassandraClient } from './cassandra/sharedCassandraClient';
import { platformConfig, type PlatformConfig } from './config/PlatformConfig';
import { DeadLetters } from './deadLetters/DeadLetters';
import { loadBatchIngestApp, loadStreamIngestApp } from './ingest/apps/loadTenantApps';
import { BadRowsFiles } from './ingest/files/BadRowsFiles';
import type { BatchIngestDependencies } from './ingest/files/BatchIngestDependencies';
import { BatchIngestPipeline } from './ingest/files/BatchIngestPipeline';
import { IngestionStore } from './ingest/files/IngestionStore';
import { StreamTables } from './ingest/files/StreamTables';
import { ChunkShares } from './ingest/files/ChunkShares';
import { ChunkStore } from './ingest/files/ChunkStore';
import { PlanRangeStore } from './ingest/files/PlanRangeStore';
import { ChunkTaskQueue } from './ingest/files/ChunkTaskQueue';
import { FileTasks } from './ingest/files/FileTasks';
import { platformHealthCheck } from './health/platformHealthCheck';
import { EmbeddedMetrics } from './metrics/EmbeddedMetrics';
import { MetricsStore } from './metrics/MetricsStore';
import { PlatformMetrics } from './metrics/PlatformMetrics';
import { OperatorLoginService } from './operator/OperatorLoginService';
import { OperatorService } from './operator/OperatorService';
import { OperatorTokens } from './operator/OperatorTokens';
import { createS3Client, createSqsClient } from './storage/awsClients';
import { IngestionProgressReader } from './reports/IngestionProgress';
import { IngestBucket } from './storage/IngestBucket';
import { TenantRateLimiter } from './rates/TenantRateLimiter';
import { TenantRateStore } from './rates/TenantRateStore';
import { StreamIngestPipeline } from './stream/StreamIngestPipeline';
import { StreamQueueSender } from './stream/StreamQueueSender';
import { CassandraTenantRegistry, type TenantRegistry } from './tenants/TenantRegistry';
import { STREAM_INGEST_TIMEOUT_SECONDS, Topology } from './topology/Topology';
import { DailyUsageStore } from './uploads/DailyUsageStore';
import { UploadBatchStore } from './uploads/UploadBatchStore';
import { UploadGrantStore } from './uploads/UploadGrantStore';
import { UploadService } from './uploads/UploadService';

/**
 * The platform's services, wired once per process from the configuration.
 * Adapters (HTTP handlers, SQS handlers, CLIs, the bridge) take what they
 * need from here and hold no wiring of their own.
 *
 * @example
 * const { uploads, registry } = await platform();
 */
export interface Platform {
  readonly config: PlatformConfig;
  readonly topology: Topology;
  readonly cassandra: cassandra.Client;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly bucket: IngestBucket;
  readonly registry: TenantRegistry;
  readonly tokens: TokenService;
  readonly logins: LoginService;
  readonly uploads: UploadService;
  readonly ingestions: IngestionStore;
  readonly chunks: ChunkStore;
  readonly badRows: BadRowsFiles;
  readonly ingestionProgress: IngestionProgressReader;
  /** Batch ingestion's intake: an uploaded object's notification. */
  readonly batchIngest: BatchIngestPipeline;
  /** Batch ingestion's tasks, from the tenants' chunk queues: a file, whole or in chunks. */
  readonly fileTasks: FileTasks;
  readonly streamIngest: StreamIngestPipeline;
  readonly metrics: PlatformMetrics;
  readonly streamQueues: StreamQueueSender;
  /** Dead letters per tenant, for the reports (reads at most 100 per queue, kept 30 s). */
  readonly deadLetters: DeadLetters;
  readonly operatorTokens: OperatorTokens;
  readonly operatorLogins: OperatorLoginService;
  readonly operator: OperatorService;
}

/** Builds the platform's services on a connected Cassandra client. */
export function buildPlatform(config: PlatformConfig, client: cassandra.Client): Platform {
  const topology = new Topology(config);
  // One clock for every part that decides by time, so that they agree.
  const clock = systemClock;
  const keyspace = topology.platformKeyspace;
  const s3 = createS3Client(config);
  const sqs = createSqsClient(config);
  const bucket = new IngestBucket(s3, config.ingestBucket);
  const registry = new CassandraTenantRegistry(client, keyspace, config.tenantCacheSeconds);
  const tokens = new TokenService(config.auth.tokenSecret, config.auth.tokenTtlSeconds);
  const batches = new UploadBatchStore(client, keyspace);
  const grants = new UploadGrantStore(client, keyspace);
  const usage = new DailyUsageStore(client, keyspace, clock);
  const ingestions = new IngestionStore(client, keyspace, clock);
  const chunks = new ChunkStore(client, keyspace, clock);
  const metrics = new PlatformMetrics(new MetricsStore(client, keyspace), new EmbeddedMetrics(config.stage));
  const streamQueues = new StreamQueueSender(sqs, topology);
  const chunkShares = new ChunkShares(sqs, topology, config.batch.chunkConcurrency, (name) => streamQueues.queueUrlByName(name));
  const streamTables = new StreamTables(loadStreamIngestApp, loadBatchIngestApp);
  // The tenants' rows and stream messages per second, held for all invocations of all processes together.
  const rates = new TenantRateLimiter(new TenantRateStore(client, keyspace), clock);
  // One throttle for tenant and operator logins: the operator's counts go under a key no tenant id can be.
  const loginThrottle = new LoginThrottle(new LoginThrottleStore(client, keyspace), {
    windowSeconds: config.auth.lockoutWindowSeconds,
    maxFailedPerTenantAndSource: config.auth.maxFailedLogins,
    maxFailedPerSource: config.auth.maxFailedLoginsPerSource,
    maxFailedPerTenant: config.auth.maxFailedLoginsPerTenant,
    maxConcurrentPerSource: config.auth.maxConcurrentLoginsPerSource,
  });
  // One set of dependencies for batch ingestion's intake and its tasks.
  const batchIngestion: BatchIngestDependencies = {
    bucket,
    registry,
    batches,
    grants,
    usage,
    ingestions,
    chunks,
    tasks: new ChunkTaskQueue(
      sqs,
      (tenant) => topology.chunkQueue(tenant).name,
      (name) => streamQueues.queueUrlByName(name),
    ),
    cassandra: client,
    topology,
    loadApp: loadBatchIngestApp,
    streamTables,
    writeConcurrency: config.writeConcurrency,
    chunkSize: config.batch.chunkSizeBytes,
    planRanges: new PlanRangeStore(client, keyspace),
    planRangeChunks: config.batch.planRangeChunks,
    timeoutSeconds: config.batch.timeoutSeconds,
    clock,
    rates,
    onFinished: (record) => metrics.batchFinished(record),
  };
  const operatorTokens = new OperatorTokens(config.auth.tokenSecret, config.auth.tokenTtlSeconds);
  return {
    config,
    topology,
    cassandra: client,
    s3,
    sqs,
    bucket,
    registry,
    tokens,
    logins: new LoginService(registry, loginThrottle, tokens, new DeviceTokens(config.auth.tokenSecret, config.auth.deviceTokenTtlSeconds)),
    uploads: new UploadService(bucket, batches, grants, usage, streamTables, config.uploadUrlTtlSeconds, clock),
    ingestions,
    chunks,
    badRows: new BadRowsFiles(bucket),
    // An invocation runs at most the batch timeout; a minute more without activity, and a record is stalled.
    ingestionProgress: new IngestionProgressReader(chunks, (config.batch.timeoutSeconds + 60) * 1000, clock, async (tenant) => {
      const profile = (await registry.get(tenant))?.profile;
      return profile ? chunkShares.of(tenant, profile) : null;
    }),
    batchIngest: new BatchIngestPipeline(batchIngestion),
    fileTasks: new FileTasks(batchIngestion),
    streamIngest: new StreamIngestPipeline({
      registry,
      cassandra: client,
      topology,
      metrics,
      queues: streamQueues,
      loadApp: loadStreamIngestApp,
      concurrency: config.writeConcurrency,
      rates,
      clock,
      // An invocation waits for its tenant's share at most half its time; the rest is for writing.
      rateWaitBudgetMs: (STREAM_INGEST_TIMEOUT_SECONDS * 1000) / 2,
    }),
    metrics,
    streamQueues,
    deadLetters: new DeadLetters(sqs, topology, { scanLimit: 100, cacheSeconds: 30 }),
    operatorTokens,
    operatorLogins: new OperatorLoginService(config.auth.operatorPassword, loginThrottle, operatorTokens),
    operator: new OperatorService({ config, topology, registry, usage, metrics, sqs, queues: streamQueues, chunkShares, health: platformHealthCheck(config) }),
  };
}

let shared: Promise<Platform> | undefined;

/** The process-wide platform; retried on the next call if Cassandra was unreachable. */
export function platform(): Promise<Platform> {
  shared ??= sharedCassandraClient().then(
    (client) => buildPlatform(platformConfig(), client),
    (error: unknown) => {
      shared = undefined;
      throw error;
    },
  );
  return shared;
}
