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

/**
 * Items read together (a buffer's worth of records): readers hand them on in
 * batches, so that reading a file costs one await per batch, not per record.
 */
export type SourceBatch = readonly SourceItem[];

/** The items of batches, one at a time (for a reader of a few records, such as a sample). */
export async function* itemsOf(batches: AsyncIterable<SourceBatch>): AsyncGenerator<SourceItem> {
  for await (const batch of batches) yield* batch;
}
