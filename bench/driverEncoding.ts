// What it costs the cassandra-driver, per row, to make the requests a chunk's
// write sends: the zoo readings of the benchmark file, typed as `RowWriter`
// gives them, in unlogged batches of 100 rows of one partition, each batch's
// frame written as the driver writes it (no node, nothing sent). Measured both
// ways in the same run: as the project's patch of the driver does it (values
// written into the frame in place, the batch's query looked up once) and as
// the driver did before (each value encoded into a buffer of its own first, the
// query looked up once per statement). Appends a section to BENCHMARKS.md.
//   npm run bench:encode [-- <rows, default 1000000>]
import { createRequire } from 'node:module';
import cassandra from 'cassandra-driver';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { readingsRandom, readingValues } from './generateReadings';
import { describeMachine, today } from './machine';

const require = createRequire(import.meta.url);

interface ColumnType {
  readonly code: number;
}
interface Encoder {
  encode(value: unknown, type: ColumnType | null): Buffer | null;
}
interface FrameWriterPrototype {
  writeValue(this: FrameWriterPrototype, encoder: Encoder, value: unknown, type: ColumnType | null): void;
  writeBytes(bytes: Buffer | null): void;
}
interface Prepared {
  queryId: Buffer;
  meta: { columns: { type: ColumnType }[] };
}
type Statement = { query: string; params: unknown[] };
interface PrepareHandler {
  getPrepared(client: object, loadBalancing: null, query: string, keyspace: string): Promise<Prepared>;
  getPreparedMultiple(client: object, loadBalancing: null, queries: Statement[], keyspace: string): Promise<object[]>;
}

const EncoderClass = require('cassandra-driver/lib/encoder') as new (version: number, options: object) => Encoder;
const { FrameWriter } = require('cassandra-driver/lib/writers') as { FrameWriter: { prototype: FrameWriterPrototype } };
const { BatchRequest } = require('cassandra-driver/lib/requests') as {
  BatchRequest: new (queries: object[], options: object) => { write(encoder: Encoder, streamId: number): Buffer };
};
const PrepareHandlerClass = require('cassandra-driver/lib/prepare-handler') as PrepareHandler;
const Metadata = require('cassandra-driver/lib/metadata') as new (
  options: object,
  controlConnection: object,
) => {
  log: () => void;
  getPreparedInfo(keyspace: string, query: string): Prepared;
};

