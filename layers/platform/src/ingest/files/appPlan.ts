import { textFormat } from '../../tenants/FileFormat';
import type { KeyspaceSchema } from '../../cassandra/KeyspaceSchema';
import type { CqlType } from '../../cassandra/TableSpec';
import type { UploadText } from './UploadText';
import type { BatchIngestApp, BatchIngestPlan, FileColumn } from '../apps/BatchIngestApp';
import { parquetFileColumns, parquetSample } from '../parquet/readParquetRecords';
import type { UploadRef } from './ChunkTask';
import { readRecords } from '../records/readRecords';
import { itemsOf, type SourceRecord } from '../records/SourceRecord';
import { guardText } from '../records/TextGuard';
import { PLAN_SAMPLE_RECORDS } from './scanSourceRecords';
import type { StreamTables } from './StreamTables';

/**
 * What an ingest app's `plan` saw of the tenant's keyspace when the file was
 * first planned: the columns of each table it asked about (null: no such
 * table). Kept with the ingestion record, so that every chunk of the file,
 * planned again in another invocation after the first chunks created or
 * altered those tables, gets the very same plan.
 */
export interface PlanContext {
  readonly existingColumns: Readonly<Record<string, Readonly<Record<string, CqlType>> | null>>;
}

/**
 * The tenant app's plan for a file: the first time from the live keyspace
 * (recording what the app saw), afterwards from the recorded context. An app's
 * `plan` is a function of the file, its first records and the columns it is
 * shown, so the same inputs give every chunk the same tables and the same
 * `toRows`. A plan that would write one of the tenant's stream tables is
 * refused (`FileRejectedError`): the file is rejected before anything is made.
 *
 * @example
 * const { plan, context } = await appPlan(app, upload, sample, schema, streamTables);
 * // later, in another invocation:
 * const { plan: same } = await appPlan(app, upload, sample, schema, streamTables, context);
 */
export async function appPlan(
  app: BatchIngestApp,
  upload: Pick<UploadRef, 'tenant' | 'batchId' | 'fileName' | 'format'> & { readonly columns?: readonly FileColumn[] | undefined },
  sample: readonly SourceRecord[],
  schema: KeyspaceSchema,
  streamTables: Pick<StreamTables, 'checkPlan'>,
  context?: PlanContext,
): Promise<{ plan: BatchIngestPlan; context: PlanContext }> {
  const seen: Record<string, Record<string, CqlType> | null> = { ...(context?.existingColumns ?? {}) };
  const plan = await app.plan(
    {
      tenant: upload.tenant,
      batchId: upload.batchId,
      fileName: upload.fileName,
      format: upload.format,
      columns: upload.columns,
      existingColumns: async (table) => {
        if (!(table in seen)) seen[table] = (await schema.existingColumns(table)) ?? null;
        return seen[table] ?? undefined;
      },
    },
    sample,
  );
  await streamTables.checkPlan(upload.tenant, plan.tables);
  return { plan, context: { existingColumns: seen } };
}

/** The columns of an upload with their types, when its format says them (Parquet: from its footer); else undefined. */
export async function fileColumns(text: UploadText, upload: UploadRef): Promise<FileColumn[] | undefined> {
  if (upload.format !== 'parquet') return undefined;
  return (await parquetFileColumns(text, upload)).map(({ name, type }) => ({ name, type }));
}

/** The first records of an upload (what its plan is made from), read from the start of the object and no further. */
export async function readSample(text: UploadText, upload: UploadRef): Promise<SourceRecord[]> {
  if (upload.format === 'parquet') return parquetSample(text, upload, PLAN_SAMPLE_RECORDS);
  const body = await text.openFrom(upload, 0);
  const sample: SourceRecord[] = [];
  try {
    for await (const item of itemsOf(readRecords(guardText(body), textFormat(upload.format)))) {
      if (item.kind === 'record') sample.push(item.record);
      if (sample.length >= PLAN_SAMPLE_RECORDS) break;
    }
  } finally {
    body.destroy();
  }
  return sample;
}
