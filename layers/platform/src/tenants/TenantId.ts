import { z } from 'zod';
import { InvalidInputError } from '../errors';

/**
 * A tenant id: 2 to 31 lower-case letters and digits, starting with a letter.
 * It is safe as a path segment, a CQL identifier, an SQS queue name part and
 * an AMQP routing key, so it never needs escaping anywhere.
 *
 * @example
 * assertTenantId('zoo'); // ok
 * assertTenantId('../etc'); // throws InvalidInputError
 */
export const TENANT_ID_PATTERN = /^[a-z][a-z0-9]{1,30}$/;

export const TenantIdSchema = z.string().regex(TENANT_ID_PATTERN, 'a tenant id is 2-31 lower-case letters and digits, starting with a letter');

export function isTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}

export function assertTenantId(value: unknown): string {
  if (!isTenantId(value)) {
    throw new InvalidInputError(`"${String(value)}" is not a tenant id: use 2-31 lower-case letters and digits, starting with a letter`);
  }
  return value;
}
