// The HTTP API's contract: the request and response bodies of every route, as
// zod schemas and the TypeScript types inferred from them. The functions type
// the bodies they answer with these types, the command-line client and the
// dashboard read the answers as these types, and a unit test holds
// docs/openapi.yaml to these schemas. It imports zod and the core's constants
// only (file formats, bucket sizes, ingestion statuses). The dashboard takes
// its types only, which its bundle does not hold.
import { z } from 'zod';
import { BUCKET_SECONDS } from '../metrics/metricsWindow';
import { FILE_FORMATS } from '../tenants/TenantProfile';
import { INGESTION_STATUSES } from './ingestionStatuses';

export { FINAL_STATUSES, INGESTION_STATUSES, type IngestionStatus } from './ingestionStatuses';

const int = () => z.number().int();
/** Arrays are read-only: the functions answer with the core's read-only arrays. */
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
/** An ISO 8601 UTC date-time with milliseconds. */
const dateTime = () => z.iso.datetime();
const tenantStatus = () => z.enum(['active', 'disabled']);
const upOrDown = () => z.enum(['up', 'down']);
const latencyPercentiles = () => z.object({ p50: int().nullable(), p95: int().nullable(), p99: int().nullable(), max: int().nullable() });
/** Why messages died, most frequent first. */
const deadLetterReasons = () => list(z.object({ reason: z.string(), count: int() }));

export const IngestionStatusSchema = z.enum(INGESTION_STATUSES);
export const FileFormatSchema = z.enum(FILE_FORMATS);

// Every error

/** The codes of the errors the API answers with, and `INTERNAL_ERROR` for a failure it did not expect. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'UNAUTHENTICATED',
  'ACCESS_DENIED',
  'NOT_FOUND',
  'CONFLICT',
  'UNSUPPORTED_MEDIA_TYPE',
  'CONSTRAINT_VIOLATION',
  'TOO_MANY_REQUESTS',
  'CONFIGURATION_ERROR',
  'SERVICE_UNAVAILABLE',
  'DEFERRED',
  'INTERNAL_ERROR',
] as const;
/** The tenant profile constraints a request can break. */
export const PROFILE_CONSTRAINTS = [
  'allowedFormats',
  'maxFileSize',
  'maxFilesPerBatch',
  'dailyQuota.maxFiles',
  'dailyQuota.maxBytes',
  'stream.maxMessageSize',
] as const;
/** The services the platform depends on, as an error says which is down (`platform` when the failure does not say). */
export const PLATFORM_SERVICES = ['cassandra', 's3', 'sqs', 'lambda', 'rabbitmq', 'platform'] as const;
/** Every error's body: a code, a message, and the details of some errors. */
export const ErrorBodySchema = z.object({
  error: z.enum(ERROR_CODES),
  message: z.string(),
  constraint: z.enum(PROFILE_CONSTRAINTS).optional(),
  allowed: list(FileFormatSchema).optional(),
  limitBytes: int().optional(),
  sizeBytes: int().optional(),
  limit: int().optional(),
  used: int().optional(),
  retryAfterSeconds: int().optional(),
  service: z.enum(PLATFORM_SERVICES).optional(),
  failed: list(z.object({ messageId: z.string(), reason: z.string() })).optional(),
});

// GET /health

export const ServiceHealthSchema = z.object({ status: upOrDown(), latencyMs: int(), error: z.string().optional() });
export const HealthReportSchema = z.object({
  status: upOrDown(),
  services: z.object({ s3: ServiceHealthSchema, sqs: ServiceHealthSchema, cassandra: ServiceHealthSchema, rabbitmq: ServiceHealthSchema }),
});

// POST /auth/login

export const LoginRequestSchema = z.object({ tenant: z.string(), password: z.string(), deviceToken: z.string().nullable().optional() });
export const LoginResponseSchema = z.object({
  token: z.string(),
  tokenType: z.literal('Bearer'),
  tenant: z.string(),
  expiresAt: dateTime(),
  deviceToken: z.string(),
  deviceTokenExpiresAt: dateTime(),
});

// GET /tenants/{tenant}/profile

