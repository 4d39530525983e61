import type { UploadGrantRecord, UploadGrantStore } from '../../../layers/platform/src/uploads/UploadGrantStore';
import type { Public } from './Public';

/** Upload grants in memory, by tenant, batch and grant id. */
export class FakeUploadGrantStore implements Public<UploadGrantStore> {
  private readonly grants = new Map<string, UploadGrantRecord>();

  all(): UploadGrantRecord[] {
    return [...this.grants.values()];
  }

  put(grant: UploadGrantRecord): Promise<void> {
    this.grants.set(`${grant.tenant}/${grant.batchId}/${grant.grantId}`, grant);
    return Promise.resolve();
  }

  get(tenant: string, batchId: string, grantId: string): Promise<UploadGrantRecord | undefined> {
    return Promise.resolve(this.grants.get(`${tenant}/${batchId}/${grantId}`));
  }
}
