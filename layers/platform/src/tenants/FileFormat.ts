/**
 * The formats of files a tenant may upload, as its profile names them: how
 * their records are laid out (CSV, a JSON array, NDJSON, Parquet) and, for the
 * text formats, whether the bytes are compressed (gzip `.gz`, Zstandard `.zst`).
 * Parquet compresses its own pages, so it has no compressed variant.
 */
export const RECORD_FORMATS = ['csv', 'json', 'ndjson', 'parquet'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];
/** The record formats read as text, line by line or element by element. */
export const TEXT_FORMATS = ['csv', 'json', 'ndjson'] as const satisfies readonly RecordFormat[];
export type TextFormat = (typeof TEXT_FORMATS)[number];

/** The compressions of a text file, by the file-name suffix that announces them. */
export const COMPRESSIONS = { gz: 'gzip', zst: 'zstd' } as const;
export type CompressionSuffix = keyof typeof COMPRESSIONS;
export type Compression = (typeof COMPRESSIONS)[CompressionSuffix];

export const FILE_FORMATS = ['csv', 'json', 'ndjson', 'parquet', 'csv.gz', 'json.gz', 'ndjson.gz', 'csv.zst', 'json.zst', 'ndjson.zst'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** A file format taken apart: how its records are read, and how its bytes are compressed (none: undefined). */
export interface FormatParts {
  readonly records: RecordFormat;
  readonly compression: Compression | undefined;
}

/**
 * @example
 * formatParts('ndjson.zst'); // { records: 'ndjson', compression: 'zstd' }
 * formatParts('parquet');    // { records: 'parquet', compression: undefined }
 */
export function formatParts(format: FileFormat): FormatParts {
  const [records, suffix] = format.split('.') as [RecordFormat, CompressionSuffix | undefined];
  return { records, compression: suffix ? COMPRESSIONS[suffix] : undefined };
}

/** The profile's name for a record format with a compression. */
export function fileFormat(parts: FormatParts): FileFormat {
  const suffix = (Object.keys(COMPRESSIONS) as CompressionSuffix[]).find((key) => COMPRESSIONS[key] === parts.compression);
  return (suffix ? `${parts.records}.${suffix}` : parts.records) as FileFormat;
}

/** Whether a record format is read as text. */
export function isTextFormat(format: RecordFormat): format is TextFormat {
  return (TEXT_FORMATS as readonly RecordFormat[]).includes(format);
}

/** A record format that must be text where it is used (a Parquet file is never read as text). */
export function textFormat(format: RecordFormat): TextFormat {
  if (!isTextFormat(format)) throw new TypeError('a Parquet file is not read as text');
  return format;
}
