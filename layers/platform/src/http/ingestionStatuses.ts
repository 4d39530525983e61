// The statuses of an ingestion, as the platform stores them and the API shows
// them. Plain constants with no imports, so that a client's bundle that takes
// them takes nothing else of the core.

/**
 * Where an ingestion stands. `stalled` is never stored: a record still
 * `processing` long after anyone touched it is shown as stalled. `validated`
 * ends a dry run.
 */
export const INGESTION_STATUSES = ['processing', 'retrying', 'validated', 'ingested', 'rejected', 'failed', 'stalled'] as const;
export type IngestionStatus = (typeof INGESTION_STATUSES)[number];

const FINAL = ['validated', 'ingested', 'rejected', 'failed'] as const satisfies readonly IngestionStatus[];
/** A terminal status: the upload will not be processed again unless redriven. */
export type FinalStatus = (typeof FINAL)[number];
/** The terminal statuses. */
export const FINAL_STATUSES: readonly IngestionStatus[] = FINAL;
