import { createRequire } from 'node:module';
import cassandra from 'cassandra-driver';

// The driver's frame writing, as the project's patch (patches/cassandra-driver+*.patch) leaves it: one buffer a frame,
// the commonest values written into it in place. These are its internals, so they are reached by path.
const require = createRequire(import.meta.url);

interface ColumnType {
  readonly code: number;
}
interface Encoder {
  encode(value: unknown, type: ColumnType | null): Buffer | null;
  decode(bytes: Buffer, type: ColumnType): unknown;
}
interface FrameWriter {
  writeBytes(bytes: Buffer | null): void;
  writeValue(encoder: Encoder, value: unknown, type: ColumnType | null): void;
  write(version: number, streamId: number): Buffer;
}
type ExecutionOptions = Record<string, () => unknown>;

const EncoderClass = require('cassandra-driver/lib/encoder') as new (version: number, options: object) => Encoder;
const { FrameWriter } = require('cassandra-driver/lib/writers') as { FrameWriter: new (opcode: number) => FrameWriter };
const { BatchRequest } = require('cassandra-driver/lib/requests') as {
  BatchRequest: new (queries: object[], options: ExecutionOptions) => { write(encoder: Encoder, streamId: number): Buffer };
};

const { dataTypes, LocalDate, Long, unset } = cassandra.types;
const VERSION = 4;
const HEADER = 9;
const encoder = new EncoderClass(VERSION, { encoding: {} });
const type = (code: number): ColumnType => ({ code });
/** A LocalDate of days since 1970 (the driver's one-argument form, which its typings leave out): past JavaScript's Date range it keeps only the days. */
const daysSinceEpoch = (days: number) => new (LocalDate as unknown as new (days: number) => cassandra.types.LocalDate)(days);

/** The frame of one value written in place, and of the same value encoded first, as the driver did before the patch. */
function bothWays(value: unknown, columnType: ColumnType | null): { inPlace: Buffer; encoded: Buffer } {
  const inPlace = new FrameWriter(dataTypes.varchar);
  inPlace.writeValue(encoder, value, columnType);
  const encoded = new FrameWriter(dataTypes.varchar);
  encoded.writeBytes(encoder.encode(value, columnType));
  return { inPlace: inPlace.write(VERSION, 1), encoded: encoded.write(VERSION, 1) };
}

describe('the driver writes values in place, byte for byte as its encoder does', () => {
  const cases: [string, unknown, ColumnType | null][] = [
    ['ASCII text', 'turtle-001', type(dataTypes.varchar)],
    ['text with two-, three- and four-byte characters', 'é€😀 ok', type(dataTypes.varchar)],
    ['a lone surrogate', 'a\ud800b', type(dataTypes.text)],
    ['empty text', '', type(dataTypes.varchar)],
    ['a double', 25.9, type(dataTypes.double)],
    ['a negative double', -0.08, type(dataTypes.double)],
    ['NaN as a double', Number.NaN, type(dataTypes.double)],
    ['a double given as text', '1010.3', type(dataTypes.double)],
    ['an int', 2986, type(dataTypes.int)],
    ['the smallest int', -(2 ** 31), type(dataTypes.int)],
    ['a fraction as an int (the encoder truncates it)', 1.5, type(dataTypes.int)],
    ['a Date as a timestamp', new Date('2018-10-01T00:00:00.000Z'), type(dataTypes.timestamp)],
    ['a Date before 1970', new Date('1901-12-13T20:45:52.123Z'), type(dataTypes.timestamp)],
    ['epoch milliseconds as a timestamp', 1538352000123, type(dataTypes.timestamp)],
    ['negative milliseconds as a timestamp', -1, type(dataTypes.timestamp)],
    ['a Long as a timestamp', Long.fromNumber(1538352000123), type(dataTypes.timestamp)],
    ['a LocalDate', LocalDate.fromString('2018-10-01'), type(dataTypes.date)],
    ['a LocalDate before 1970', LocalDate.fromString('1969-07-20'), type(dataTypes.date)],
    ['a LocalDate out of Date range', daysSinceEpoch(-2_000_000_000), type(dataTypes.date)],
    ['a date given as text', '2018-10-01', type(dataTypes.date)],
    ['null', null, type(dataTypes.double)],
    ['unset', unset, type(dataTypes.int)],
    ['a bigint', Long.fromString('9007199254740993'), type(dataTypes.bigint)],
    ['a blob', Buffer.from([0, 1, 2]), type(dataTypes.blob)],
    ['a value without a type (guessed)', 'guessed', null],
  ];
  it.each(cases)('%s', (_name, value, columnType) => {
    const { inPlace, encoded } = bothWays(value, columnType);
    expect(inPlace).toEqual(encoded);
  });

  it('refuses what the encoder refuses, with its error', () => {
    for (const [value, code] of [
      ['warm', dataTypes.double],
      [{}, dataTypes.int],
      [new Date(Number.NaN), dataTypes.timestamp],
      [12, dataTypes.varchar],
    ] as const) {
      const columnType = type(code);
      expect(() => new FrameWriter(dataTypes.varchar).writeValue(encoder, value, columnType)).toThrow(TypeError);
      expect(() => encoder.encode(value, columnType)).toThrow(TypeError);
    }
  });
});

