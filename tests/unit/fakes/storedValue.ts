import cassandra from 'cassandra-driver';
import { CLIENT_ENCODING } from '../../../layers/platform/src/cassandra/createCassandraClient';

/** The driver's encoder (exported by the driver, though its type declarations leave it out). */
const { Encoder } = cassandra as unknown as {
  Encoder: new (
    protocolVersion: number,
    options: object,
  ) => { encode(value: unknown, type: string): Buffer | null; decode(bytes: Buffer, type: object): unknown };
};
const encoder = new Encoder(4, { encoding: CLIENT_ENCODING });
const { dataTypes } = cassandra.types as unknown as { dataTypes: { getByName(name: string): object } };

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
  const bytes = Buffer.isBuffer(value) ? value : encoder.encode(value, type);
  return bytes === null ? null : encoder.decode(bytes, dataTypes.getByName(type));
}
