import cassandra from 'cassandra-driver';
import type { CqlType } from '../../cassandra/TableSpec';
import { jsonText } from '../records/jsonText';
import { RecordError } from '../records/RecordError';

/** Integers without a sign other than "-", without leading zeros, that fit a CQL bigint. */
export const INTEGER_TEXT = /^-?(0|[1-9]\d{0,17})$/;
/** Decimal numbers without leading zeros ("007.5" stays text). */
export const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d{1,3})?$/;
export const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
/** ISO 8601 date and time with a zone: without one the instant is ambiguous, so it stays text. */
export const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function isValidDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : jsonText(value);
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/** Where a CQL int stops. */
const INT_MAX = 2 ** 31 - 1;

/**
 * Converts a raw field (CSV text, a JSON value, or a Parquet value: a BigInt,
 * a Date, a Buffer) to the JavaScript value the Cassandra driver writes for
 * `type`; an empty field is null. Throws a `RecordError` naming the column
 * when the value does not fit.
 *
 * @example
 * cqlValue('42', 'bigint', 'count'); // 42n
 * cqlValue('abc', 'double', 'temperature'); // throws RecordError
 */
export function cqlValue(value: unknown, type: CqlType, column: string): unknown {
  if (value === undefined || value === null || value === '') return null;
  const wrong = (): never => {
    throw new RecordError(`${column}: ${describe(value)} is not a valid ${type}`);
  };
  switch (type) {
    case 'text':
      return typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
          ? String(value)
          : value instanceof Date
            ? value.toISOString()
            : value instanceof Uint8Array
              ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
              : jsonText(value);
    case 'bigint':
    case 'int': {
      if (typeof value === 'number') return Number.isSafeInteger(value) ? (type === 'int' ? value : BigInt(value)) : wrong();
      if (typeof value === 'bigint') return type === 'bigint' ? value : value >= -INT_MAX - 1 && value <= INT_MAX ? Number(value) : wrong();
      if (typeof value !== 'string' || !INTEGER_TEXT.test(value)) return wrong();
      return type === 'int' ? Number(value) : BigInt(value);
    }
    case 'double':
    case 'float':
    case 'decimal': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : wrong();
      if (typeof value === 'bigint') return type === 'decimal' ? cassandra.types.BigDecimal.fromString(value.toString()) : Number(value);
      if (typeof value !== 'string' || !NUMBER_TEXT.test(value)) return wrong();
      // A decimal keeps every digit of its text; a double or a float is the nearest number.
      return type === 'decimal' ? cassandra.types.BigDecimal.fromString(value) : Number(value);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const lower = typeof value === 'string' ? value.toLowerCase() : '';
      return lower === 'true' ? true : lower === 'false' ? false : wrong();
    }
    case 'timestamp': {
      if (value instanceof Date) return value;
      if (typeof value !== 'string' || !TIMESTAMP_TEXT.test(value)) return wrong();
      const date = new Date(value.replace(' ', 'T'));
      return Number.isNaN(date.getTime()) ? wrong() : date;
    }
    case 'date':
      return typeof value === 'string' && DATE_TEXT.test(value) && isValidDate(value) ? value : wrong();
    case 'blob':
      return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : wrong();
    default:
      return typeof value === 'string' ? value : jsonText(value);
  }
}
