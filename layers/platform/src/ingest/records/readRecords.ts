import { parse as parseCsv, type CsvError } from 'csv-parse';
import type { Readable } from 'node:stream';
import StreamArray from 'stream-json/streamers/StreamArray.js';
import type { TextFormat } from '../../tenants/FileFormat';
import { MalformedFileError } from './MalformedFileError';
import type { SourceItem } from './SourceRecord';

/** The longest line or CSV record accepted; a longer one is a bad row, not an out-of-memory. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * Reads a file's records one at a time, holding only the current record in
 * memory, so a file of any size ingests in bounded memory.
 *
 * - CSV: a header line, then one record per line (quoted fields may span lines);
 *   `position` is the line number.
 * - NDJSON: one JSON object per line; `position` is the line number.
 * - JSON: one top-level array of objects; `position` is the element's number.
 *
 * A record that cannot be read yields a `malformed` item and reading goes on;
 * a file that cannot be read at all (no header, not an array, broken JSON)
 * throws {@link MalformedFileError}.
 *
 * @example
 * for await (const item of readRecords(stream, 'csv')) {
 *   if (item.kind === 'record') console.log(item.record.fields);
 * }
 */
export function readRecords(stream: Readable, format: TextFormat): AsyncGenerator<SourceItem> {
  switch (format) {
    case 'csv':
      return readCsv(stream);
    case 'ndjson':
      return readNdjson(stream);
    case 'json':
      return readJsonArray(stream);
  }
}

/**
 * Makes the parser emit `{ line, record }`: the line a record ends on, read
 * from the parser's live counters as it emits the record. (csv-parse's own
 * `info` and `on_record` options build an object of a dozen counters per
 * record, which costs a fifth of the parsing time.)
 */
function withLineNumbers(parser: ReturnType<typeof parseCsv>): void {
  const live = (parser as unknown as { info: { lines: number } }).info;
  const push = parser.push.bind(parser);
  parser.push = (record: unknown) => push(record === null ? null : { line: live.lines, record });
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

/** csv-parse's reasons, without the line number (it is given next to them). */
function csvReason(error: CsvError): string {
  return error.message.replace(/ (at|on) line \d+\.?$/, '');
}

/**
 * A CSV header's names, each kept: a name that repeats an earlier one gets
 * `_2`, `_3`, ... (the first free one), so `a,a,b` reads as `a`, `a_2`, `b`
 * and no value is dropped.
 */
export function distinctNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let n = 2;
    while (taken.has(`${name}_${n}`)) n += 1;
    const renamed = `${name}_${n}`;
    taken.add(renamed);
    seen.add(renamed);
    return renamed;
  });
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

async function* readCsv(stream: Readable): AsyncGenerator<SourceItem> {
  const skipped: SourceItem[] = [];
  const parser = parseCsv({
    bom: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // Field counts are checked below, so such a line is reported in order with the others.
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
    on_skip: (error: CsvError | undefined) => {
      if (error) skipped.push({ kind: 'malformed', position: Number(error.lines), reason: csvReason(error) });
    },
  });
  withLineNumbers(parser);
  const source = sourceFailure(stream, parser);
  stream.pipe(parser);
  let header: string[] | undefined;
  try {
    for await (const { record, line } of parser as AsyncIterable<{ record: string[]; line: number }>) {
      while (skipped.length) yield skipped.shift() as SourceItem;
      if (!header) {
        header = record.map((name) => name.trim());
        if (header.some((name) => name === '')) throw new MalformedFileError(`line ${line}: the CSV header has an empty column name`);
        header = distinctNames(header);
        continue;
      }
      if (record.length !== header.length) {
        yield { kind: 'malformed', position: line, reason: `expected ${header.length} fields, found ${record.length}`, raw: csvLine(record) };
        continue;
      }
      const fields: Record<string, string> = {};
      for (let index = 0; index < header.length; index += 1) fields[header[index] as string] = record[index] as string;
      yield { kind: 'record', record: { position: line, fields } };
    }
  } catch (error) {
    if (error instanceof MalformedFileError) throw error;
    if (source.error) throw source.error;
    throw new MalformedFileError(`malformed CSV: ${(error as Error).message}`, { cause: error });
  }
  while (skipped.length) yield skipped.shift() as SourceItem;
  if (!header) throw new MalformedFileError('the file is empty: a CSV file needs a header line naming its columns');
}

async function* readLines(stream: Readable): AsyncGenerator<{ line: number; text: string } | { line: number; tooLong: true }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(10, start); newline >= 0; newline = chunk.indexOf(10, start)) {
      line += 1;
      const piece = chunk.subarray(start, newline);
      if (tooLong || pendingBytes + piece.length > MAX_RECORD_BYTES) yield { line, tooLong: true };
      else yield { line, text: Buffer.concat([...pending, piece]).toString('utf8') };
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
  }
  if (tooLong) yield { line: line + 1, tooLong: true };
  else if (pendingBytes) yield { line: line + 1, text: Buffer.concat(pending).toString('utf8') };
}

async function* readNdjson(stream: Readable): AsyncGenerator<SourceItem> {
  for await (const item of readLines(stream)) {
    if ('tooLong' in item) {
      yield { kind: 'malformed', position: item.line, reason: `the line is longer than ${MAX_RECORD_BYTES} bytes` };
      continue;
    }
    const text = item.text.replace(/\r$/, '');
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield { kind: 'malformed', position: item.line, reason: `invalid JSON (${(error as Error).message})`, raw: text };
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      yield { kind: 'malformed', position: item.line, reason: 'expected a JSON object', raw: text };
      continue;
    }
    yield { kind: 'record', record: { position: item.line, fields: value as Record<string, unknown> } };
  }
}

async function* readJsonArray(stream: Readable): AsyncGenerator<SourceItem> {
  const elements = StreamArray.withParser();
  const source = sourceFailure(stream, elements);
  stream.pipe(elements);
  try {
    for await (const { key, value } of elements as AsyncIterable<{ key: number; value: unknown }>) {
      const position = key + 1;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        yield { kind: 'malformed', position, reason: 'expected a JSON object', raw: JSON.stringify(value) };
      } else {
        yield { kind: 'record', record: { position, fields: value as Record<string, unknown> } };
      }
    }
  } catch (error) {
    if (error instanceof MalformedFileError) throw error;
    if (source.error) throw source.error;
    throw new MalformedFileError(`malformed JSON: ${(error as Error).message} (a .json file must hold one array of objects)`, { cause: error });
  }
}
