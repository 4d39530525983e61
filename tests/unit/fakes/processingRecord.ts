import type { IngestionRecord } from '../../../layers/platform/src/ingest/files/IngestionStore';
import { FakeClock } from './FakeClock';

export const BATCH_ID = '20261130T120000Z-abcdef';

/** A record of tenant zoo's `a.csv` as its first attempt leaves it (processing, nothing written; started at the fake clock's first instant), with `changes` applied. */
export function processingRecord(changes: Partial<IngestionRecord> = {}): IngestionRecord {
  return {
    tenant: 'zoo',
    batchId: BATCH_ID,
    ingestionId: `${BATCH_ID}-0123456789`,
    fileName: 'a.csv',
    objectKey: `tenants/zoo/incoming/${BATCH_ID}/a.csv`,
    finalKey: undefined,
    format: 'csv',
    bytes: 10,
    textBytes: undefined,
    rows: 0,
    badRows: 0,
    badRowSamples: [],
    tables: [],
    startedAt: new FakeClock().date(),
    finishedAt: undefined,
    durationMs: undefined,
    status: 'processing',
    reason: undefined,
    attempts: 1,
    grantId: 'g1',
    version: 'v1',
    versionId: 'v1',
    etag: 'e1',
    phase: undefined,
    chunksTotal: undefined,
    planContext: undefined,
    updatedAt: undefined,
    refused: {},
    dryRun: false,
    badRowsKey: undefined,
    ...changes,
  };
}
