import type { Profile } from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

/** `GET /tenants/{tenant}/profile`: the tenant's constraints, sizes with their units and in bytes. */
export const handler = tenantHttpHandler<Profile>(({ tenant, platform }) => {
  const { profile } = tenant;
  return {
    body: {
      tenant: tenant.id,
      displayName: profile.displayName,
      status: profile.status,
      keyspace: platform.topology.tenantKeyspace(profile),
      batch: {
        maxFileSize: profile.batch.maxFileSize.text,
        maxFileSizeBytes: profile.batch.maxFileSize.bytes,
        maxFilesPerBatch: profile.batch.maxFilesPerBatch,
        allowedFormats: profile.batch.allowedFormats,
        maxBadRows: profile.batch.maxBadRows,
        ...(profile.batch.dailyQuota
          ? {
              dailyQuota: {
                maxFiles: profile.batch.dailyQuota.maxFiles ?? null,
                maxBytes: profile.batch.dailyQuota.maxBytes?.text ?? null,
                maxBytesBytes: profile.batch.dailyQuota.maxBytes?.bytes ?? null,
              },
            }
          : {}),
      },
      stream: {
        batchSize: profile.stream.batchSize,
        batchWindowSeconds: profile.stream.batchWindowSeconds,
        maxReceiveCount: profile.stream.maxReceiveCount,
        maxMessageSize: profile.stream.maxMessageSize.text,
        maxMessageSizeBytes: profile.stream.maxMessageSize.bytes,
      },
    } satisfies Profile,
  };
});
