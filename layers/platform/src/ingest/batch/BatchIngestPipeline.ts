import type cassandra from 'cassandra-driver';
import { KeyspaceSchema, SchemaConflictError } from '../../cassandra/KeyspaceSchema';
import { RowWriter } from '../../cassandra/RowWriter';
import { platformLogger } from '../../logging/platformLogger';
import type { PlatformMetrics } from '../../metrics/PlatformMetrics';
import type { IngestBucket, StoredObject } from '../../storage/IngestBucket';
import { objectKey, parseObjectKey, type TenantObjectKey } from '../../storage/objectKeys';
import type { Topology } from '../../topology/Topology';
import type { Tenant } from '../../tenants/Tenant';
import type { TenantRegistry } from '../../tenants/TenantRegistry';
import type { FileFormat } from '../../tenants/TenantProfile';
import { formatByteSize } from '../../units/byteSize';
import { fileExtension, formatOf } from '../../uploads/fileName';
import type { UploadBatchStore } from '../../uploads/UploadBatchStore';
import type { BatchIngestApp, BatchIngestPlan } from '../apps/BatchIngestApp';
import { MalformedFileError } from '../records/MalformedFileError';
import { readRecords } from '../records/readRecords';
import { FileRejectedError } from './FileRejectedError';
import { ingestionIdOf, type IngestionRecord, type IngestionStore } from './IngestionStore';
import { scanRecords, takeSample, type ScanStats } from './scanRecords';

/** One S3 ObjectCreated notification. */
export interface ObjectCreated {
  readonly key: string;
  readonly size: number;
  readonly etag?: string | undefined;
}

/** How many times SQS has delivered the notification, and how many it will. */
export interface Delivery {
  readonly receiveCount: number;
  readonly maxReceiveCount: number;
}

export interface BatchIngestDependencies {
  readonly bucket: IngestBucket;
  readonly registry: TenantRegistry;
  readonly batches: UploadBatchStore;
  readonly ingestions: IngestionStore;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly loadApp: (tenant: string) => Promise<BatchIngestApp>;
  readonly writeConcurrency: number;
  /** Counts each final outcome in the tenant's time series and CloudWatch metrics. */
  readonly metrics: Pick<PlatformMetrics, 'batchFinished'>;
}

interface Outcome {
  readonly format: FileFormat;
  readonly stats: ScanStats;
  readonly tables: readonly string[];
  /** Where the time went: reading and validating, then writing. */
  readonly phases: { readonly validateMs: number; readonly writeMs: number };
}

/**
 * The batch-ingest manager (the original design's
 * `mysimbdp-batchingestmanager`), for one uploaded object:
 *
 * 1. check the tenant's profile again (format, size, files in the batch): the
 *    server never trusts the client;
 * 2. read the file once to validate it with the tenant's app, counting bad rows;
 *    too many, and the whole file is rejected before any row is written;
 * 3. read it again and write its rows with prepared statements and bounded
 *    concurrency (upserts by primary key, so a retry duplicates nothing);
 * 4. record the outcome (the original `server.log`), then move the object to
 *    `ingested/` or `rejected/`.
 *
 * A failure on the way (Cassandra down, a crash) is rethrown so SQS delivers the
 * notification again; the record says `retrying`, then `failed` on the last try.
 *
 * @example
 * const record = await pipeline.ingest({ key, size }, { receiveCount: 1, maxReceiveCount: 3 });
 */
export class BatchIngestPipeline {
  constructor(private readonly deps: BatchIngestDependencies) {}

