import { platformLogger } from '../../logging/platformLogger';
import type { StoredObject } from '../../storage/IngestBucket';
import { objectKey, parseObjectKey, type TenantObjectKey } from '../../storage/objectKeys';
import type { Tenant } from '../../tenants/Tenant';
import { formatByteSize } from '../../units/byteSize';
import { fileExtension, formatOf } from '../../uploads/fileName';
import { formatParts, type FileFormat } from '../../tenants/FileFormat';
import { maxUncompressedBytes } from '../../tenants/TenantProfile';
import type { UploadGrantRecord } from '../../uploads/UploadGrantStore';
import type { BatchIngestDependencies } from './BatchIngestDependencies';
import type { UploadRef } from './ChunkTask';
import type { IngestionOutcomes } from './IngestionOutcomes';
import { FileRejectedError } from './FileRejectedError';
import { ingestionIdOf, RESUMED, type IngestionRecord } from './IngestionStore';

/** One S3 ObjectCreated notification. */
export interface ObjectCreated {
  readonly key: string;
  readonly size: number;
  readonly etag?: string | undefined;
  readonly versionId?: string | undefined;
}

/** What to do with an object: ingest it (the record is this invocation's to work on), or nothing more. */
export type Intake =
  | { readonly kind: 'ingest'; readonly tenant: Tenant; readonly upload: UploadRef; readonly record: IngestionRecord }
  | { readonly kind: 'done'; readonly record: IngestionRecord | undefined };

/** What the intake works with: batch ingestion's stores and bucket (its clock: when a record starts, which day's quota is charged), and the outcomes. */
export type IntakeDependencies = Pick<
  BatchIngestDependencies,
  'bucket' | 'registry' | 'batches' | 'grants' | 'usage' | 'ingestions' | 'chunkSize' | 'clock'
> & { readonly outcomes: IngestionOutcomes };

/**
 * Takes an uploaded object in, the server never trusting the client: which
 * upload grant it came with (every upload carries one), that the grant is the
 * tenant's and for this file, that the object has not been ingested already,
 * that the tenant's profile allows it (format, size, files per batch) and that
 * what landed fits the daily quota, which is charged then. A grant admits one
 * upload: the same bytes sent again are dropped as a duplicate, other bytes
 * under a used grant are refused and noted on the grant's record.
 *
 * @example
 * const intake = await new ObjectIntake(deps).take({ key, size, versionId });
 */
export class ObjectIntake {
  constructor(private readonly deps: IntakeDependencies) {}

  async take(object: ObjectCreated): Promise<Intake> {
    const key = parseObjectKey(object.key);
    if (!key || key.stage !== 'incoming') {
      platformLogger.debug('not an upload under tenants/<tenant>/incoming/<batch>/<file>; ignored', { object: object.key });
      return { kind: 'done', record: undefined };
    }
    const stored = await this.deps.bucket.head(object.key, object.versionId);
    if (!stored) {
      platformLogger.info('object version already moved by an earlier delivery; nothing to do', { object: object.key, version: object.versionId });
      return { kind: 'done', record: undefined };
    }
    const grant = stored.grantId ? await this.deps.grants.get(key.tenant, key.batchId, stored.grantId) : undefined;
    const ingestionId = ingestionIdOf(key.batchId, key.fileName, grant ? grant.grantId : undefined);
    const version = stored.versionId ?? stored.etag;
    const existing = await this.deps.ingestions.get(key.tenant, ingestionId);
    if (existing && existing.version !== version) return this.sameGrantAgain(existing, object.key, stored);

    const now = this.deps.clock.date();
    const format = formatOf(key.fileName);
    const base: IngestionRecord = existing ?? {
      tenant: key.tenant,
      batchId: key.batchId,
      ingestionId,
      fileName: key.fileName,
      objectKey: object.key,
      finalKey: undefined,
      format,
      bytes: stored.size,
      textBytes: undefined,
      rows: 0,
      badRows: 0,
      badRowSamples: [],
      tables: [],
      startedAt: now,
      finishedAt: undefined,
      durationMs: undefined,
      status: 'processing',
      reason: undefined,
      attempts: 1,
      grantId: grant?.grantId,
      version,
      versionId: stored.versionId,
      etag: stored.etag,
      phase: stored.size > this.deps.chunkSize ? 'planning' : undefined,
      chunksTotal: undefined,
      planContext: undefined,
      updatedAt: now,
      refused: {},
      dryRun: grant?.dryRun ?? false,
      badRowsKey: undefined,
    };
    let record = base;
    if (existing) {
      const resumed = await this.resume(existing);
      if (!resumed) return { kind: 'done', record: existing };
      record = resumed;
    } else {
      const created = await this.deps.ingestions.create(base);
      if (!created.created) return { kind: 'done', record: created.record };
    }
    // On every attempt, not only the first: an outage may have cut the first one's checks short. The quota is charged once per ingestion.
    let tenant: Tenant;
    try {
      tenant = await this.admit(key, stored, grant, record);
    } catch (error) {
      if (!(error instanceof FileRejectedError)) throw error;
      return { kind: 'done', record: await this.deps.outcomes.finish(record, 'rejected', { reason: error.message }) };
    }
    // Admitted, so its format is one the profile allows.
    const { records, compression } = formatParts(format as FileFormat);
    const upload: UploadRef = {
      tenant: key.tenant,
      batchId: key.batchId,
      ingestionId,
      fileName: key.fileName,
      format: records,
      compression,
      ...(compression ? { maxTextBytes: maxUncompressedBytes(tenant.profile) } : {}),
      key: object.key,
      versionId: stored.versionId,
      etag: stored.etag,
      version,
      size: stored.size,
    };
    return { kind: 'ingest', tenant, upload, record };
  }

