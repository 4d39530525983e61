import type { z } from 'zod';
import { RecordError } from '../records/RecordError';

/**
 * A record's fields (or a message's body) checked against a zod schema: the
 * parsed value, or a {@link RecordError} naming each bad field, so that the
 * record is counted as a bad row (a message retried, then dead-lettered) with
 * that reason.
 *
 * @example
 * const order = parseRecord(OrderSchema, record.fields);
 * // RecordError: "total: does not equal the sum of qty x unit_price over the items; items.0.qty: ..."
 */
export function parseRecord<T>(schema: z.ZodType<T>, fields: unknown): T {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    throw new RecordError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`).join('; '));
  }
  return parsed.data;
}
