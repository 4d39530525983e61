// The platform core's public entry: what the functions, the clients, the
// bridge, the local cloud and the benchmarks use of the core, and nothing
// more. They import the core from here; tests may import the module they test
// directly; tenant apps import ./tenantApp instead. The core's own files never
// import this module (they import each other), so it makes no import cycle.
// The core's modules do no work at import time, and ../package.json says so
// (`sideEffects: false`): esbuild then leaves out of a function's bundle every
// module, and every package, that the function does not reach.

// The platform's services, wired once per process from the configuration.
export { platform, type Platform } from './platform';

// The HTTP API's contract: every route's request and response bodies, and the ingestion statuses. The statuses are
// exported from their own file, not through the contract, so that a bundle that takes them only takes no zod schemas.
export { FINAL_STATUSES, INGESTION_STATUSES, type FinalStatus, type IngestionStatus } from './http/ingestionStatuses';
export {
  FileFormatSchema,
  ROUTES,
  type BadRowsLinks,
  type ChunkProgress,
  type ChunkShare,
  type DeadLetterSummary,
  type ErrorBody,
  type ErrorCode,
  type HealthReport,
  type Ingestion,
  type IngestionList,
  type IngestionTotals,
  type LoginRequest,
  type LoginResponse,
  type Message,
  type MessagesAccepted,
  type MessagesRequest,
  type MetricSeries,
  type MetricValues,
  type OperatorLoginRequest,
  type OperatorLoginResponse,
  type PlatformOverview,
  type Profile,
  type StatusChange,
  type StatusRequest,
  type StreamReport,
  type TenantOverview,
  type UploadGrant,
  type UploadRequest,
} from './http/contract';

// Configuration, the clock, typed errors, failures told apart and backed off from, the logger, sizes.
export { DEFAULT_CHUNK_SIZE, DEFAULT_PLAN_RANGE_CHUNKS, loadPlatformConfig, platformConfig, type PlatformConfig } from './config/PlatformConfig';
export { systemClock, type Clock } from './Clock';
// Every typed error is public: the adapters (HTTP, CLIs, SQS handlers) map them, so errors.ts is the list.
export * from './errors';
export { classifyFailure, serviceFailure } from './failures/serviceFailure';
export { backoff, type BackoffOptions } from './failures/backoff';
export { platformLogger } from './logging/platformLogger';
export { formatByteSize, parseByteSize } from './units/byteSize';

// Tenants: their folders, ids, profiles and registry; passwords and AMQP secrets; logins.
export type { Tenant } from './tenants/Tenant';
export { TenantDirectory } from './tenants/TenantDirectory';
export { assertTenantId, isTenantId } from './tenants/TenantId';
export { TenantProfileSchema, type TenantProfile, type TenantProfileInput } from './tenants/TenantProfile';
export { FILE_FORMATS, formatParts, type Compression, type FileFormat, type RecordFormat } from './tenants/FileFormat';
export { CassandraTenantRegistry } from './tenants/TenantRegistry';
export { parseTenantFiles } from './tenants/parseTenantFiles';
export { profileJsonSchema } from './tenants/profileJsonSchema';
export { generateAmqpSecret, RABBIT_HASHING_ALGORITHM, rabbitPasswordHash } from './auth/amqpPasswordHash';
export { hashPassword } from './auth/passwordHash';
export { loginSource } from './auth/loginSource';

// Uploads and batch ingestion: file names, batches, chunk tasks, ingestion records and their totals.
export { assertBatchId } from './uploads/batchId';
export { formatOf, safeFileName } from './uploads/fileName';
export { decodeChunkTask } from './ingest/files/ChunkTask';
export { loadStreamIngestApp } from './ingest/apps/loadTenantApps';
export type { IngestionProgress } from './reports/IngestionProgress';
export { ingestionTotals } from './reports/ingestionTotals';
export { TenantRateLimiter, type RateBooking } from './rates/TenantRateLimiter';
export { TenantRateStore, type RateKind } from './rates/TenantRateStore';

// Stream ingestion: the AMQP side (exchange, header, URL), the SQS side (packs, queue messages), the event sources.
export { amqpUrl } from './amqp/amqpUrl';
export { tenantAmqpUser } from './amqp/tenantAmqpUser';
export { INGEST_EXCHANGE, PUBLISHED_AT_HEADER } from './amqp/ingestExchange';
export { MAX_PACK_BYTES, packedBytes } from './stream/StreamPack';
export { MESSAGE_ID_ATTRIBUTE, PUBLISHED_AT_ATTRIBUTE, StreamQueueSender, type OutgoingStreamMessage, type SendOutcome } from './stream/StreamQueueSender';
export { retryDelaySeconds, type QueueMessage } from './stream/StreamIngestPipeline';
export { chunkEventSources, chunkInvocationLimit, streamEventSources, type EventSource } from './topology/eventSources';
export { ChunkShares } from './ingest/files/ChunkShares';

// Reports for tenants and the operator: metrics, health, dead letters (and the hand-back protocol they are read by).
export { metricsWindow } from './metrics/metricsWindow';
export { platformHealthCheck } from './health/platformHealthCheck';
export { DeadLetters, type DeadLetterKind } from './deadLetters/DeadLetters';
export { HAND_BACK_ATTRIBUTES, MAX_MESSAGE_DELAY_SECONDS, MAX_VISIBILITY_TIMEOUT_SECONDS, OUTAGE_BACKOFF } from './deadLetters/handBackProtocol';

// S3, SQS, Lambda and Cassandra clients, and what is read or written through them.
export { createLambdaClient, createS3Client, createSqsClient } from './storage/awsClients';
export { IngestBucket } from './storage/IngestBucket';
export { queueDepth } from './storage/queueDepth';
export { objectsCreated, tenantOfNotification } from './storage/s3Notifications';
export { createCassandraClient } from './cassandra/createCassandraClient';
export { closeSharedCassandraClient, sharedCassandraClient } from './cassandra/sharedCassandraClient';
export { cqlIdentifier, cqlString, insertCql } from './cassandra/cql';
export { KeyspaceSchema } from './cassandra/KeyspaceSchema';
export { alterReplication, parseReplication, type Replication } from './cassandra/Replication';

// Every resource's name and setting, and their provisioning (local cloud, a stage on AWS, the tenants).
export { BATCH_INGEST_MAX_RECEIVE_COUNT, BATCH_INGEST_NODE_OPTIONS, Topology } from './topology/Topology';
export { provisionPlatform, provisionStorage, tenantReplication } from './provisioning/provisionPlatform';
export { deprovisionTenant } from './provisioning/deprovisionTenant';
export { RabbitMqAdmin } from './provisioning/RabbitMqAdmin';