  /** The record of an object's ingestion, if it has one (to say that its notification was dead-lettered). */
  async recordOf(object: ObjectCreated): Promise<IngestionRecord | undefined> {
    const key = parseObjectKey(object.key);
    const stored = key && (await this.deps.bucket.head(object.key, object.versionId));
    if (!key || !stored) return undefined;
    const record = await this.deps.ingestions.get(key.tenant, ingestionIdOf(key.batchId, key.fileName, stored.grantId));
    return record?.version === (stored.versionId ?? stored.etag) ? record : undefined;
  }

  /** A record of this object exists: a redelivery, a retry after a failure, or a redrive of a failed one. */
  private async resume(existing: IngestionRecord): Promise<IngestionRecord | undefined> {
    if (existing.status !== 'processing' && existing.status !== 'retrying' && existing.status !== 'failed') {
      await this.deps.outcomes.ensureMoved(existing);
      return undefined;
    }
    const attempts = existing.attempts + 1;
    const changes = { ...RESUMED, attempts };
    if (!(await this.deps.ingestions.transition(existing, existing.version, [existing.status], changes))) return undefined;
    return { ...existing, ...changes };
  }

  /** The object is another upload under a grant already used. */
  private async sameGrantAgain(existing: IngestionRecord, key: string, stored: StoredObject): Promise<Intake> {
    if (stored.etag === existing.etag) {
      // The same bytes again (a client retrying its upload): nothing new to ingest.
      platformLogger.info('the same bytes uploaded again under one grant; the duplicate is dropped', { object: key, ingestion: existing.ingestionId });
      await this.deps.bucket.deleteVersion(key, stored.versionId);
      return { kind: 'done', record: existing };
    }
    const where = parseObjectKey(key) as TenantObjectKey;
    const refusedKey = objectKey({ ...where, stage: 'rejected', fileName: `${where.fileName}.refused-${(stored.versionId ?? stored.etag).slice(0, 12)}` });
    const reason = `another upload of ${formatByteSize(stored.size)} under grant ${existing.grantId ?? '(none)'} was refused at ${this.deps.clock.date().toISOString()}: an upload grant admits one upload (this one's is ingestion ${existing.ingestionId}); ask for a new grant with POST /tenants/${existing.tenant}/uploads. The refused object is ${refusedKey}`;
    platformLogger.warn('upload refused: its grant was used already', { object: key, ingestion: existing.ingestionId, version: stored.versionId });
    await this.deps.ingestions.noteRefused(existing, stored.versionId ?? stored.etag, reason);
    await this.deps.bucket.move(key, stored.versionId, refusedKey, stored.size);
    return { kind: 'done', record: existing };
  }

  /** The checks the profile and the grant make; the daily quota is charged last, with what landed. Returns the tenant, served. */
  private async admit(key: TenantObjectKey, stored: StoredObject, grant: UploadGrantRecord | undefined, record: IngestionRecord): Promise<Tenant> {
    const tenant = await this.deps.registry.get(key.tenant);
    if (!tenant) throw new FileRejectedError(`tenant ${key.tenant} is not registered on this platform`);
    if (tenant.profile.status !== 'active') throw new FileRejectedError(`tenant ${key.tenant} is disabled`);
    if (!stored.grantId)
      throw new FileRejectedError(`the object was not uploaded through an upload grant: ask for one with POST /tenants/${key.tenant}/uploads`);
    if (!grant || grant.fileName !== key.fileName) {
      throw new FileRejectedError(
        `the object names upload grant ${stored.grantId}, which tenant ${key.tenant} was never given for ${key.fileName} in batch ${key.batchId}`,
      );
    }
    const limits = tenant.profile.batch;
    const format = formatOf(key.fileName);
    if (!format || !limits.allowedFormats.includes(format)) {
      throw new FileRejectedError(`format "${format ?? (fileExtension(key.fileName) || 'none')}" is not allowed; allowed: ${limits.allowedFormats.join(', ')}`);
    }
    if (stored.size > limits.maxFileSize.bytes)
      throw new FileRejectedError(`the file is ${formatByteSize(stored.size)}; the limit is ${limits.maxFileSize.text}`);
    if (stored.size > grant.declaredBytes) {
      throw new FileRejectedError(`the file is ${formatByteSize(stored.size)}; its upload grant was for ${formatByteSize(grant.declaredBytes)}`);
    }
    const batch = await this.deps.batches.get(key.tenant, key.batchId);
    if (!batch || !batch.files.has(key.fileName)) {
      throw new FileRejectedError(`the file was not granted an upload in batch ${key.batchId} (POST /tenants/${key.tenant}/uploads first)`);
    }
    if (batch.fileCount > limits.maxFilesPerBatch)
      throw new FileRejectedError(`batch ${key.batchId} holds ${batch.fileCount} files; the limit is ${limits.maxFilesPerBatch}`);
    const quota = limits.dailyQuota;
    const charged = await this.deps.usage.charge(
      key.tenant,
      record.ingestionId,
      stored.size,
      { maxFiles: quota?.maxFiles, maxBytes: quota?.maxBytes?.bytes },
      this.deps.clock.date(),
    );
    if (!charged.ok) {
      const what =
        charged.constraint === 'dailyQuota.maxFiles'
          ? `${charged.used} of ${charged.limit} files`
          : `${formatByteSize(charged.used)} of ${formatByteSize(charged.limit)}, and this file is ${formatByteSize(stored.size)}`;
      throw new FileRejectedError(`today's quota (UTC) is used up: tenant ${key.tenant} has used ${what} (${charged.constraint})`);
    }
    return tenant;
  }
}
