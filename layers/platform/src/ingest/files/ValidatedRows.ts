import { decodeRows, RowEncoder } from '../../cassandra/RowCodec';
import type { RowValues, ValuedRow } from '../../cassandra/RowValues';
import type { TableRow } from '../../cassandra/TableSpec';
import type { IngestBucket } from '../../storage/IngestBucket';
import type { UploadRef } from './ChunkTask';
import { versionStagingPrefix } from './staging';

/** Bytes of one part of a chunk's kept rows: what the validate pass holds at most before it puts a part, and the write pass reads at once. */
export const VALIDATED_ROWS_PART_BYTES = 8 * 1024 * 1024;
/**
 * Parts a validate pass has on their way to the bucket at most, while it makes the next: a put takes longer than
 * making a part when the bucket is busy (on this machine LocalStack, serving the chunks' reads beside, takes 0.3 to
 * 0.9 s for a part it takes in 35 ms alone), and the scan waits only when three are still on their way.
 */
export const PARTS_ON_THEIR_WAY = 3;
/** Rows handed to the writer at a time. */
const ROWS_PER_BATCH = 1000;

/**
 * The rows a chunk's validate pass made, kept for its write pass, so that
 * the write pass does not read, parse and check the chunk again: the rows
 * in the chunk's order, as {@link RowEncoder} keeps them, in parts of about
 * 8 MiB under the ingestion's staging prefix
 * (`staging/<tenant>/<ingestion>/<version>/rows/<chunk>-<part>`),
 * each led by the tables its rows are for, deleted with the rest of the
 * staging when the ingestion ends.
 *
 * The chunk's checkpoint says how many parts there are once the chunk is
 * validated, so a write pass reads only rows of a validation that finished.
 * A chunk validated again writes the same parts again.
 *
 * @example
 * const keeper = validatedRows.keeper(upload, chunk.index, writer.values);
 * await scanSourceRecords(batches, { ..., rowKeeper: keeper });
 * const parts = await keeper.finish();
 * const kept = await validatedRows.open(upload, chunk.index, parts, writer.values);
 * for await (const rows of kept ?? []) await writer.writeValued(rows);
 */
export class ValidatedRows {
  constructor(private readonly bucket: IngestBucket) {}

  /** Keeps a chunk's rows as its validate pass makes them. */
  keeper(upload: UploadRef, chunk: number, values: RowValues): RowKeeper {
    return new RowKeeper(values, (part, bytes) => this.bucket.putBytes(this.partKey(upload, chunk, part), bytes, 'application/octet-stream'));
  }

  /**
   * A chunk's kept rows, in its order, a batch at a time (the next part is read while the rows of one are written);
   * or undefined when they cannot be used, and the chunk is then read again: they were kept for other tables than
   * `values` has (the app's tables changed since the chunk was validated), or a part is gone (the staging expired
   * under a failed ingestion redriven late, see `STAGING_EXPIRATION_DAYS`). A part gone after that check is an error
   * naming it.
   */
  async open(upload: UploadRef, chunk: number, parts: number, values: RowValues): Promise<AsyncGenerator<ValuedRow[]> | undefined> {
    const expected = layoutOf(values);
    const get = async (part: number): Promise<Buffer> => {
      const key = this.partKey(upload, chunk, part);
      const bytes = await this.bucket.getBytes(key);
      if (!bytes) throw new Error(`part ${part + 1} of ${parts} of chunk ${chunk + 1}'s validated rows is gone (${key})`);
      return bytes;
    };
    const first = parts > 0 ? await this.bucket.getBytes(this.partKey(upload, chunk, 0)) : undefined;
    if (parts > 0 && !first) return undefined;
    if (first && !startsWith(first, expected)) return undefined;
    const rest = await Promise.all(Array.from({ length: Math.max(0, parts - 1) }, (_, index) => this.bucket.head(this.partKey(upload, chunk, index + 1))));
    if (rest.some((part) => part === undefined)) return undefined;
    return (async function* read(): AsyncGenerator<ValuedRow[]> {
      let next: Promise<Buffer> | undefined = first && Promise.resolve(first);
      for (let part = 0; part < parts; part += 1) {
        const bytes = await (next as Promise<Buffer>);
        next = part + 1 < parts ? get(part + 1) : undefined;
        // A part read ahead and never awaited (the writer failed) must not be an unhandled rejection.
        next?.catch(() => undefined);
        if (!startsWith(bytes, expected)) throw new Error(`part ${part + 1} of chunk ${chunk + 1}'s validated rows was kept for other tables`);
        yield* decodeRows(bytes.subarray(expected.length), values.tables, ROWS_PER_BATCH);
      }
    })();
  }

  private partKey(upload: UploadRef, chunk: number, part: number): string {
    return `${versionStagingPrefix(upload)}rows/${chunk}-${part}`;
  }
}

