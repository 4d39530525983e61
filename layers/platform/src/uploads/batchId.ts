import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../errors';

const BATCH_ID = /^\d{8}T\d{6}Z-[a-z0-9]{6}$/;

/**
 * Batch ids sort by creation time and read as one: `20261127T203000Z-k3j9xq`.
 *
 * @example
 * newBatchId(new Date('2026-11-27T20:30:00Z')); // '20261127T203000Z-<random>'
 */
export function newBatchId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const suffix = [...randomBytes(6)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `${stamp}-${suffix}`;
}

export function isBatchId(value: unknown): value is string {
  return typeof value === 'string' && BATCH_ID.test(value);
}

export function assertBatchId(value: unknown): string {
  if (!isBatchId(value)) throw new InvalidInputError(`"${String(value)}" is not a batch id (expected e.g. 20261127T203000Z-k3j9xq)`);
  return value;
}
