import type { IngestBucket } from '../../storage/IngestBucket';
import { formatParts, type RecordFormat } from '../../tenants/FileFormat';
import { fileStem, formatOf } from '../../uploads/fileName';
import type { UploadRef } from './ChunkTask';
import { csvLine } from '../records/readRecords';
import { positionLabel, type BadRow } from './scanSourceRecords';

/** The two files of an ingestion's bad rows, as a tenant downloads them. */
export interface BadRowsDownload {
  /** The bad records themselves, in the file's own format: fix them and upload the file again. */
  readonly data: { readonly name: string; readonly key: string };
  /** Each bad row's line (or element) number and why it was refused, with its text. */
  readonly errors: { readonly name: string; readonly key: string };
}

/**
 * The file name without its extension, and the extension of its bad rows:
 * the file's own for text, the record format's for a compressed file (the bad
 * rows are plain text), NDJSON for Parquet.
 */
function split(fileName: string): { stem: string; extension: string } {
  const format = formatOf(fileName);
  const records = format && formatParts(format).records;
  if (format && (format !== records || records === 'parquet'))
    return { stem: fileStem(fileName), extension: records === 'parquet' ? 'ndjson' : (records as string) };
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? { stem: fileName, extension: '' } : { stem: fileName.slice(0, dot), extension: fileName.slice(dot + 1) };
}

/**
 * An ingestion's bad rows, kept under the tenant's prefix as dsbulk keeps its
 * `.bad` files: `<name>.bad.<ext>` holds the bad records in the file's own
 * format (a CSV with its header, NDJSON lines, a JSON array), ready to be
 * fixed and uploaded again; `<name>.errors.txt` says for each its line (or
 * element) number in the whole file and why it was refused. A file ingested in
 * chunks keeps each chunk's bad rows as a part, and the parts are joined in
 * file order when the ingestion ends.
 *
 * @example
 * const prefix = await badRows.write(upload, ['a', 'b'], stats.kept);
 */
export class BadRowsFiles {
  constructor(private readonly bucket: IngestBucket) {}

  prefix(upload: Pick<UploadRef, 'tenant' | 'batchId' | 'ingestionId'>): string {
    return `tenants/${upload.tenant}/bad-rows/${upload.batchId}/${upload.ingestionId}/`;
  }

  /** Where the two files of an ingestion are. */
  files(prefix: string, fileName: string): BadRowsDownload {
    const { stem, extension } = split(fileName);
    const data = `${stem}.bad${extension ? `.${extension}` : ''}`;
    const errors = `${stem}.errors.txt`;
    return { data: { name: data, key: `${prefix}${data}` }, errors: { name: errors, key: `${prefix}${errors}` } };
  }

  /** Writes the two files; returns their prefix (undefined when there is no bad row). */
  async write(
    upload: Pick<UploadRef, 'tenant' | 'batchId' | 'ingestionId' | 'fileName' | 'format'>,
    columns: readonly string[],
    rows: readonly BadRow[],
  ): Promise<string | undefined> {
    if (rows.length === 0) return undefined;
    const prefix = this.prefix(upload);
    const { data, errors } = this.files(prefix, upload.fileName);
    await this.bucket.putText(data.key, dataText(upload.format, columns, rows), contentType(upload.format));
    await this.bucket.putText(errors.key, errorsText(upload.format, rows), 'text/plain; charset=utf-8');
    return prefix;
  }

  /** Keeps one chunk's bad rows until the ingestion ends (written again by a retry, alike). */
  async writePart(upload: UploadRef, chunk: number, rows: readonly BadRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.bucket.putText(this.partKey(upload, chunk), rows.map((row) => JSON.stringify(row)).join('\n'), 'application/x-ndjson');
  }

  /** Joins the parts of the chunks that had bad rows, in file order, into the two files. */
  async combine(upload: UploadRef, chunks: readonly number[], columns: readonly string[]): Promise<string | undefined> {
    const rows: BadRow[] = [];
    for (const chunk of [...chunks].sort((a, b) => a - b)) {
      const part = await this.bucket.getText(this.partKey(upload, chunk));
      if (part) rows.push(...part.split('\n').map((line) => JSON.parse(line) as BadRow));
    }
    return this.write(upload, columns, rows);
  }

  private partKey(upload: UploadRef, chunk: number): string {
    return `${this.prefix(upload)}parts/chunk-${String(chunk).padStart(6, '0')}.ndjson`;
  }
}

function contentType(format: RecordFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : format === 'json' ? 'application/json' : 'application/x-ndjson';
}

function dataText(format: RecordFormat, columns: readonly string[], rows: readonly BadRow[]): string {
  const records = rows.flatMap((row) => (row.raw === undefined ? [] : [row.raw]));
  if (format === 'csv') return `${[csvLine(columns), ...records].join('\n')}\n`;
  if (format === 'json') return `[\n${records.map((record) => `  ${record}`).join(',\n')}\n]\n`;
  return `${records.join('\n')}\n`;
}

function errorsText(format: RecordFormat, rows: readonly BadRow[]): string {
  return `${rows
    .map((row) => {
      const where = `${positionLabel(format, row.position)}: ${row.reason}`;
      return row.raw === undefined ? `${where}\n    (its text could not be read or was not kept)` : `${where}\n    ${row.raw.replace(/\n/g, '\n    ')}`;
    })
    .join('\n')}\n`;
}