/**
 * What every part starts with: the tables its rows are for (their names, columns and types, in order), so that rows
 * kept for one layout are never read as another's.
 */
function layoutOf(values: RowValues): Buffer {
  const tables = values.tables.map((table) => [table.spec.name, table.columns, table.types]);
  const text = Buffer.from(JSON.stringify(tables));
  const length = Buffer.allocUnsafe(4);
  length.writeUInt32LE(text.length, 0);
  return Buffer.concat([length, text]);
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

/** Where a scan's rows go to be kept (see `scanSourceRecords`): a {@link RowKeeper}, or a {@link rowChecker}. */
export interface RowKeeping {
  /** Takes a record's rows, all or none; a `RecordError` makes the record a bad row. */
  add(rows: readonly TableRow[]): void;
  /** Runs after every batch of records. */
  flush(): Promise<void>;
}

/**
 * Checks rows as a chunk's validate pass keeps them, keeping none: a file taken whole, validated then written in one
 * invocation, refuses a value the driver would refuse as a bad row, as a chunk does.
 */
export function rowChecker(values: RowValues): RowKeeping {
  const encoder = new RowEncoder(values.tables);
  return {
    add: (rows) => encoder.add(rows.map((row) => values.of(row))),
    flush: () => {
      encoder.clear();
      return Promise.resolve();
    },
  };
}

/**
 * The rows a file taken whole validated, kept in memory for its write pass in
 * the same invocation, so that the file is read, parsed and mapped once: the
 * keeper's parts (about 8 MiB each, as a chunk's) are held rather than put,
 * and `rows` hands them over in the file's order, letting go of each part as
 * it is read. A file taken whole is at most a chunk's size, so it holds about
 * what a chunk's validate pass does.
 *
 * @example
 * const kept = new RowsInMemory(values);
 * await scanSourceRecords(batches, { ..., rowKeeper: kept.keeper });
 * await kept.keeper.finish();
 * for (const rows of kept.rows()) await writer.writeValued(rows);
 */
export class RowsInMemory {
  readonly keeper: RowKeeper;
  private readonly parts: Buffer[] = [];
  private readonly layoutBytes: number;

  constructor(private readonly values: RowValues) {
    this.keeper = new RowKeeper(values, (_, bytes) => {
      this.parts.push(bytes);
      return Promise.resolve();
    });
    this.layoutBytes = layoutOf(values).length;
  }

  /** The rows kept, a batch at a time, in the file's order (once the keeper has finished). */
  *rows(): Generator<ValuedRow[]> {
    for (let part = this.parts.shift(); part; part = this.parts.shift()) {
      yield* decodeRows(part.subarray(this.layoutBytes), this.values.tables, ROWS_PER_BATCH);
    }
  }
}

/**
 * A validate pass's rows on their way to the bucket: `add` keeps a record's
 * rows (refusing, with a `RecordError`, a value the driver would refuse: the
 * record is a bad row, and none of its rows is kept), `flush` puts a part once
 * about 8 MiB are held, `finish` puts the last one and says how many parts
 * the chunk has, once every part is put.
 *
 * Parts are put while the scan goes on making the next, so the scan waits
 * for the bucket only when three parts are still on their way: an invocation
 * holds four parts' worth of rows at most (about 32 MiB).
 */
export class RowKeeper implements RowKeeping {
  private readonly encoder: RowEncoder;
  private readonly layout: Buffer;
  private parts = 0;
  /** The parts on their way to the bucket, oldest first. */
  private readonly putting: Promise<void>[] = [];

  constructor(
    private readonly values: RowValues,
    private readonly put: (part: number, bytes: Buffer) => Promise<void>,
  ) {
    this.encoder = new RowEncoder(values.tables);
    this.layout = layoutOf(values);
  }

  add(rows: readonly TableRow[]): void {
    this.encoder.add(rows.map((row) => this.values.of(row)));
  }

  async flush(): Promise<void> {
    if (this.encoder.bytes >= VALIDATED_ROWS_PART_BYTES) await this.putPart();
  }

  async finish(): Promise<number> {
    if (this.encoder.bytes > 0) await this.putPart();
    await Promise.all(this.putting);
    return this.parts;
  }

  private async putPart(): Promise<void> {
    if (this.putting.length >= PARTS_ON_THEIR_WAY) await this.putting.shift();
    // The part is its own copy of the encoder's bytes, which the scan goes on to fill with the next part's rows.
    const putting = this.put(this.parts, Buffer.concat([this.layout, this.encoder.take()]));
    // Awaited by a later part or by `finish`; a scan that stops early (its chunk over the tolerance) awaits none.
    putting.catch(() => undefined);
    this.putting.push(putting);
    this.parts += 1;
  }
}