  async ingest(object: ObjectCreated, delivery: Delivery): Promise<IngestionRecord | undefined> {
    const key = parseObjectKey(object.key);
    if (!key || key.stage !== 'incoming') {
      platformLogger.warn('not an upload under tenants/<tenant>/incoming/<batch>/<file>; ignored', { object: object.key });
      return undefined;
    }
    const { ingestions, bucket } = this.deps;
    const previous = await ingestions.find(key.tenant, key.batchId, key.fileName);
    const stored = await bucket.head(object.key);
    if (!stored) {
      platformLogger.info('object already moved by an earlier delivery; nothing to do', { object: object.key, status: previous?.status });
      return previous;
    }
    if (previous && (previous.status === 'ingested' || previous.status === 'rejected') && previous.finalKey && previous.bytes === stored.size) {
      // Recorded but not moved before a crash: finish the move only.
      await bucket.move(object.key, previous.finalKey);
      return previous;
    }

    const startedAt = new Date();
    const base: IngestionRecord = {
      tenant: key.tenant,
      batchId: key.batchId,
      ingestionId: ingestionIdOf(key.batchId, key.fileName),
      fileName: key.fileName,
      objectKey: object.key,
      finalKey: undefined,
      format: formatOf(key.fileName),
      bytes: stored.size,
      rows: 0,
      badRows: 0,
      badRowSamples: [],
      tables: [],
      startedAt,
      finishedAt: undefined,
      durationMs: undefined,
      status: 'processing',
      reason: undefined,
      attempts: (previous?.attempts ?? 0) + 1,
    };
    await ingestions.put(base);

    let record: IngestionRecord;
    let phases: Outcome['phases'] | undefined;
    try {
      const outcome = await this.process(key, stored, (stats) => {
        void ingestions.put({ ...base, rows: stats.rows, badRows: stats.badRows }).catch(() => undefined);
      });
      phases = outcome.phases;
      record = this.finish(base, 'ingested', key, outcome);
    } catch (error) {
      if (!(error instanceof FileRejectedError)) {
        await this.recordFailure(base, delivery, error as Error);
        throw error;
      }
      record = this.finish(base, 'rejected', key, undefined, error);
    }
    await ingestions.put(record);
    await bucket.move(object.key, record.finalKey as string);
    platformLogger.info('ingestion', {
      tenant: record.tenant,
      object: record.objectKey,
      batch: record.batchId,
      bytes: record.bytes,
      rows: record.rows,
      badRows: record.badRows,
      durationMs: record.durationMs,
      status: record.status,
      reason: record.reason,
      ...(phases ? { phases } : {}),
    });
    await this.deps.metrics.batchFinished(record);
    return record;
  }

  private finish(
    base: IngestionRecord,
    status: 'ingested' | 'rejected',
    key: TenantObjectKey,
    outcome?: Outcome,
    rejection?: FileRejectedError,
  ): IngestionRecord {
    const finishedAt = new Date();
    return {
      ...base,
      format: outcome?.format ?? base.format,
      rows: outcome?.stats.rows ?? 0,
      badRows: outcome?.stats.badRows ?? 0,
      badRowSamples: outcome?.stats.badRowSamples ?? [],
      tables: outcome?.tables ?? [],
      status,
      reason:
        rejection?.message ??
        (outcome && outcome.stats.badRows > 0
          ? `${outcome.stats.badRows} bad row${outcome.stats.badRows === 1 ? '' : 's'} skipped (within the tolerance)`
          : undefined),
      finishedAt,
      durationMs: finishedAt.getTime() - base.startedAt.getTime(),
      finalKey: objectKey({ ...key, stage: status }),
      ...(rejection instanceof RejectionWithStats ? { badRows: rejection.stats.badRows, badRowSamples: rejection.stats.badRowSamples } : {}),
    };
  }

  private async recordFailure(base: IngestionRecord, delivery: Delivery, error: Error): Promise<void> {
    const final = delivery.receiveCount >= delivery.maxReceiveCount;
    const finishedAt = new Date();
    const record: IngestionRecord = {
      ...base,
      status: final ? 'failed' : 'retrying',
      reason: final
        ? `gave up after ${delivery.receiveCount} attempts: ${error.message}; the notification is in the dead-letter queue`
        : `attempt ${delivery.receiveCount} of ${delivery.maxReceiveCount} failed, will retry: ${error.message}`,
      finishedAt: final ? finishedAt : undefined,
      durationMs: finishedAt.getTime() - base.startedAt.getTime(),
    };
    platformLogger.error('ingestion attempt failed', { tenant: base.tenant, object: base.objectKey, status: record.status, reason: record.reason });
    await this.deps.ingestions.put(record).catch((writeError: Error) => {
      platformLogger.error('could not record the failed attempt', { object: base.objectKey, error: writeError.message });
    });
  }

