import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import type { TextFormat } from '../../tenants/FileFormat';
import { CsvRecords } from './CsvRecords';
import { MalformedFileError } from './MalformedFileError';
import type { SourceBatch, SourceItem } from './SourceRecord';

/** The longest line or CSV record accepted; a longer one is a bad row, not an out-of-memory. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Records handed on together, at most (a batch of NDJSON or JSON elements; CSV goes a buffer at a time). */
const BATCH_ITEMS = 1000;

/**
 * Reads a file's records in batches, holding only the records of the current
 * buffer in memory, so a file of any size ingests in bounded memory.
 *
 * - CSV: a header line, then one record per line (quoted fields may span lines);
 *   `position` is the line number.
 * - NDJSON: one JSON object per line; `position` is the line number.
 * - JSON: one top-level array of objects; `position` is the element's number.
 *
 * `positionOffset` is added to every position (a chunk's records are numbered
 * as in the whole file). A record that cannot be read yields a `malformed`
 * item and reading goes on; a file that cannot be read at all (no header, not
 * an array, broken JSON) throws {@link MalformedFileError}.
 *
 * @example
 * for await (const batch of readRecords(stream, 'csv')) {
 *   for (const item of batch) if (item.kind === 'record') console.log(item.record.fields);
 * }
 */
export function readRecords(stream: Readable, format: TextFormat, positionOffset = 0): AsyncGenerator<SourceBatch> {
  switch (format) {
    case 'csv':
      return readCsv(stream, positionOffset);
    case 'ndjson':
      return readNdjson(stream, positionOffset);
    case 'json':
      return readJsonArray(stream, positionOffset);
  }
}

/** Values as one CSV record, quoted where they must be (as the bad-rows file holds them). */
export function csvLine(values: readonly unknown[]): string {
  return values
    .map((value) => {
      const text =
        typeof value === 'string'
          ? value
          : typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
            ? String(value)
            : value === null || value === undefined
              ? ''
              : JSON.stringify(value);
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',');
}

/**
 * Passes a failure of the bytes' source (a storage read cut off, a reset
 * connection) on to the parser and keeps it: such a failure says nothing
 * about the file, so it is thrown as it is, to be retried, never reported as
 * malformed input.
 */
function sourceFailure(stream: Readable, parser: { destroy(error?: Error): unknown }): { error?: Error } {
  const source: { error?: Error } = {};
  stream.on('error', (error) => {
    source.error = error;
    parser.destroy(error);
  });
  return source;
}

async function* readCsv(stream: Readable, positionOffset: number): AsyncGenerator<SourceBatch> {
  const records = new CsvRecords(MAX_RECORD_BYTES, positionOffset);
  const decoder = new StringDecoder('utf8');
  for await (const buffer of stream as AsyncIterable<Buffer>) {
    const batch = records.push(decoder.write(buffer));
    if (batch.length) yield batch;
  }
  const last = [...records.push(decoder.end()), ...records.end()];
  if (last.length) yield last;
}

type Line = { readonly line: number; readonly text: string } | { readonly line: number; readonly tooLong: true };

/** The lines of a stream, those ended in each buffer together; a line over the limit is not held, only reported. */
async function* readLines(stream: Readable): AsyncGenerator<Line[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const lines: Line[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      line += 1;
      const piece = chunk.subarray(start, newline);
      if (tooLong || pendingBytes + piece.length > MAX_RECORD_BYTES) lines.push({ line, tooLong: true });
      else lines.push({ line, text: pendingBytes ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8') });
      pending = [];
      pendingBytes = 0;
      tooLong = false;
      start = newline + 1;
    }
    const rest = chunk.subarray(start);
    if (tooLong || pendingBytes + rest.length > MAX_RECORD_BYTES) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
    } else if (rest.length) {
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
    if (lines.length) yield lines;
  }
  if (tooLong) yield [{ line: line + 1, tooLong: true }];
  else if (pendingBytes) yield [{ line: line + 1, text: Buffer.concat(pending).toString('utf8') }];
}

/** One NDJSON line as an item: an object, or why it is not one; none for a blank line. */
function ndjsonItem(item: Line, shift: number): SourceItem | undefined {
  const position = item.line + shift;
  if ('tooLong' in item) return { kind: 'malformed', position, reason: `the line is longer than ${MAX_RECORD_BYTES} bytes` };
  const text = item.text.endsWith('\r') ? item.text.slice(0, -1) : item.text;
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: 'malformed', position, reason: `invalid JSON (${(error as Error).message})`, raw: text };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { kind: 'malformed', position, reason: 'expected a JSON object', raw: text };
  return { kind: 'record', record: { position, fields: value as Record<string, unknown> } };
}

async function* readNdjson(stream: Readable, positionOffset: number): AsyncGenerator<SourceBatch> {
  for await (const lines of readLines(stream)) {
    const batch: SourceItem[] = [];
    for (const line of lines) {
      const item = ndjsonItem(line, positionOffset);
      if (item) batch.push(item);
    }
    if (batch.length) yield batch;
  }
}

async function* readJsonArray(stream: Readable, positionOffset: number): AsyncGenerator<SourceBatch> {
  const elements = StreamArray.withParser();
  const source = sourceFailure(stream, elements);
  stream.pipe(elements);
  let batch: SourceItem[] = [];
  try {
    for await (const { key, value } of elements as AsyncIterable<{ key: number; value: unknown }>) {
      const position = key + 1 + positionOffset;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        batch.push({ kind: 'malformed', position, reason: 'expected a JSON object', raw: JSON.stringify(value) });
      } else {
        batch.push({ kind: 'record', record: { position, fields: value as Record<string, unknown> } });
      }
      if (batch.length >= BATCH_ITEMS) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (error instanceof MalformedFileError) throw error;
    if (source.error) throw source.error;
    throw new MalformedFileError(`malformed JSON: ${(error as Error).message} (a .json file must hold one array of objects)`, { cause: error });
  }
  if (batch.length) yield batch;
}
