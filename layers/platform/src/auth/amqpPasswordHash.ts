import { createHash, randomBytes } from 'node:crypto';

/**
 * RabbitMQ's own password hash format (`rabbit_password_hashing_sha256`):
 * base64(salt[4] ++ sha256(salt[4] ++ password)). The platform stores this
 * hash, never the AMQP secret, and hands it to RabbitMQ when it provisions the
 * tenant's AMQP user.
 *
 * A salted SHA-256 is fast to compute, so the AMQP secret is always a random
 * 144-bit value made by {@link generateAmqpSecret}, never a human password.
 *
 * @example
 * const secret = generateAmqpSecret();
 * const stored = rabbitPasswordHash(secret); // goes to tenants/<t>/credentials.json
 */
export const RABBIT_HASHING_ALGORITHM = 'rabbit_password_hashing_sha256';

export function rabbitPasswordHash(secret: string, salt: Buffer = randomBytes(4)): string {
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(secret, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

export function verifyRabbitPasswordHash(secret: string, stored: string): boolean {
  const bytes = Buffer.from(stored, 'base64');
  return bytes.length === 36 && rabbitPasswordHash(secret, bytes.subarray(0, 4)) === stored;
}

export function generateAmqpSecret(): string {
  return randomBytes(18).toString('base64url');
}
