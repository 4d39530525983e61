import { InvalidInputError } from '../errors';
import type { FileFormat } from '../tenants/TenantProfile';

export const MAX_FILE_NAME_LENGTH = 128;

/** Letters, digits, dot, dash, underscore and space; starting with a letter or digit. */
const SAFE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._ -]*$/;

const FORMAT_BY_EXTENSION: Record<string, FileFormat> = {
  csv: 'csv',
  json: 'json',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

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

/** The format a file name announces: `.csv`, `.json`, `.ndjson` or `.jsonl`; undefined otherwise. */
export function formatOf(fileName: string): FileFormat | undefined {
  return FORMAT_BY_EXTENSION[fileExtension(fileName)];
}
