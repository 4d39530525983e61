import type { UploadGrant } from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

/**
 * `POST /tenants/{tenant}/uploads` `{ fileName, size, batchId?, dryRun? }` ->
 * a presigned POST for one upload of at most `size` bytes to
 * `tenants/{tenant}/incoming/<batch>/<file>`, with the id of the ingestion it
 * will make, or a 4xx naming the profile constraint the file breaks.
 */
export const handler = tenantHttpHandler<UploadGrant>(async ({ tenant, body, platform }) => {
  const request = (body ?? {}) as { fileName: unknown; size: unknown; batchId?: unknown; dryRun?: unknown };
  const grant = await platform.uploads.grant(tenant, request);
  return {
    status: 201,
    body: {
      tenant: grant.tenant,
      batchId: grant.batchId,
      fileName: grant.fileName,
      format: grant.format,
      key: grant.key,
      maxBytes: grant.maxBytes,
      grantId: grant.grantId,
      ingestionId: grant.ingestionId,
      dryRun: grant.dryRun,
      upload: { method: 'POST', url: grant.upload.url, fields: grant.upload.fields, expiresAt: grant.upload.expiresAt.toISOString() },
    } satisfies UploadGrant,
  };
});