describe('the driver writes each frame into a buffer of its own', () => {
  it('keeps a frame as it was when the next frame is written in the buffer it was written in', () => {
    const first = new FrameWriter(dataTypes.varchar);
    first.writeValue(encoder, 'first', type(dataTypes.varchar));
    const firstFrame = first.write(VERSION, 1);
    const copy = Buffer.from(firstFrame);
    const second = new FrameWriter(dataTypes.varchar);
    second.writeValue(encoder, 'second, longer than the first', type(dataTypes.varchar));
    second.write(VERSION, 2);
    expect(firstFrame).toEqual(copy);
  });

  it('grows the buffer for a frame larger than it (here 300,000 characters of three bytes each)', () => {
    const text = '€'.repeat(300_000);
    const { inPlace, encoded } = bothWays(text, type(dataTypes.varchar));
    expect(inPlace.length).toBe(HEADER + 4 + 900_000);
    expect(inPlace.equals(encoded)).toBe(true);
  });
});

describe('a batch of prepared statements, written in place', () => {
  const columns = [dataTypes.varchar, dataTypes.date, dataTypes.timestamp, dataTypes.double, dataTypes.int].map((code) => ({ type: type(code) }));
  const rows = Array.from({ length: 100 }, (_, index) => [
    `turtle-${index}`,
    LocalDate.fromString('2018-10-01'),
    new Date(1538352000000 + index),
    index / 3,
    index % 7 === 0 ? null : index,
  ]);
  const options: ExecutionOptions = {
    isQueryTracing: () => false,
    getCustomPayload: () => undefined,
    getConsistency: () => cassandra.types.consistencies.localQuorum,
    getSerialConsistency: () => undefined,
    getKeyspace: () => undefined,
    getOrGenerateTimestamp: () => Long.fromNumber(1538352000000000),
    getHints: () => undefined,
    isBatchCounter: () => false,
    isBatchLogged: () => false,
  };

  it('reads back as the statements and values it was given', () => {
    const queryId = Buffer.from('0123456789abcdef');
    const frame = new BatchRequest(
      rows.map((params) => ({ query: 'INSERT', params, queryId, meta: { columns } })),
      options,
    ).write(encoder, 7);
    expect(frame.readUInt32BE(5)).toBe(frame.length - HEADER);
    let at = HEADER;
    expect(frame[at]).toBe(1); // unlogged
    expect(frame.readUInt16BE(at + 1)).toBe(rows.length);
    at += 3;
    const read: unknown[][] = [];
    for (let statement = 0; statement < rows.length; statement += 1) {
      expect(frame[at]).toBe(1); // prepared
      const idLength = frame.readUInt16BE(at + 1);
      expect(frame.subarray(at + 3, at + 3 + idLength)).toEqual(queryId);
      at += 3 + idLength;
      const count = frame.readUInt16BE(at);
      at += 2;
      const values: unknown[] = [];
      for (let index = 0; index < count; index += 1) {
        const length = frame.readInt32BE(at);
        at += 4;
        values.push(length < 0 ? null : encoder.decode(frame.subarray(at, at + length), columns[index]!.type));
        at += Math.max(0, length);
      }
      read.push(values);
    }
    expect(read).toEqual(rows);
    expect(frame.readUInt16BE(at)).toBe(cassandra.types.consistencies.localQuorum);
  });
});
