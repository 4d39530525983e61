import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { localCloudDir } from './paths';

/** Secrets of the local cloud, made once per checkout and kept in `.localcloud/secrets.json` (git-ignored). */
export interface LocalSecrets {
  readonly tokenSecret: string;
  readonly rabbitAdminPassword: string;
  readonly amqpPlatformPassword: string;
}

const secretsPath = join(localCloudDir, 'secrets.json');

export function localSecrets(): LocalSecrets {
  try {
    return JSON.parse(readFileSync(secretsPath, 'utf8')) as LocalSecrets;
  } catch {
    const secrets: LocalSecrets = {
      tokenSecret: randomBytes(48).toString('base64'),
      rabbitAdminPassword: randomBytes(18).toString('base64url'),
      amqpPlatformPassword: randomBytes(18).toString('base64url'),
    };
    mkdirSync(dirname(secretsPath), { recursive: true });
    writeFileSync(secretsPath, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    return secrets;
  }
}
