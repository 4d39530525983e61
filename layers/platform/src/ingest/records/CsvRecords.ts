import { MalformedFileError } from './MalformedFileError';
import type { SourceItem } from './SourceRecord';

const QUOTE = '"';
const LF = '\n';
const CR = '\r';

/** How a CSV file's records end, told from its first line break outside quotes (as the cut tells it). */
type RecordDelimiter = 'lf' | 'crlf' | 'cr';

/**
 * A CSV file's records, read from its text as it arrives, by the same rule the
 * cut finds record boundaries by (`ChunkBoundaries`): a record ends at a line
 * break outside quotes, where every quote toggles "inside" (so a doubled quote
 * `""` toggles twice). So a file reads the same whole or chunk by chunk, even
 * where it is malformed.
 *
 * Then each record is split into fields, strictly: a quoted field is a quote,
 * its text with quotes doubled, a quote, then a comma or the record's end; a
 * quote anywhere else makes the record a bad row, with the reason.
 *
 * - Line numbers count as the cut counts them: every CR and LF is a line
 *   break, except that a CRLF record delimiter counts once. A record's
 *   position is the line it ends on.
 * - Empty lines are skipped, a leading byte order mark is dropped, and the
 *   first record is the header.
 * - A record longer than `maxRecordLength` characters is a bad row: its text is
 *   let go of as it is read, and reading goes on after it.
 *
 * Written here rather than taken from a library: csv-parse costs 5.6 µs of CPU
 * a zoo reading on this machine, more than the zoo app's validation of it, and
 * the fast parsers (papaparse, 1 µs) read a stray quote as data and let a
 * malformed closing quote run on across line breaks, so they would not end
 * records where the cut does. This one costs about 1.5 µs a reading (a record
 * without quotes is one `split`).
 *
 * @example
 * const records = new CsvRecords(1024 * 1024);
 * for await (const text of decodedStream) yield records.push(text); // the records each text completes
 * yield records.end(); // the last one, not ended by a line break
 */
export class CsvRecords {
  /** Text not read yet; always starts at the start of a record. */
  private text = '';
  /** Where the search for the current record's end goes on, and whether it is inside quotes there. */
  private scanAt = 0;
  private quoted = false;
  /** The current record holds a quote (so it needs the strict split). */
  private sawQuote = false;
  /** Where the next quote, CR and LF are at or after, in `text` (-1: none up to the end of `text`). */
  private nextQuote = -1;
  private nextCr = -1;
  private nextLf = -1;
  /** The same for the CRs counted as line breaks (searched from record starts, so apart from `nextCr`). */
  private countedCr = -1;
  private delimiter: RecordDelimiter | undefined;
  /** Line breaks before the current record. */
  private lines = 0;
  /** The current record went past the length limit: its text is dropped, its line breaks kept. */
  private tooLong = false;
  private droppedLines = 0;
  private started = false;
  private header: readonly string[] | undefined;

  /** `positionOffset`: added to every record's line number (a chunk's records are numbered as in the whole file). */
  constructor(
    private readonly maxRecordLength: number,
    private readonly positionOffset = 0,
  ) {}