  private async checkProfile(key: TenantObjectKey, stored: StoredObject): Promise<{ tenant: Tenant; format: FileFormat }> {
    const tenant = await this.deps.registry.get(key.tenant);
    if (!tenant) throw new FileRejectedError(`tenant ${key.tenant} is not registered on this platform`);
    if (tenant.profile.status !== 'active') throw new FileRejectedError(`tenant ${key.tenant} is disabled`);
    const limits = tenant.profile.batch;
    const format = formatOf(key.fileName);
    if (!format || !limits.allowedFormats.includes(format)) {
      throw new FileRejectedError(
        `format "${format ?? (fileExtension(key.fileName) || 'none')}" is not allowed; allowed: ${limits.allowedFormats.join(', ')}`,
        'allowedFormats',
      );
    }
    if (stored.size > limits.maxFileSize.bytes) {
      throw new FileRejectedError(`the file is ${formatByteSize(stored.size)}; the limit is ${limits.maxFileSize.text}`, 'maxFileSize');
    }
    const batch = await this.deps.batches.get(key.tenant, key.batchId);
    if (!batch || !batch.files.has(key.fileName)) {
      throw new FileRejectedError(`the file was not granted an upload in batch ${key.batchId} (POST /tenants/${key.tenant}/uploads first)`, 'maxFilesPerBatch');
    }
    if (batch.fileCount > limits.maxFilesPerBatch) {
      throw new FileRejectedError(`batch ${key.batchId} holds ${batch.fileCount} files; the limit is ${limits.maxFilesPerBatch}`, 'maxFilesPerBatch');
    }
    return { tenant, format };
  }

  private async process(key: TenantObjectKey, stored: StoredObject, onProgress: (stats: ScanStats) => void): Promise<Outcome> {
    const { tenant, format } = await this.checkProfile(key, stored);
    const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
    const schema = new KeyspaceSchema(this.deps.cassandra, keyspace);
    const app = await this.deps.loadApp(tenant.id);
    const maxBadRows = tenant.profile.batch.maxBadRows;
    const open = async () => readRecords(await this.deps.bucket.openStream(objectKey(key)), format);

    try {
      // Pass 1: plan and validate, writing nothing.
      const validating = performance.now();
      const items = await open();
      const { sample, buffered } = await takeSample(items);
      const plan: BatchIngestPlan = await app.plan(
        { tenant: tenant.id, batchId: key.batchId, fileName: key.fileName, format, existingColumns: (table) => schema.existingColumns(table) },
        sample,
      );
      const checked = await scanRecords(items, format, plan, maxBadRows, undefined, buffered);
      if (checked.stopped || checked.badRows > maxBadRows) {
        const tolerance = maxBadRows === 0 ? 'a bad row, and the tenant tolerates none' : `more than ${maxBadRows} bad rows (the tenant's maxBadRows)`;
        const first = checked.badRowSamples.slice(0, 3).join('; ');
        throw new RejectionWithStats(`${tolerance}; nothing was written. First: ${first}`, checked);
      }
      // Pass 2: write.
      const writing = performance.now();
      await schema.ensureTables(plan.tables);
      const writer = new RowWriter(this.deps.cassandra, keyspace, plan.tables, { concurrency: this.deps.writeConcurrency });
      const written = await scanRecords(
        await open(),
        format,
        plan,
        Number.POSITIVE_INFINITY,
        async (rows) => {
          for (const row of rows) await writer.write(row);
        },
        [],
        onProgress,
      );
      await writer.flush();
      return {
        format,
        stats: written,
        tables: plan.tables.map((table) => `${keyspace}.${table.name}`),
        phases: { validateMs: Math.round(writing - validating), writeMs: Math.round(performance.now() - writing) },
      };
    } catch (error) {
      if (error instanceof MalformedFileError || error instanceof SchemaConflictError) throw new FileRejectedError(error.message);
      throw error;
    }
  }
}

/** A rejection for bad rows, carrying the counts and samples for the record. */
class RejectionWithStats extends FileRejectedError {
  constructor(
    message: string,
    readonly stats: ScanStats,
  ) {
    super(message, 'maxBadRows');
  }
}
