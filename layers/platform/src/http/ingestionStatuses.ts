// The statuses of an ingestion, as the platform stores them and the API shows
// them. Plain constants with no imports, so that the dashboard's bundle can
// take them without anything else of the core.

/**
 * Where an ingestion stands. `stalled` is never stored: a record still
 * `processing` long after anyone touched it is shown as stalled. `validated`
 * ends a dry run.
 */
export const INGESTION_STATUSES = ['processing', 'retrying', 'validated', 'ingested', 'rejected', 'failed', 'stalled'] as const;
export type IngestionStatus = (typeof INGESTION_STATUSES)[number];

/** Terminal statuses: the upload will not be processed again unless redriven. */
export const FINAL_STATUSES: readonly IngestionStatus[] = ['validated', 'ingested', 'rejected', 'failed'];
