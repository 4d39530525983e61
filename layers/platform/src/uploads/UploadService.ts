import { systemClock, type Clock } from '../Clock';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../errors';
import type { IngestBucket, PresignedUpload } from '../storage/IngestBucket';
import { objectKey } from '../storage/objectKeys';
import type { Tenant } from '../tenants/Tenant';
import type { FileFormat } from '../tenants/TenantProfile';
import { formatByteSize } from '../units/byteSize';
import { ingestionIdOf } from '../ingest/files/IngestionStore';
import { streamTableReason, type StreamTables } from '../ingest/files/StreamTables';
import { assertBatchId, newBatchId } from './batchId';
import type { DailyUsageStore } from './DailyUsageStore';
import { fileExtension, formatOf, safeFileName } from './fileName';
import type { UploadBatchStore } from './UploadBatchStore';
import { newGrantId, type UploadGrantStore } from './UploadGrantStore';

export interface UploadRequest {
  readonly fileName: unknown;
  /** Size in bytes the client declares; S3 enforces the profile's limit whatever it says. */
  readonly size: unknown;
  /** Omit to start a new batch; pass the returned id for the batch's next files. */
  readonly batchId?: unknown;
  /** Validate the file with the tenant's app and write nothing. */
  readonly dryRun?: unknown;
}

export interface UploadGrant {
  readonly tenant: string;
  readonly batchId: string;
  readonly fileName: string;
  readonly format: FileFormat;
  readonly key: string;
  readonly maxBytes: number;
  /** This grant's id: it admits exactly one upload, whose ingestion is `ingestionId`. */
  readonly grantId: string;
  readonly ingestionId: string;
  readonly dryRun: boolean;
  readonly upload: PresignedUpload;
}

/**
 * `POST /tenants/{t}/uploads`: checks one file against the tenant's profile
 * (name, format, declared size, files per batch, daily quota), and that the
 * file would not take one of the tenant's stream tables (400), and grants a
 * presigned POST scoped to `tenants/{t}/incoming/<batch>/<file>`, for a body
 * of at most the declared size, carrying a grant id that admits exactly one
 * ingestion. The quota is only checked here; what is charged is what lands.
 *
 * @example
 * const grant = await uploads.grant(tenant, { fileName: 'a.csv', size: 1024 });
 * // POST grant.upload.fields + the file to grant.upload.url
 */
export class UploadService {
  constructor(
    private readonly bucket: IngestBucket,
    private readonly batches: UploadBatchStore,
    private readonly grants: UploadGrantStore,
    private readonly usage: DailyUsageStore,
    /** The tenant's stream tables: a file that would take one is refused before it is uploaded. */
    private readonly streamTables: Pick<StreamTables, 'takenBy'>,
    private readonly urlTtlSeconds: number,
    /** The time a grant is given at, and which day's quota it is checked against. */
    private readonly clock: Clock = systemClock,
  ) {}

  async grant(tenant: Tenant, request: UploadRequest): Promise<UploadGrant> {
    const { batch: limits } = tenant.profile;
    const fileName = safeFileName(request.fileName);
    const format = formatOf(fileName);
    if (!format || !limits.allowedFormats.includes(format)) {
      throw new ConstraintViolationError(
        'allowedFormats',
        `${fileName}: format "${format ?? (fileExtension(fileName) || 'none')}" is not allowed for tenant ${tenant.id}; allowed: ${limits.allowedFormats.join(', ')}`,
        { allowed: limits.allowedFormats },
      );
    }
    const streamTable = await this.streamTables.takenBy(tenant.id, fileName);
    if (streamTable) throw new InvalidInputError(`${fileName}: ${streamTableReason(streamTable)}`, { table: streamTable });
    const size = request.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new InvalidInputError('size must be the file size in bytes (a non-negative integer)');
    }
    if (request.dryRun !== undefined && typeof request.dryRun !== 'boolean') throw new InvalidInputError('dryRun must be true or false');
    const dryRun = request.dryRun === true;
    if (size > limits.maxFileSize.bytes) {
      throw new ConstraintViolationError(
        'maxFileSize',
        `${fileName} is ${formatByteSize(size)}; tenant ${tenant.id} accepts files up to ${limits.maxFileSize.text}`,
        { limitBytes: limits.maxFileSize.bytes, sizeBytes: size },
      );
    }

    const batchId = request.batchId === undefined ? newBatchId(this.clock.date()) : assertBatchId(request.batchId);
    if (request.batchId === undefined) await this.batches.create(tenant.id, batchId);
    const reservation = await this.batches.reserveFile(tenant.id, batchId, fileName, size, limits.maxFilesPerBatch);
    if (reservation === 'no-such-batch') {
      throw new NotFoundError(`tenant ${tenant.id} has no batch ${batchId}; omit batchId to start a new batch`);
    }
    if (reservation === 'batch-full') {
      throw new ConstraintViolationError(
        'maxFilesPerBatch',
        `${fileName}: batch ${batchId} already holds ${limits.maxFilesPerBatch} files, the most tenant ${tenant.id} may send in one batch`,
        { limit: limits.maxFilesPerBatch },
      );
    }
    if (limits.dailyQuota) {
      const quota = await this.usage.fits(
        tenant.id,
        size,
        { maxFiles: limits.dailyQuota.maxFiles, maxBytes: limits.dailyQuota.maxBytes?.bytes },
        this.clock.date(),
      );
      if (!quota.ok) {
        const what =
          quota.constraint === 'dailyQuota.maxFiles'
            ? `${quota.used} of ${quota.limit} files`
            : `${formatByteSize(quota.used)} of ${formatByteSize(quota.limit)}`;
        throw new ConstraintViolationError(quota.constraint, `${fileName}: tenant ${tenant.id} has used ${what} of today's quota (UTC)`, {
          used: quota.used,
          limit: quota.limit,
        });
      }
    }

    const key = objectKey({ tenant: tenant.id, stage: 'incoming', batchId, fileName });
    const grantId = newGrantId();
    const grantedAt = this.clock.date();
    const upload = await this.bucket.presignUpload(key, size, this.urlTtlSeconds, grantId);
    await this.grants.put({ tenant: tenant.id, batchId, grantId, fileName, declaredBytes: size, dryRun, grantedAt, expiresAt: upload.expiresAt });
    return {
      tenant: tenant.id,
      batchId,
      fileName,
      format,
      key,
      maxBytes: size,
      grantId,
      ingestionId: ingestionIdOf(batchId, fileName, grantId),
      dryRun,
      upload,
    };
  }
}