  /** Reads the records the text completes. */
  push(chunk: string): SourceItem[] {
    if (!this.started) {
      this.started = chunk.length > 0;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.text += chunk;
    // Positions of "none up to the end" are unknown again past the old end.
    if (this.nextQuote < 0) this.nextQuote = -2;
    if (this.nextCr < 0) this.nextCr = -2;
    if (this.nextLf < 0) this.nextLf = -2;
    if (this.countedCr < 0) this.countedCr = -2;
    const items: SourceItem[] = [];
    this.read(items, false);
    return items;
  }

  /** The last record (one not ended by a line break), or why it cannot be read. */
  end(): SourceItem[] {
    const items: SourceItem[] = [];
    this.read(items, true);
    if (!this.header) throw new MalformedFileError('the file is empty: a CSV file needs a header line naming its columns');
    return items;
  }

  /**
   * Where `char` next is at or after `from` (-1: nowhere in the text), from a
   * remembered position when it is still ahead, so that a stretch without the
   * character is searched once. Each remembered position is searched from
   * points that only move forward.
   */
  private next(char: string, cached: number, from: number): number {
    return cached >= from || cached === -1 ? cached : this.text.indexOf(char, from);
  }

  private nextQuoteFrom(from: number): number {
    return (this.nextQuote = this.next(QUOTE, this.nextQuote, from));
  }

  private read(items: SourceItem[], ended: boolean): void {
    let start = 0;
    for (;;) {
      const end = this.recordEnd(ended);
      if (end === undefined) break;
      const { contentEnd, next } = end;
      const inner = this.droppedLines + this.breaks(start, contentEnd);
      const position = this.lines + 1 + inner + this.positionOffset;
      if (this.tooLong || contentEnd - start > this.maxRecordLength) {
        items.push({ kind: 'malformed', position, reason: `the record is longer than ${this.maxRecordLength} characters` });
      } else if (contentEnd > start) {
        this.record(items, this.text.slice(start, contentEnd), position, this.sawQuote, this.quoted);
      }
      // The record's own delimiter is one line break (a CRLF one too); at the end of the text there is none.
      this.lines += inner + (next > contentEnd ? 1 : 0);
      start = next;
      this.scanAt = next;
      this.quoted = false;
      this.sawQuote = false;
      this.tooLong = false;
      this.droppedLines = 0;
      if (next >= this.text.length) break;
    }
    this.consume(start);
    if (!ended && this.text.length > this.maxRecordLength) {
      // The record being read is too long: let go of what is scanned of it, keeping its line breaks so far.
      this.tooLong = true;
      this.droppedLines += this.breaks(0, this.scanAt);
      this.consume(this.scanAt);
    }
  }

  /** Drops the text before `at`, keeping the remembered positions in step. */
  private consume(at: number): void {
    if (at === 0) return;
    this.text = this.text.slice(at);
    this.scanAt -= at;
    const shift = (cached: number): number => (cached >= at ? cached - at : cached === -1 ? -1 : -2);
    this.nextQuote = shift(this.nextQuote);
    this.nextCr = shift(this.nextCr);
    this.nextLf = shift(this.nextLf);
    this.countedCr = shift(this.countedCr);
  }

  /**
   * Finds where the current record ends: `contentEnd` before its delimiter,
   * `next` after it. None while the text read so far does not hold its end
   * (then `scanAt` is where the search goes on, all before it scanned). At the
   * end of the file, the rest of the text is the last record, quoted or not.
   */
  private recordEnd(ended: boolean): { contentEnd: number; next: number } | undefined {
    let at = this.scanAt;
    for (;;) {
      const quote = this.nextQuoteFrom(at);
      if (this.quoted) {
        if (quote < 0) break;
        this.quoted = false;
        at = quote + 1;
        continue;
      }
      const lineBreak = this.lineBreakFrom(at, quote, ended);
      if (lineBreak === undefined) {
        // A CR at the end of the text, before the delimiter is known: the next byte tells.
        this.scanAt = at;
        return undefined;
      }
      if (lineBreak >= 0 && (quote < 0 || lineBreak < quote)) return this.delimited(lineBreak);
      if (quote < 0) break;
      this.sawQuote = true;
      this.quoted = true;
      at = quote + 1;
    }
    this.scanAt = this.text.length;
    if (!ended) return undefined;
    return this.text.length > 0 || this.tooLong ? { contentEnd: this.text.length, next: this.text.length } : undefined;
  }

  /**
   * The next line break that may end a record, searched from `at` (outside
   * quotes, the next quote at `quote`). Until the delimiter is known, the first
   * line break before a quote decides it: LF, CR LF, or CR alone; undefined
   * while a CR at the end of the text is yet to tell.
   */
  private lineBreakFrom(at: number, quote: number, ended: boolean): number | undefined {
    if (this.delimiter === 'cr') return (this.nextCr = this.next(CR, this.nextCr, at));
    if (this.delimiter !== undefined) return (this.nextLf = this.next(LF, this.nextLf, at));
    const lf = (this.nextLf = this.next(LF, this.nextLf, at));
    const cr = (this.nextCr = this.next(CR, this.nextCr, at));
    const first = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
    if (first < 0 || (quote >= 0 && quote < first)) return first;
    if (first === lf) {
      this.delimiter = 'lf';
      return lf;
    }
    if (cr + 1 >= this.text.length && !ended) return undefined;
    this.delimiter = this.text[cr + 1] === LF ? 'crlf' : 'cr';
    return this.delimiter === 'cr' ? cr : cr + 1;
  }

  private delimited(lineBreak: number): { contentEnd: number; next: number } {
    const contentEnd = this.delimiter === 'crlf' && this.text[lineBreak - 1] === CR ? lineBreak - 1 : lineBreak;
    return { contentEnd, next: lineBreak + 1 };
  }

  /**
   * Line breaks in `text[from, to)`, as the cut counts them inside a record:
   * each CR and each LF. (Outside quotes an LF ends the record, so only a
   * record with quotes, or of a CR-delimited file, can hold one.)
   */
  private breaks(from: number, to: number): number {
    let count = 0;
    for (let at = (this.countedCr = this.next(CR, this.countedCr, from)); at >= 0 && at < to; at = this.text.indexOf(CR, at + 1)) count += 1;
    if (this.sawQuote || this.tooLong || this.delimiter === 'cr' || this.delimiter === undefined) {
      for (let at = this.text.indexOf(LF, from); at >= 0 && at < to; at = this.text.indexOf(LF, at + 1)) count += 1;
    }
    return count;
  }

  /** One record's text: the header, a record by the header's names, or a bad row. */
  private record(items: SourceItem[], raw: string, position: number, quoted: boolean, unclosed: boolean): void {
    if (unclosed) {
      items.push({ kind: 'malformed', position, reason: 'a quoted field is not closed before the end of the file', raw });
      return;
    }
    const fields = quoted ? splitQuoted(raw) : raw.split(',');
    if (typeof fields === 'string') {
      if (!this.header) throw new MalformedFileError(`line ${position - this.positionOffset}: the CSV header is malformed: ${fields}`);
      items.push({ kind: 'malformed', position, reason: fields, raw });
      return;
    }
    const header = this.header;
    if (!header) {
      const names = fields.map((name) => name.trim());
      if (names.some((name) => name === '')) throw new MalformedFileError(`line ${position - this.positionOffset}: the CSV header has an empty column name`);
      this.header = distinctNames(names);
      return;
    }
    if (fields.length !== header.length) {
      items.push({ kind: 'malformed', position, reason: `expected ${header.length} fields, found ${fields.length}`, raw });
      return;
    }
    const record: Record<string, string> = {};
    for (let index = 0; index < header.length; index += 1) record[header[index] as string] = fields[index] as string;
    items.push({ kind: 'record', record: { position, fields: record } });
  }
}

/** A record holding quotes, split into its fields; or why it cannot be. */
function splitQuoted(raw: string): string[] | string {
  const fields: string[] = [];
  let at = 0;
  for (;;) {
    if (raw[at] === QUOTE) {
      let value = '';
      let from = at + 1;
      for (;;) {
        const quote = raw.indexOf(QUOTE, from);
        if (quote < 0) return 'a quoted field is not closed';
        value += raw.slice(from, quote);
        if (raw[quote + 1] === QUOTE) {
          value += QUOTE;
          from = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      fields.push(value);
      if (at === raw.length) return fields;
      if (raw[at] !== ',') return `a closing quote must be followed by a comma or the end of the line, not ${JSON.stringify(raw[at])}`;
      at += 1;
      continue;
    }
    const comma = raw.indexOf(',', at);
    const value = raw.slice(at, comma < 0 ? raw.length : comma);
    if (value.includes(QUOTE))
      return `a quote inside an unquoted field (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}): quote the whole field and double the quotes in it`;
    fields.push(value);
    if (comma < 0) return fields;
    at = comma + 1;
  }
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
