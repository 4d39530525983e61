import type { UploadRef } from './ChunkTask';

/**
 * Where an ingestion keeps what its tasks hand on to one another until it
 * ends, under its tenant's prefix: a compressed file's chunk texts (see
 * `UploadText`) and the chunks' validated rows (see `ValidatedRows`), by
 * object version. Deleted, every version of it, when the ingestion ends.
 */
export function stagingPrefix(upload: Pick<UploadRef, 'tenant' | 'ingestionId'>): string {
  return `tenants/${upload.tenant}/staging/${upload.ingestionId}/`;
}

/** The staging of one object version of an ingestion. */
export function versionStagingPrefix(upload: Pick<UploadRef, 'tenant' | 'ingestionId' | 'version'>): string {
  return `${stagingPrefix(upload)}${encodeURIComponent(upload.version)}/`;
}