export const ProfileSchema = z.object({
  tenant: z.string(),
  displayName: z.string(),
  status: tenantStatus(),
  keyspace: z.string(),
  batch: z.object({
    maxFileSize: z.string(),
    maxFileSizeBytes: int(),
    maxFilesPerBatch: int(),
    allowedFormats: list(FileFormatSchema),
    maxBadRows: int(),
    /** Only when the profile sets a daily quota. */
    dailyQuota: z.object({ maxFiles: int().nullable(), maxBytes: z.string().nullable(), maxBytesBytes: int().nullable() }).optional(),
  }),
  stream: z.object({
    batchSize: int(),
    batchWindowSeconds: int(),
    maxReceiveCount: int(),
    maxMessageSize: z.string(),
    maxMessageSizeBytes: int(),
  }),
});

// POST /tenants/{tenant}/uploads

export const UploadRequestSchema = z.object({ fileName: z.string(), size: int(), batchId: z.string().optional(), dryRun: z.boolean().optional() });
export const UploadGrantSchema = z.object({
  tenant: z.string(),
  batchId: z.string(),
  fileName: z.string(),
  format: FileFormatSchema,
  key: z.string(),
  maxBytes: int(),
  grantId: z.string(),
  /** The ingestion this upload will make. */
  ingestionId: z.string(),
  dryRun: z.boolean(),
  /** A presigned S3 POST: a multipart form to `url` with every field of `fields`, then the file. */
  upload: z.object({ method: z.literal('POST'), url: z.string(), fields: z.record(z.string(), z.string()), expiresAt: dateTime() }),
});

// GET /tenants/{tenant}/ingestions and /tenants/{tenant}/ingestions/{ingestionId}

/** A tenant's share of the chunk invocations: its chunk tasks queued and in flight, and how many it may hold at once. */
export const ChunkShareSchema = z.object({ queued: int(), inFlight: int(), limit: int() });
/** Where the chunks of a file ingested in chunks are. */
export const ChunkProgressSchema = z.object({ total: int(), validated: int(), written: int(), failed: int() });
export const IngestionSchema = z.object({
  id: z.string(),
  batchId: z.string(),
  fileName: z.string(),
  grantId: z.string().nullable(),
  object: z.string(),
  format: FileFormatSchema.nullable(),
  /** The bytes uploaded and stored (of a compressed file, compressed): what the daily quota counts. */
  bytes: int(),
  /** A compressed file's text, in bytes, once it has been read through; null for a file not compressed or not read yet. */
  textBytes: int().nullable(),
  rows: int(),
  badRows: int(),
  badRowSamples: list(z.string()),
  /** The API path that gives download links for the bad rows, when there are any. */
  badRowsFile: z.string().nullable(),
  tables: list(z.string()),
  status: IngestionStatusSchema,
  reason: z.string().nullable(),
  dryRun: z.boolean(),
  chunks: ChunkProgressSchema.nullable(),
  /** While its tenant's tasks wait for their turn: its tenant's share, and the reason in words. */
  waiting: ChunkShareSchema.extend({ reason: z.string() }).nullable(),
  refusedUploads: list(z.object({ version: z.string(), reason: z.string() })),
  attempts: int(),
  startedAt: dateTime(),
  finishedAt: dateTime().nullable(),
  durationMs: int().nullable(),
});
export const DeadLetterSummarySchema = z.object({
  kind: z.enum(['batch', 'chunks', 'stream']),
  queue: z.string(),
  count: int(),
  oldest: dateTime().nullable(),
  reasons: deadLetterReasons(),
  complete: z.boolean(),
});
export const IngestionTotalsSchema = z.object({
  files: int(),
  bytes: int(),
  rows: int(),
  badRows: int(),
  /** Records per status; a status with none is absent. */
  byStatus: z.partialRecord(IngestionStatusSchema, int()),
  meanDurationMs: int().nullable(),
  maxDurationMs: int().nullable(),
  /** Null when SQS could not be asked. */
  deadLetters: list(DeadLetterSummarySchema).nullable(),
});
export const IngestionListSchema = z.object({
  tenant: z.string(),
  filter: z.object({ batch: z.string().nullable(), status: IngestionStatusSchema.nullable(), limit: int() }),
  totals: IngestionTotalsSchema,
  ingestions: list(IngestionSchema),
});

