import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../errors';
import type { IngestBucket, PresignedUpload } from '../storage/IngestBucket';
import { objectKey } from '../storage/objectKeys';
import type { Tenant } from '../tenants/Tenant';
import type { FileFormat } from '../tenants/TenantProfile';
import { formatByteSize } from '../units/byteSize';
import { assertBatchId, newBatchId } from './batchId';
import type { DailyUsageStore } from './DailyUsageStore';
import { fileExtension, formatOf, safeFileName } from './fileName';
import type { UploadBatchStore } from './UploadBatchStore';

export interface UploadRequest {
  readonly fileName: unknown;
  /** Size in bytes the client declares; S3 enforces the profile's limit whatever it says. */
  readonly size: unknown;
  /** Omit to start a new batch; pass the returned id for the batch's next files. */
  readonly batchId?: unknown;
}

export interface UploadGrant {
  readonly tenant: string;
  readonly batchId: string;
  readonly fileName: string;
  readonly format: FileFormat;
  readonly key: string;
  readonly maxBytes: number;
  readonly upload: PresignedUpload;
}

/**
 * `POST /tenants/{t}/uploads`: checks one file against the tenant's profile
 * (name, format, declared size, files per batch, daily quota) and grants a
 * presigned POST scoped to `tenants/{t}/incoming/<batch>/<file>`.
 *
 * @example
 * const grant = await uploads.grant(tenant, { fileName: 'a.csv', size: 1024 });
 * // POST grant.upload.fields + the file to grant.upload.url
 */
export class UploadService {
  constructor(
    private readonly bucket: IngestBucket,
    private readonly batches: UploadBatchStore,
    private readonly usage: DailyUsageStore,
    private readonly urlTtlSeconds: number,
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
    const size = request.size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new InvalidInputError('size must be the file size in bytes (a non-negative integer)');
    }
    if (size > limits.maxFileSize.bytes) {
      throw new ConstraintViolationError(
        'maxFileSize',
        `${fileName} is ${formatByteSize(size)}; tenant ${tenant.id} accepts files up to ${limits.maxFileSize.text}`,
        { limitBytes: limits.maxFileSize.bytes, sizeBytes: size },
      );
    }

    const batchId = request.batchId === undefined ? newBatchId() : assertBatchId(request.batchId);
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
    if (reservation === 'reserved' && limits.dailyQuota) {
      const quota = await this.usage.reserve(tenant.id, size, {
        maxFiles: limits.dailyQuota.maxFiles,
        maxBytes: limits.dailyQuota.maxBytes?.bytes,
      });
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
    const upload = await this.bucket.presignUpload(key, limits.maxFileSize.bytes, this.urlTtlSeconds);
    return { tenant: tenant.id, batchId, fileName, format, key, maxBytes: limits.maxFileSize.bytes, upload };
  }
}
