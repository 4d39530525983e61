import type { TableSpec } from './TableSpec';

/** A partition key value as text, exact for dates (to the millisecond) and big integers. */
export function keyText(value: unknown): string {
  return value instanceof Date ? String(value.getTime()) : String(value);
}

/**
 * Which partition of which table a row goes to, as one string: rows with the
 * same one can share an unlogged batch (one mutation for Cassandra).
 *
 * @example
 * partitionOf(readings, { dev_id: 't1', day: '2024-01-01', ts: new Date() }); // 'sensor_readings\0t1\02024-01-01'
 */
export function partitionOf(table: Pick<TableSpec, 'name' | 'partitionKey'>, values: Readonly<Record<string, unknown>>): string {
  let key = table.name;
  for (const column of table.partitionKey) key += `\u0000${keyText(values[column])}`;
  return key;
}
