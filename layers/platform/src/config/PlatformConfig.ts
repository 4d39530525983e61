import { z } from 'zod';
import { parseReplication, type Replication } from '../cassandra/Replication';
import { ConfigurationError } from '../errors';
import { BYTE_SIZE_PATTERN, parseByteSize } from '../units/byteSize';

/**
 * Everything the platform reads from its environment, in one typed object.
 *
 * The same code talks to LocalStack or to AWS by endpoint alone: set
 * `AWS_ENDPOINT_URL` for LocalStack, leave it unset on AWS.
 *
 * @example
 * const config = loadPlatformConfig(process.env);
 * config.stage; // 'local'
 */
export interface PlatformConfig {
  /** Deployment stage: `local`, `test`, `dev`, `prod`, ... Part of every resource name. */
  readonly stage: string;
  readonly aws: {
    readonly region: string;
    /** LocalStack's endpoint (`http://127.0.0.1:4566`); undefined on AWS. */
    readonly endpoint: string | undefined;
    /** AWS account id, used to build queue ARNs locally. */
    readonly accountId: string;
  };
  /** The S3 bucket holding every tenant's `incoming/`, `ingested/` and `rejected/` prefixes. */
  readonly ingestBucket: string;
  readonly cassandra: {
    readonly contactPoints: string[];
    readonly localDataCenter: string;
    readonly username: string | undefined;
    readonly password: string | undefined;
    /** Copies per data center of the keyspaces the platform creates (a tenant's profile may ask for its own number of copies). */
    readonly replication: Replication;
    /** Prepended to every keyspace name, so that stages can share one cluster. */
    readonly keyspacePrefix: string;
  };
  readonly amqp: {
    /** Broker URL without credentials, e.g. `amqp://127.0.0.1:5672`. */
    readonly url: string;
    /** The RabbitMQ virtual host of this stage. */
    readonly vhost: string;
    /** The platform's own AMQP user (bridge, health). */
    readonly username: string;
    readonly password: string;
    /** RabbitMQ management API, used to provision tenant users. */
    readonly managementUrl: string;
    readonly adminUsername: string;
    readonly adminPassword: string;
  };
  readonly auth: {
    /** HMAC secret for API tokens; never in the repository. */
    readonly tokenSecret: string;
    readonly tokenTtlSeconds: number;
    /** How long a device token (shown at later logins to skip the lockouts of untrusted clients) stays valid. */
    readonly deviceTokenTtlSeconds: number;
    /** Failed logins for one tenant id from one source within `lockoutWindowSeconds` that lock that source out of it. */
    readonly maxFailedLogins: number;
    readonly lockoutWindowSeconds: number;
    /** Failed logins from one source (any tenant ids) within the window that refuse every login from it. */
    readonly maxFailedLoginsPerSource: number;
    /** Failed logins for one tenant id (all sources) within the window above which only sources without a failure for it may try. */
    readonly maxFailedLoginsPerTenant: number;
    /** Logins one source may have being checked at once; more are refused at once. */
    readonly maxConcurrentLoginsPerSource: number;
    /** The platform operator's password (`POST /operator/login`); empty when the stage has none. */
    readonly operatorPassword: string;
  };
  /** Origins (`https://host[:port]`) a browser may call the API from, besides the API's own; none by default. */
  readonly allowedOrigins: string[];
  /** Origins the dashboard is served from besides the API's own, allowed to POST uploads to the bucket (CORS). */
  readonly dashboardOrigins: string[];
  /** Presigned POSTs expire after this many seconds. */
  readonly uploadUrlTtlSeconds: number;
  /** How long a function may keep the tenant registry cached. */
  readonly tenantCacheSeconds: number;
  /** Cassandra writes one invocation keeps in flight at once (rows of a file, messages of a stream batch). */
  readonly writeConcurrency: number;
  readonly batch: {
    /** Files above this size are ingested in chunks of about this size, each in an invocation of its own. */
    readonly chunkSizeBytes: number;
    /**
     * Chunks in each byte range of a large CSV or NDJSON file that several
     * invocations plan at once (a file of two ranges or more; a range is a whole
     * number of chunks, since the chunks lie on a grid of the chunk size).
     */
    readonly planRangeChunks: number;
    /** The batch functions' timeout (Lambda's, and serverless offline's): every invocation ends well inside it. */
    readonly timeoutSeconds: number;
    /**
     * Chunk invocations of all tenants together, at most: what the cluster is
     * sized for. The tenants share it fairly, each up to its own limit.
     */
    readonly chunkConcurrency: number;
  };
}

