import { InvalidInputError } from '../errors';
import { COMPRESSIONS, fileFormat, type CompressionSuffix, type FileFormat, type RecordFormat } from '../tenants/FileFormat';

export const MAX_FILE_NAME_LENGTH = 128;

/** Letters, digits, dot, dash, underscore and space; starting with a letter or digit. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

const RECORDS_BY_EXTENSION: Record<string, RecordFormat> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
  parquet: 'parquet',
};
const COMPRESSION_BY_EXTENSION: Record<string, CompressionSuffix> = { gz: 'gz', gzip: 'gz', zst: 'zst', zstd: 'zst' };

/**
 * Checks a file name a tenant wants to upload, and refuses it (never
 * rewrites it silently) when it could escape the tenant's prefix or confuse a
 * reader: path separators, `..`, control characters, an over-long name.
 *
 * @example
 * safeFileName('readings-2024.csv'); // 'readings-2024.csv'
 * safeFileName('../../etc/passwd');  // throws InvalidInputError
 */
export function safeFileName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidInputError('fileName is required');
  const normalized = name.normalize('NFC');
  if (/\p{Cc}/u.test(normalized)) {
    throw new InvalidInputError(`file name ${JSON.stringify(name)} contains control characters`);
  }
  if (normalized.includes('/') || normalized.includes('\\') || normalized.includes('..')) {
    throw new InvalidInputError(`file name ${JSON.stringify(name)} must be a plain name: no "/", "\\" or ".."`);
  }
  if (normalized.length > MAX_FILE_NAME_LENGTH) {
    throw new InvalidInputError(`file name ${JSON.stringify(name.slice(0, 40))}... is ${normalized.length} characters; the limit is ${MAX_FILE_NAME_LENGTH}`);
  }
  if (!SAFE_FILE_NAME.test(normalized)) {
    throw new InvalidInputError(
      `file name ${JSON.stringify(name)} may only use letters, digits, ".", "-", "_" and spaces, and must start with a letter or digit`,
    );
  }
  return normalized;
}

/** The extension of a file name, lower-cased ('' when none). */
export function fileExtension(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot < 0 ? '' : fileName.slice(dot + 1).toLowerCase();
}

/**
 * The format a file name announces: `.csv`, `.json`, `.ndjson` or `.jsonl`,
 * `.parquet`; a text one may be compressed (`.gz` or `.gzip`, `.zst` or
 * `.zstd` after it). Undefined for any other name.
 *
 * @example
 * formatOf('readings.csv.gz');  // 'csv.gz'
 * formatOf('events.jsonl.zstd'); // 'ndjson.zst'
 * formatOf('readings.parquet.gz'); // undefined (Parquet compresses its own pages)
 */
export function formatOf(fileName: string): FileFormat | undefined {
  const last = fileExtension(fileName);
  const suffix = COMPRESSION_BY_EXTENSION[last];
  if (!suffix) return RECORDS_BY_EXTENSION[last];
  const records = RECORDS_BY_EXTENSION[fileExtension(fileName.slice(0, -(last.length + 1)))];
  if (!records || records === 'parquet') return undefined;
  return fileFormat({ records, compression: COMPRESSIONS[suffix] });
}

/** The file name without the extensions that announce its format (`readings.csv.gz` → `readings`). */
export function fileStem(fileName: string): string {
  const dots = formatOf(fileName)?.split('.').length ?? (fileExtension(fileName) ? 1 : 0);
  let stem = fileName;
  for (let i = 0; i < dots; i += 1) stem = stem.slice(0, stem.lastIndexOf('.'));
  return stem;
}
