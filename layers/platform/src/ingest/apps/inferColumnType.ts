import type { CqlType } from '../../cassandra/TableSpec';
import { DATE_TEXT, INTEGER_TEXT, NUMBER_TEXT, TIMESTAMP_TEXT } from './cqlValue';

type Kind = 'boolean' | 'bigint' | 'double' | 'date' | 'timestamp' | 'text';

function kindOf(value: unknown): Kind | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'bigint' : Number.isFinite(value) ? 'double' : 'text';
  if (typeof value !== 'string') return 'text';
  if (/^(true|false)$/i.test(value)) return 'boolean';
  if (INTEGER_TEXT.test(value)) return 'bigint';
  // Too long for a bigint, and a double would round it: an identifier, not a quantity.
  if (/^-?\d+$/.test(value)) return 'text';
  if (NUMBER_TEXT.test(value)) return 'double';
  if (DATE_TEXT.test(value)) return 'date';
  if (TIMESTAMP_TEXT.test(value)) return 'timestamp';
  return 'text';
}

/**
 * Infers a column's CQL type from sample values, conservatively: a type is
 * chosen only when every non-empty value has it (integers may widen to
 * double); anything else, including numbers with leading zeros such as zip
 * codes, is text. An all-empty column is text.
 *
 * @example
 * inferColumnType(['1', '2', '3']); // 'bigint'
 * inferColumnType(['00501', '10001']); // 'text'
 */
export function inferColumnType(values: readonly unknown[]): CqlType {
  const kinds = new Set<Kind>();
  for (const value of values) {
    const kind = kindOf(value);
    if (kind) kinds.add(kind);
  }
  if (kinds.size === 0 || kinds.has('text')) return 'text';
  if (kinds.size === 1) return [...kinds][0] as CqlType;
  if (kinds.size === 2 && kinds.has('bigint') && kinds.has('double')) return 'double';
  return 'text';
}