/** The default chunk size, chosen from `npm run bench:batch` (see BENCHMARKS.md). */
export const DEFAULT_CHUNK_SIZE = '32 MiB';
/**
 * Chunks in a range of a file planned in ranges by default: 256 MiB of 32 MiB
 * chunks, a few seconds of scanning each (a sequential cut scans about 75 MiB/s);
 * a file from 512 MiB on is planned in ranges.
 */
export const DEFAULT_PLAN_RANGE_CHUNKS = 8;
/** Chunk invocations of all tenants at once by default: the four pollers a chunk queue had locally before tenants had queues of their own. */
export const DEFAULT_CHUNK_CONCURRENCY = 4;
/** The batch functions' default timeout; a chunk takes well under a third of it. */
export const DEFAULT_BATCH_TIMEOUT_SECONDS = 300;

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

/** An origin as a browser sends it: `scheme://host[:port]`, nothing more. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value && !value.includes('*');
  } catch {
    return false;
  }
}

const EnvSchema = z.object({
  MYSIMBDP_STAGE: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,15}$/, 'lower-case letters, digits and dashes')
    .default('local'),
  AWS_REGION: z.string().default('us-east-1'),
  AWS_ENDPOINT_URL: z.string().url().optional(),
  MYSIMBDP_AWS_ACCOUNT_ID: z.string().default('000000000000'),
  MYSIMBDP_INGEST_BUCKET: z.string().optional(),
  CASSANDRA_CONTACT_POINTS: csv.default(['127.0.0.1:9042']),
  CASSANDRA_LOCAL_DC: z.string().default('datacenter1'),
  CASSANDRA_USERNAME: z.string().optional(),
  CASSANDRA_PASSWORD: z.string().optional(),
  CASSANDRA_REPLICATION: z.string().optional(),
  MYSIMBDP_KEYSPACE_PREFIX: z
    .string()
    .regex(/^[a-z0-9_]*$/)
    .optional(),
  AMQP_URL: z.string().default('amqp://127.0.0.1:5672'),
  AMQP_USERNAME: z.string().default('mysimbdp-platform'),
  AMQP_PASSWORD: z.string().optional(),
  RABBITMQ_MANAGEMENT_URL: z.string().default('http://127.0.0.1:15672'),
  RABBITMQ_ADMIN_USERNAME: z.string().default('mysimbdp-admin'),
  RABBITMQ_ADMIN_PASSWORD: z.string().optional(),
  MYSIMBDP_TOKEN_SECRET: z.string().optional(),
  MYSIMBDP_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  // 30 days.
  MYSIMBDP_DEVICE_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(2_592_000),
  MYSIMBDP_MAX_FAILED_LOGINS: z.coerce.number().int().positive().default(5),
  // At most the login_throttle table's gc_grace_seconds (one hour).
  MYSIMBDP_LOCKOUT_WINDOW_SECONDS: z.coerce.number().int().positive().max(3600).default(900),
  MYSIMBDP_MAX_FAILED_LOGINS_PER_SOURCE: z.coerce.number().int().positive().default(20),
  MYSIMBDP_MAX_FAILED_LOGINS_PER_TENANT: z.coerce.number().int().positive().default(50),
  MYSIMBDP_MAX_CONCURRENT_LOGINS_PER_SOURCE: z.coerce.number().int().positive().default(2),
  MYSIMBDP_ALLOWED_ORIGINS: csv
    .pipe(z.array(z.string().refine(isOrigin, 'each origin is scheme://host[:port], e.g. https://dashboard.example.com (no path, no *)')))
    .default([]),
  MYSIMBDP_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  MYSIMBDP_TENANT_CACHE_SECONDS: z.coerce.number().int().nonnegative().default(5),
  MYSIMBDP_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  MYSIMBDP_CHUNK_SIZE: z
    .string()
    .regex(BYTE_SIZE_PATTERN, 'a size with its unit, e.g. "32 MiB"')
    .default(DEFAULT_CHUNK_SIZE)
    .transform(parseByteSize)
    .refine((bytes) => bytes >= 1024 && bytes <= 64 * 1024 ** 2, 'from 1 KiB to 64 MiB'),
  // A range is scanned in one invocation, never handed on: at most 64 chunks (4 GiB of the largest chunks).
  MYSIMBDP_PLAN_RANGE_CHUNKS: z.coerce.number().int().min(1).max(64).default(DEFAULT_PLAN_RANGE_CHUNKS),
  MYSIMBDP_BATCH_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(900).default(DEFAULT_BATCH_TIMEOUT_SECONDS),
  MYSIMBDP_CHUNK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(DEFAULT_CHUNK_CONCURRENCY),
  MYSIMBDP_OPERATOR_PASSWORD: z.string().optional(),
  MYSIMBDP_DASHBOARD_ORIGINS: csv.default([]),
});

/** Reads and validates the platform configuration; a wrong value names the variable. */
export function loadPlatformConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`invalid platform configuration: ${issues.join('; ')}`);
  }
  const e = parsed.data;
  const stage = e.MYSIMBDP_STAGE;
  // One copy in the local data center unless told otherwise: what a single node can hold.
  const replication = parseReplication(e.CASSANDRA_REPLICATION ?? `${e.CASSANDRA_LOCAL_DC}:1`);
  return {
    stage,
    aws: { region: e.AWS_REGION, endpoint: e.AWS_ENDPOINT_URL, accountId: e.MYSIMBDP_AWS_ACCOUNT_ID },
    ingestBucket: e.MYSIMBDP_INGEST_BUCKET ?? `mysimbdp-${stage}-ingest`,
    cassandra: {
      contactPoints: e.CASSANDRA_CONTACT_POINTS,
      localDataCenter: e.CASSANDRA_LOCAL_DC,
      username: e.CASSANDRA_USERNAME,
      password: e.CASSANDRA_PASSWORD,
      replication,
      keyspacePrefix: e.MYSIMBDP_KEYSPACE_PREFIX ?? (stage === 'local' ? '' : `${stage.replace(/-/g, '_')}_`),
    },
    amqp: {
      url: e.AMQP_URL,
      vhost: `mysimbdp-${stage}`,
      username: e.AMQP_USERNAME,
      password: e.AMQP_PASSWORD ?? '',
      managementUrl: e.RABBITMQ_MANAGEMENT_URL,
      adminUsername: e.RABBITMQ_ADMIN_USERNAME,
      adminPassword: e.RABBITMQ_ADMIN_PASSWORD ?? '',
    },
    auth: {
      tokenSecret: e.MYSIMBDP_TOKEN_SECRET ?? '',
      tokenTtlSeconds: e.MYSIMBDP_TOKEN_TTL_SECONDS,
      deviceTokenTtlSeconds: e.MYSIMBDP_DEVICE_TOKEN_TTL_SECONDS,
      maxFailedLogins: e.MYSIMBDP_MAX_FAILED_LOGINS,
      lockoutWindowSeconds: e.MYSIMBDP_LOCKOUT_WINDOW_SECONDS,
      maxFailedLoginsPerSource: e.MYSIMBDP_MAX_FAILED_LOGINS_PER_SOURCE,
      maxFailedLoginsPerTenant: e.MYSIMBDP_MAX_FAILED_LOGINS_PER_TENANT,
      maxConcurrentLoginsPerSource: e.MYSIMBDP_MAX_CONCURRENT_LOGINS_PER_SOURCE,
      operatorPassword: e.MYSIMBDP_OPERATOR_PASSWORD ?? '',
    },
    allowedOrigins: e.MYSIMBDP_ALLOWED_ORIGINS,
    dashboardOrigins: e.MYSIMBDP_DASHBOARD_ORIGINS,
    uploadUrlTtlSeconds: e.MYSIMBDP_UPLOAD_URL_TTL_SECONDS,
    tenantCacheSeconds: e.MYSIMBDP_TENANT_CACHE_SECONDS,
    writeConcurrency: e.MYSIMBDP_WRITE_CONCURRENCY,
    batch: {
      chunkSizeBytes: e.MYSIMBDP_CHUNK_SIZE,
      planRangeChunks: e.MYSIMBDP_PLAN_RANGE_CHUNKS,
      timeoutSeconds: e.MYSIMBDP_BATCH_TIMEOUT_SECONDS,
      chunkConcurrency: e.MYSIMBDP_CHUNK_CONCURRENCY,
    },
  };
}

let cached: PlatformConfig | undefined;

/** The process-wide configuration, read once from `process.env`. */
export function platformConfig(): PlatformConfig {
  cached ??= loadPlatformConfig(process.env);
  return cached;
}
