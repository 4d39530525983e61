import { loadPlatformConfig, type PlatformConfig } from '../layers/platform/src';
import { localSecrets } from './secrets';
import { cassandraContactPoints, cassandraNodeCount, localReplicationFactor } from './services/cassandraNodes';
import { CASSANDRA_PLATFORM_ROLE } from './services/cassandraRoles';

/** Stages the local cloud serves: `local` for `npm start`, `test` for `npm test`, `bench` for benchmarks. */
export type LocalStage = 'local' | 'test' | 'bench';

export interface PlatformPorts {
  readonly http: number;
  readonly lambda: number;
}

/** `npm start` serves stage local on 3000; `npm test` serves stage test on 3100, so both can run at once. */
export const PLATFORM_PORTS: Record<LocalStage, PlatformPorts> = {
  local: { http: 3000, lambda: 3002 },
  test: { http: 3100, lambda: 3102 },
  bench: { http: 3200, lambda: 3202 },
};

/**
 * The environment every platform process (serverless offline, the bridge,
 * CLIs, tests) gets for a local stage: LocalStack's endpoint, the local
 * Cassandra and RabbitMQ, and the local secrets. The same variables, pointed
 * at real endpoints, configure the platform on AWS.
 */
export function localEnvironment(stage: LocalStage): Record<string, string> {
  const secrets = localSecrets();
  const nodes = cassandraNodeCount();
  return {
    MYSIMBDP_STAGE: stage,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
    MYSIMBDP_INGEST_BUCKET: `mysimbdp-${stage}-ingest`,
    // Every node of the local Cassandra (one, or MYSIMBDP_CASSANDRA_NODES), and three copies of every keyspace where it has three nodes.
    CASSANDRA_CONTACT_POINTS: cassandraContactPoints(nodes).join(','),
    CASSANDRA_LOCAL_DC: 'datacenter1',
    CASSANDRA_REPLICATION: `datacenter1:${localReplicationFactor(nodes)}`,
    // The platform's own role (see localstack/services/cassandraRoles.ts), as on AWS.
    CASSANDRA_USERNAME: CASSANDRA_PLATFORM_ROLE,
    CASSANDRA_PASSWORD: secrets.cassandraPlatformPassword,
    AMQP_URL: 'amqp://127.0.0.1:5672',
    AMQP_USERNAME: 'mysimbdp-platform',
    AMQP_PASSWORD: secrets.amqpPlatformPassword,
    RABBITMQ_MANAGEMENT_URL: 'http://127.0.0.1:15672',
    RABBITMQ_ADMIN_USERNAME: 'mysimbdp-admin',
    RABBITMQ_ADMIN_PASSWORD: secrets.rabbitAdminPassword,
    MYSIMBDP_TOKEN_SECRET: secrets.tokenSecret,
    // The test stage trusts one made-up origin besides its own, so that tests can tell an allowed origin from another.
    ...(stage === 'test' ? { MYSIMBDP_ALLOWED_ORIGINS: 'https://dashboard.mysimbdp.test' } : {}),
    MYSIMBDP_OPERATOR_PASSWORD: secrets.operatorPassword,
    // The dashboard is served by the API itself; its page uploads to LocalStack's S3 from there.
    MYSIMBDP_DASHBOARD_ORIGINS: `http://127.0.0.1:${PLATFORM_PORTS[stage].http},http://localhost:${PLATFORM_PORTS[stage].http}`,
    // The pinned AWS SDK supports Node 20 (this machine); Lambda runs Node 22.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The tests cut files of a few hundred KiB into chunks, and see a crashed chunk retried within a minute.
    ...(stage === 'test' ? { MYSIMBDP_CHUNK_SIZE: '64 KiB', MYSIMBDP_BATCH_TIMEOUT_SECONDS: '20' } : {}),
  };
}

/** Puts a stage's environment into this process (for the AWS SDK's credentials) and returns its configuration. */
export function useLocalStage(stage: LocalStage): PlatformConfig {
  const env = localEnvironment(stage);
  Object.assign(process.env, env);
  return loadPlatformConfig(env);
}
