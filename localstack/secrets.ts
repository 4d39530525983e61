import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localCloudDir } from './paths';

/** Secrets of the local cloud, made once per checkout and kept in `.localcloud/secrets.json` (git-ignored). */
export interface LocalSecrets {
  readonly tokenSecret: string;
  readonly rabbitAdminPassword: string;
  readonly amqpPlatformPassword: string;
  /** The platform operator's password (`POST /operator/login`, the dashboard's operator view). */
  readonly operatorPassword: string;
  /** Cassandra's superuser of the local node (it replaces the default `cassandra` role at the first start). */
  readonly cassandraAdminPassword: string;
  /** Cassandra's role for the platform (functions, bridge, CLIs, tests, benchmarks). */
  readonly cassandraPlatformPassword: string;
}

const secretsPath = join(localCloudDir, 'secrets.json');

const newSecret = (bytes: number): string => randomBytes(bytes).toString('base64url');

/** The local secrets; made at the first call, and completed when an older file lacks one (kept otherwise). */
export function localSecrets(): LocalSecrets {
  let stored: Partial<LocalSecrets> = {};
  try {
    stored = JSON.parse(readFileSync(secretsPath, 'utf8')) as Partial<LocalSecrets>;
  } catch {
    // No file yet (or an unreadable one): every secret is made anew.
  }
  const secrets: LocalSecrets = {
    tokenSecret: stored.tokenSecret ?? randomBytes(48).toString('base64'),
    rabbitAdminPassword: stored.rabbitAdminPassword ?? newSecret(18),
    amqpPlatformPassword: stored.amqpPlatformPassword ?? newSecret(18),
    operatorPassword: stored.operatorPassword ?? newSecret(18),
    cassandraAdminPassword: stored.cassandraAdminPassword ?? newSecret(18),
    cassandraPlatformPassword: stored.cassandraPlatformPassword ?? newSecret(18),
  };
  if (Object.keys(secrets).some((key) => stored[key as keyof LocalSecrets] === undefined)) {
    mkdirSync(dirname(secretsPath), { recursive: true });
    writeFileSync(secretsPath, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}