const rows = Number(process.argv[2] ?? 1_000_000);
const ROWS_PER_BATCH = 100;
const { dataTypes, LocalDate, Long } = cassandra.types;
const KEYSPACE = 'bench_tenant_zoo';
const QUERY = `INSERT INTO "${KEYSPACE}"."sensor_readings" ("dev_id", "day", "ts", "temperature", "humidity", "pressure", "battery", "acceleration", "acceleration_x", "acceleration_y", "acceleration_z") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const columns = [
  dataTypes.varchar,
  dataTypes.date,
  dataTypes.timestamp,
  dataTypes.double,
  dataTypes.double,
  dataTypes.double,
  dataTypes.int,
  dataTypes.double,
  dataTypes.double,
  dataTypes.double,
  dataTypes.double,
].map((code) => ({ type: { code } }));

/** The benchmark file's rows as the CSV holds them, in batches of one partition. */
function batches(): string[][][] {
  const random = readingsRandom();
  const partitions = new Map<string, string[][]>();
  for (let n = 0; n < rows; n += 1) {
    const values = readingValues(n, random);
    const key = `${values[0]}|${values[1]}`;
    let partition = partitions.get(key);
    if (!partition) partitions.set(key, (partition = []));
    partition.push(values);
  }
  const result: string[][][] = [];
  for (const partitionRows of partitions.values()) {
    for (let at = 0; at < partitionRows.length; at += ROWS_PER_BATCH) result.push(partitionRows.slice(at, at + ROWS_PER_BATCH));
  }
  return result;
}

const queryId = Buffer.alloc(16, 1);
const days = new Map<string, cassandra.types.LocalDate>();
/** A batch's statements, typed as `RowWriter` hands them to the driver (a day's LocalDate made once), made just before they are written, as a chunk's are. */
function statements(batch: string[][]): (Statement & Prepared)[] {
  return batch.map(([dev, day, ts, ...numbers]) => {
    let date = days.get(day as string);
    if (!date) days.set(day as string, (date = LocalDate.fromString(day as string)));
    return { query: QUERY, params: [dev, date, new Date(ts as string), ...numbers.map(Number)], queryId, meta: { columns } };
  });
}

/** The best of five passes over every batch, in µs a row: the time `step` took on each batch's statements, made fresh for it. */
async function microsPerRow(step: (batch: (Statement & Prepared)[]) => Promise<void> | void): Promise<number> {
  let best = Infinity;
  for (let round = 0; round < 5; round += 1) {
    let spent = 0;
    for (const batch of all) {
      const fresh = statements(batch);
      const begin = performance.now();
      await step(fresh);
      spent += performance.now() - begin;
    }
    best = Math.min(best, (spent * 1000) / rows);
  }
  return best;
}

const encoder = new EncoderClass(4, { encoding: {} });
const options = {
  isQueryTracing: () => false,
  getCustomPayload: () => undefined,
  getConsistency: () => cassandra.types.consistencies.localQuorum,
  getSerialConsistency: () => undefined,
  getKeyspace: () => undefined,
  getOrGenerateTimestamp: () => Long.fromNumber(Date.now() * 1000),
  getHints: () => undefined,
  isBatchCounter: () => false,
  isBatchLogged: () => false,
};
const metadata = new Metadata({ maxPrepared: 500 }, {});
metadata.log = () => {};
Object.assign(metadata.getPreparedInfo(KEYSPACE, QUERY), { queryId, meta: { columns } });
const client = { metadata };

console.log(`[bench:encode] ${rows} rows in batches of ${ROWS_PER_BATCH}`);
const all = batches();
const writeFrame = (batch: object[]): void => {
  new BatchRequest(batch, options).write(encoder, 1);
};

const inPlace = await microsPerRow(writeFrame);
const patchedWriteValue = Object.getOwnPropertyDescriptor(FrameWriter.prototype, 'writeValue') as PropertyDescriptor;
FrameWriter.prototype.writeValue = function encodedFirst(valueEncoder, value, type) {
  this.writeBytes(valueEncoder.encode(value, type));
};
const encodedFirst = await microsPerRow(writeFrame);
Object.defineProperty(FrameWriter.prototype, 'writeValue', patchedWriteValue);

const lookupOnce = await microsPerRow(async (batch) => {
  await PrepareHandlerClass.getPreparedMultiple(client, null, batch, KEYSPACE);
});
const lookupEach = await microsPerRow(async (batch) => {
  for (const statement of batch) await PrepareHandlerClass.getPrepared(client, null, statement.query, KEYSPACE);
});

const table = markdownTable(
  ['step', 'as the patched driver does it (µs a row)', 'as the driver did it (µs a row)'],
  [
    ['a batch frame written (`BatchRequest.write`)', inPlace.toFixed(3), `${encodedFirst.toFixed(3)} (each value a buffer of its own first)`],
    ["the batch's prepared query found (`getPreparedMultiple`)", lookupOnce.toFixed(3), `${lookupEach.toFixed(3)} (once a statement)`],
  ],
);
console.log(table);
await appendBenchmark(`## The driver's cost to encode a chunk's rows, ${today()}

Machine: ${describeMachine()}.

${rows} zoo readings of the benchmark file (\`bench/generateReadings.ts\`), typed as \`RowWriter\` gives them to the driver, in unlogged batches of ${ROWS_PER_BATCH} rows of one partition, written into frames as the cassandra-driver does it before sending (nothing sent; \`npm run bench:encode\`). Each batch's rows are made just before its step is timed, as a chunk's are (the time of making them is not counted); the best of five passes. The "did" column is the same driver with its old value path put back for the pass: each value encoded into a buffer of its own, then copied into the frame. The frame is one buffer in both (that part of the patch cannot be undone in a run).

${table}
`);
