import { Readable } from 'node:stream';
import type { TextFormat } from '../../tenants/FileFormat';
import { readRecords } from '../records/readRecords';
import type { SourceBatch } from '../records/SourceRecord';
import type { ChunkSpan } from './ChunkBoundaries';

/** The bytes of one chunk, and for a CSV chunk after the first, the file's header. */
export interface ChunkBytes {
  readonly body: Readable;
  readonly header?: Readable | undefined;
}

async function* concat(...parts: Array<AsyncIterable<Buffer | string> | Iterable<Buffer | string>>): AsyncGenerator<Buffer> {
  for (const part of parts) for await (const piece of part) yield Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
}

/** The chunk's bytes without its first one (the comma that separates it from the previous element). */
async function* withoutFirstByte(body: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const piece of body) {
    if (first && piece.length) {
      first = false;
      if (piece.length > 1) yield piece.subarray(1);
      continue;
    }
    yield piece;
  }
}

/**
 * Reads the records of one chunk of a file, numbered as in the whole file:
 *
 * - CSV: the file's header, then the chunk (its first chunk holds the header already);
 * - NDJSON: the chunk's lines;
 * - JSON array: the chunk's elements, made an array of their own (a chunk after
 *   the first starts at the comma that separates it from the previous element,
 *   and only the last one holds the closing bracket).
 *
 * So a record reads the same, and has the same line or element number, whether
 * the file is read whole or chunk by chunk.
 *
 * @example
 * for await (const batch of readChunkSourceRecords('csv', chunk, { header, body }, objectSize)) ...
 */
export function readChunkSourceRecords(format: TextFormat, chunk: ChunkSpan, bytes: ChunkBytes, fileSize: number): AsyncGenerator<SourceBatch> {
  let source: Readable;
  if (format === 'csv' && chunk.start > 0) {
    if (!bytes.header) throw new RangeError('a CSV chunk after the first needs the file header');
    source = Readable.from(concat(bytes.header, bytes.body));
  } else if (format === 'json' && (chunk.start > 0 || chunk.end < fileSize)) {
    const body = chunk.start > 0 ? concat(['['], withoutFirstByte(bytes.body)) : concat(bytes.body);
    source = Readable.from(chunk.end < fileSize ? concat(body, [']']) : body);
  } else {
    source = bytes.body;
  }
  return readRecords(source, format, chunk.positionOffset);
}
