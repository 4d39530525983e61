import { z } from 'zod';
import { ConfigurationError } from '../errors';

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
    /** Replication map used when the platform creates a keyspace. */
    readonly replication: Record<string, string | number>;
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
    /** Failed logins within `lockoutWindowSeconds` that lock a tenant's login. */
    readonly maxFailedLogins: number;
    readonly lockoutWindowSeconds: number;
    /** The platform operator's password (`POST /operator/login`); empty when the stage has none. */
    readonly operatorPassword: string;
  };
  /** Origins the dashboard is served from besides the API's own, allowed to POST uploads to the bucket (CORS). */
  readonly dashboardOrigins: string[];
  /** Presigned POSTs expire after this many seconds. */
  readonly uploadUrlTtlSeconds: number;
  /** How long a function may keep the tenant registry cached. */
  readonly tenantCacheSeconds: number;
}

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

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
  CASSANDRA_REPLICATION: z.string().default('{"class":"SimpleStrategy","replication_factor":1}'),
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
  MYSIMBDP_MAX_FAILED_LOGINS: z.coerce.number().int().positive().default(5),
  MYSIMBDP_LOCKOUT_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
  MYSIMBDP_UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  MYSIMBDP_TENANT_CACHE_SECONDS: z.coerce.number().int().nonnegative().default(5),
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
  let replication: Record<string, string | number>;
  try {
    replication = JSON.parse(e.CASSANDRA_REPLICATION) as Record<string, string | number>;
  } catch {
    throw new ConfigurationError('CASSANDRA_REPLICATION must be a JSON object, e.g. {"class":"SimpleStrategy","replication_factor":1}');
  }
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
      maxFailedLogins: e.MYSIMBDP_MAX_FAILED_LOGINS,
      lockoutWindowSeconds: e.MYSIMBDP_LOCKOUT_WINDOW_SECONDS,
      operatorPassword: e.MYSIMBDP_OPERATOR_PASSWORD ?? '',
    },
    dashboardOrigins: e.MYSIMBDP_DASHBOARD_ORIGINS,
    uploadUrlTtlSeconds: e.MYSIMBDP_UPLOAD_URL_TTL_SECONDS,
    tenantCacheSeconds: e.MYSIMBDP_TENANT_CACHE_SECONDS,
  };
}

let cached: PlatformConfig | undefined;

/** The process-wide configuration, read once from `process.env`. */
export function platformConfig(): PlatformConfig {
  cached ??= loadPlatformConfig(process.env);
  return cached;
}