// GET /tenants/{tenant}/ingestions/{ingestionId}/bad-rows

export const BadRowsLinksSchema = z.object({
  ingestion: z.string(),
  fileName: z.string(),
  badRows: int(),
  expiresAt: dateTime(),
  files: list(z.object({ what: z.string(), name: z.string(), key: z.string(), url: z.string() })),
});

// POST /tenants/{tenant}/messages

export const MessageSchema = z.object({ id: z.string().optional(), publishedAt: z.string().optional(), body: z.unknown() });
/** One message, or a batch of them under `messages`. */
export const MessagesRequestSchema = z.union([MessageSchema, z.object({ messages: list(MessageSchema) })]);
export const MessagesAcceptedSchema = z.object({ tenant: z.string(), accepted: int(), messageIds: list(z.string()) });

// GET /tenants/{tenant}/stream-report

export const StreamReportSchema = z.object({
  tenant: z.string(),
  windowHours: int(),
  since: dateTime(),
  until: dateTime(),
  messages: int(),
  bytes: int(),
  failures: int(),
  latencyMs: latencyPercentiles(),
  queue: z.object({ name: z.string(), backlog: int().nullable() }),
  deadLetterQueue: z.object({ name: z.string(), messages: int().nullable(), oldest: dateTime().nullable(), reasons: deadLetterReasons() }),
});

// GET /tenants/{tenant}/metrics

/** What the platform did for a tenant in a bucket, or in the whole window. */
export const MetricValuesSchema = z.object({
  files: int(),
  rows: int(),
  bytes: int(),
  badRows: int(),
  rejectedFiles: int(),
  failedFiles: int(),
  ingestMs: int(),
  msPerMiB: z.number().nullable(),
  messages: int(),
  messageBytes: int(),
  streamFailures: int(),
  latencyMs: latencyPercentiles(),
});
export const MetricSeriesSchema = z.object({
  tenant: z.string(),
  windowHours: int(),
  since: dateTime(),
  until: dateTime(),
  bucketSeconds: z.literal(BUCKET_SECONDS),
  totals: MetricValuesSchema,
  /** Buckets with something in them, oldest first; a missing bucket had nothing. */
  buckets: list(MetricValuesSchema.extend({ start: dateTime() })),
});

// POST /operator/login

export const OperatorLoginRequestSchema = z.object({ password: z.string() });
export const OperatorLoginResponseSchema = z.object({ token: z.string(), tokenType: z.literal('Bearer'), role: z.literal('operator'), expiresAt: dateTime() });

// GET /operator/tenants

/** A tenant as the operator sees it. */
export const TenantOverviewSchema = z.object({
  tenant: z.string(),
  displayName: z.string(),
  status: tenantStatus(),
  /** Files and bytes granted today (UTC) against the daily quota; all null without a quota (grants are counted against one only). */
  usage: z.object({ day: z.string(), files: int().nullable(), bytes: int().nullable(), maxFiles: int().nullable(), maxBytes: int().nullable() }),
  /** What the tenant's ingestions did in the window. */
  window: MetricValuesSchema.pick({
    files: true,
    rows: true,
    bytes: true,
    badRows: true,
    rejectedFiles: true,
    failedFiles: true,
    messages: true,
    streamFailures: true,
  }),
  /** The tenant's stream queue: backlog and dead letters (null when SQS cannot tell). */
  stream: z.object({ backlog: int().nullable(), deadLetters: int().nullable() }),
  /** The tenant's share of the chunk invocations (null when SQS cannot tell). */
  chunks: ChunkShareSchema.nullable(),
  /** The tenant's limits as its profile sets them (null: none but the platform's capacity). */
  limits: z.object({ chunkInvocations: int().nullable(), rowsPerSecond: int().nullable(), streamMessagesPerSecond: int().nullable() }),
});
export const PlatformOverviewSchema = z.object({
  windowHours: int(),
  since: dateTime(),
  until: dateTime(),
  tenants: list(TenantOverviewSchema),
  /** File notifications that failed every try (all tenants share the batch-ingest queue). */
  batchDeadLetterQueue: z.object({ name: z.string(), messages: int().nullable() }),
  health: HealthReportSchema,
});

// POST /operator/tenants/{tenant}/status

