import { isTenantId } from '../tenants/TenantId';
import { isBatchId } from '../uploads/batchId';

export type ObjectStage = 'incoming' | 'ingested' | 'rejected' | 'validated';

export interface TenantObjectKey {
  readonly tenant: string;
  readonly stage: ObjectStage;
  readonly batchId: string;
  readonly fileName: string;
}

/**
 * The ingest bucket's layout: `tenants/<tenant>/<stage>/<batch>/<file>`,
 * where stage is `incoming` (uploaded, waiting), `ingested`, `rejected`, or
 * `validated` (a dry run: checked, not written).
 *
 * @example
 * objectKey({ tenant: 'zoo', stage: 'incoming', batchId, fileName: 'a.csv' });
 * parseObjectKey('tenants/zoo/incoming/20261127T203000Z-k3j9xq/a.csv');
 */
export function objectKey(key: TenantObjectKey): string {
  return `tenants/${key.tenant}/${key.stage}/${key.batchId}/${key.fileName}`;
}

export function parseObjectKey(key: string): TenantObjectKey | undefined {
  const parts = key.split('/');
  if (parts.length !== 5 || parts[0] !== 'tenants') return undefined;
  const [, tenant, stage, batchId, fileName] = parts as [string, string, string, string, string];
  if (!isTenantId(tenant) || !isBatchId(batchId) || !fileName) return undefined;
  if (stage !== 'incoming' && stage !== 'ingested' && stage !== 'rejected' && stage !== 'validated') return undefined;
  return { tenant, stage, batchId, fileName };
}
