import type { DailyLimits, DailyUsageStore, QuotaOutcome } from '../../../layers/platform/src/uploads/DailyUsageStore';
import type { Public } from './Public';

/** Today's usage in memory, per tenant: charged once per ingestion, refused past the limits. */
export class FakeDailyUsageStore implements Public<DailyUsageStore> {
  private readonly used = new Map<string, { files: number; bytes: number; charged: Set<string> }>();

  private of(tenant: string): { files: number; bytes: number; charged: Set<string> } {
    let used = this.used.get(tenant);
    if (!used) {
      used = { files: 0, bytes: 0, charged: new Set() };
      this.used.set(tenant, used);
    }
    return used;
  }

  /** What a tenant has used already today. */
  seed(tenant: string, files: number, bytes: number): void {
    Object.assign(this.of(tenant), { files, bytes });
  }

  usage(tenant: string): Promise<{ files: number; bytes: number }> {
    const { files, bytes } = this.of(tenant);
    return Promise.resolve({ files, bytes });
  }

  private within(tenant: string, bytes: number, limits: DailyLimits): QuotaOutcome {
    const used = this.of(tenant);
    if (limits.maxFiles !== undefined && used.files + 1 > limits.maxFiles)
      return { ok: false, constraint: 'dailyQuota.maxFiles', used: used.files, limit: limits.maxFiles };
    if (limits.maxBytes !== undefined && used.bytes + bytes > limits.maxBytes)
      return { ok: false, constraint: 'dailyQuota.maxBytes', used: used.bytes, limit: limits.maxBytes };
    return { ok: true };
  }

  fits(tenant: string, bytes: number, limits: DailyLimits): Promise<QuotaOutcome> {
    return Promise.resolve(this.within(tenant, bytes, limits));
  }

  charge(tenant: string, ingestionId: string, bytes: number, limits: DailyLimits): Promise<QuotaOutcome> {
    const used = this.of(tenant);
    if (used.charged.has(ingestionId)) return Promise.resolve({ ok: true });
    const outcome = this.within(tenant, bytes, limits);
    if (outcome.ok) {
      used.files += 1;
      used.bytes += bytes;
      used.charged.add(ingestionId);
    }
    return Promise.resolve(outcome);
  }
}