export const StatusRequestSchema = z.object({ status: tenantStatus() });
export const StatusChangeSchema = z.object({
  tenant: z.string(),
  status: tenantStatus(),
  /** Whether the tenant's RabbitMQ publish permission followed, and why not. */
  amqp: z.object({ updated: z.boolean(), reason: z.string().optional() }),
});

/**
 * Every route that answers JSON: its request body, if it takes one, and its
 * body for each success status. Errors share one body (`errorResponse`), and
 * the dashboard's routes answer its files, not JSON.
 */
export const ROUTES = {
  'GET /health': { responses: { 200: HealthReportSchema, 503: HealthReportSchema } },
  'POST /auth/login': { request: LoginRequestSchema, responses: { 200: LoginResponseSchema } },
  'GET /tenants/{tenant}/profile': { responses: { 200: ProfileSchema } },
  'POST /tenants/{tenant}/uploads': { request: UploadRequestSchema, responses: { 201: UploadGrantSchema } },
  'GET /tenants/{tenant}/ingestions': { responses: { 200: IngestionListSchema } },
  'GET /tenants/{tenant}/ingestions/{ingestionId}': { responses: { 200: IngestionSchema } },
  'GET /tenants/{tenant}/ingestions/{ingestionId}/bad-rows': { responses: { 200: BadRowsLinksSchema } },
  'POST /tenants/{tenant}/messages': { request: MessagesRequestSchema, responses: { 202: MessagesAcceptedSchema } },
  'GET /tenants/{tenant}/stream-report': { responses: { 200: StreamReportSchema } },
  'GET /tenants/{tenant}/metrics': { responses: { 200: MetricSeriesSchema } },
  'POST /operator/login': { request: OperatorLoginRequestSchema, responses: { 200: OperatorLoginResponseSchema } },
  'GET /operator/tenants': { responses: { 200: PlatformOverviewSchema } },
  'POST /operator/tenants/{tenant}/status': { request: StatusRequestSchema, responses: { 200: StatusChangeSchema } },
} as const satisfies Record<string, { readonly request?: z.ZodType; readonly responses: Readonly<Record<number, z.ZodType>> }>;

export type ErrorCode = (typeof ERROR_CODES)[number];
export type ProfileConstraint = (typeof PROFILE_CONSTRAINTS)[number];
export type PlatformService = (typeof PLATFORM_SERVICES)[number];
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
export type FileFormat = z.infer<typeof FileFormatSchema>;
export type HealthReport = z.infer<typeof HealthReportSchema>;
export type LoginRequest = z.infer<typeof LoginRequestSchema>;
export type LoginResponse = z.infer<typeof LoginResponseSchema>;
export type Profile = z.infer<typeof ProfileSchema>;
export type UploadRequest = z.infer<typeof UploadRequestSchema>;
export type UploadGrant = z.infer<typeof UploadGrantSchema>;
export type ChunkShare = z.infer<typeof ChunkShareSchema>;
export type ChunkProgress = z.infer<typeof ChunkProgressSchema>;
export type Ingestion = z.infer<typeof IngestionSchema>;
export type DeadLetterSummary = z.infer<typeof DeadLetterSummarySchema>;
export type IngestionTotals = z.infer<typeof IngestionTotalsSchema>;
export type IngestionList = z.infer<typeof IngestionListSchema>;
export type BadRowsLinks = z.infer<typeof BadRowsLinksSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type MessagesRequest = z.infer<typeof MessagesRequestSchema>;
export type MessagesAccepted = z.infer<typeof MessagesAcceptedSchema>;
export type StreamReport = z.infer<typeof StreamReportSchema>;
export type MetricValues = z.infer<typeof MetricValuesSchema>;
export type MetricSeries = z.infer<typeof MetricSeriesSchema>;
export type OperatorLoginRequest = z.infer<typeof OperatorLoginRequestSchema>;
export type OperatorLoginResponse = z.infer<typeof OperatorLoginResponseSchema>;
export type TenantOverview = z.infer<typeof TenantOverviewSchema>;
export type PlatformOverview = z.infer<typeof PlatformOverviewSchema>;
export type StatusRequest = z.infer<typeof StatusRequestSchema>;
export type StatusChange = z.infer<typeof StatusChangeSchema>;
