import { STAGING_PREFIX } from '../../topology/Topology';
import type { UploadRef } from './ChunkTask';

/**
 * Where an ingestion keeps what its tasks hand on to one another until it
 * ends (`staging/<tenant>/<ingestion>/`): a compressed file's chunk texts
 * (see `UploadText`) and the chunks' validated rows (see `ValidatedRows`), by
 * object version. Deleted, every version of it, when the ingestion ends;
 * expired by the bucket's lifecycle otherwise (a failed ingestion never
 * redriven). Outside `tenants/`, so what is staged notifies no function.
 */
export function stagingPrefix(upload: Pick<UploadRef, 'tenant' | 'ingestionId'>): string {
  return `${STAGING_PREFIX}${upload.tenant}/${upload.ingestionId}/`;
}

/** The staging of one object version of an ingestion. */
export function versionStagingPrefix(upload: Pick<UploadRef, 'tenant' | 'ingestionId' | 'version'>): string {
  return `${stagingPrefix(upload)}${encodeURIComponent(upload.version)}/`;
}
