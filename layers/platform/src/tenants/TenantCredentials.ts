import { z } from 'zod';
import { RABBIT_HASHING_ALGORITHM } from '../auth/amqpPasswordHash';
import { isPasswordHash } from '../auth/passwordHash';

/**
 * A tenant's credentials, hashed: the API password (scrypt) and the AMQP
 * secret (RabbitMQ's own hash format). Stored as
 * `tenants/<tenant>/credentials.json`; never a plaintext secret.
 */
export const TenantCredentialsSchema = z
  .object({
    passwordHash: z.string().refine(isPasswordHash, 'must be a scrypt hash in PHC format ($scrypt$ln=..,r=..,p=..$salt$hash)'),
    amqp: z
      .object({
        hashingAlgorithm: z.literal(RABBIT_HASHING_ALGORITHM),
        passwordHash: z.string().regex(/^[A-Za-z0-9+/]{48}$/, 'must be a RabbitMQ sha256 password hash (base64 of 36 bytes)'),
      })
      .strict(),
  })
  .strict();

export type TenantCredentials = z.infer<typeof TenantCredentialsSchema>;
