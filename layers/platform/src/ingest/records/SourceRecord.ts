/**
 * One record read from a tenant's file or message: its fields by name and
 * where it was (line number for CSV and NDJSON, element number for a JSON
 * array, 1 for a message).
 */
export interface SourceRecord {
  readonly position: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * What a reader yields: a record, or a record that could not be read and why,
 * with its text when there is one (for the bad-rows file).
 */
export type SourceItem =
  | { readonly kind: 'record'; readonly record: SourceRecord }
  | { readonly kind: 'malformed'; readonly position: number; readonly reason: string; readonly raw?: string | undefined };
