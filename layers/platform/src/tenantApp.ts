// What a tenant's ingest apps (tenants/<tenant>/batchIngestApp.ts and
// streamIngestApp.ts) may use of the platform: they import it from here, and
// from nowhere else in the core. Nothing here may import the app loader, the
// pipelines or the core's index: the core loads the tenant apps.

// The apps: a batch app plans a file's tables and maps each record to rows; a stream app maps each message to rows.
export type { BatchFile, BatchIngestApp, BatchIngestPlan, FileColumn } from './ingest/apps/BatchIngestApp';
export type { StreamIngestApp, StreamMessage } from './ingest/apps/StreamIngestApp';

// What they read and write: records of a file, the formats of files, the tables and rows of the tenant's keyspace.
export type { SourceRecord } from './ingest/records/SourceRecord';
export type { FileFormat } from './tenants/TenantProfile';
export type { ClusteringColumn, CqlType, TableRow, TableSpec } from './cassandra/TableSpec';

// A record that is not valid: thrown as a RecordError, or from a zod schema's verdict by parseRecord.
export { RecordError } from './ingest/records/RecordError';
export { parseRecord } from './ingest/apps/parseRecord';
