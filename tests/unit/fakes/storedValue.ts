import cassandra from 'cassandra-driver';
import { driverEncoder } from '../../../layers/platform/src/cassandra/RowCodec';

const { dataTypes } = cassandra.types as unknown as { dataTypes: { getByName(name: string): { code: number } } };

/**
 * A value handed to the driver for a column of `type`, as Cassandra stores
 * it and reads it back: rows written from what a validate pass kept hand a
 * timestamp over as its milliseconds and some values as the bytes the driver
 * sends as they are, which a test compares as the typed values they are.
 *
 * @example
 * storedValue(1538352000000, 'timestamp'); // new Date(1538352000000)
 */
export function storedValue(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  const bytes = Buffer.isBuffer(value) ? value : driverEncoder.encode(value, type);
  return bytes === null ? null : driverEncoder.decode(bytes, dataTypes.getByName(type));
}
