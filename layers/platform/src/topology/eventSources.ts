import type { Tenant } from '../tenants/Tenant';
import type { TenantProfile } from '../tenants/TenantProfile';
import type { Topology } from './Topology';

/** One tenant's queue as an event source of a queue function: what Lambda's event source mapping (and, locally, the offline pollers) are given. */
export interface EventSource {
  readonly tenant: string;
  readonly queueName: string;
  /** SQS messages per invocation, and how long to wait to fill a batch. */
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /** Invocations of this source at once, at most; undefined: as many as the function runs. */
  readonly maximumConcurrency: number | undefined;
  /** False for a disabled tenant: its source stays, switched off, so its messages wait in its queue. */
  readonly enabled: boolean;
}

/**
 * The stream-ingest function's event sources as the tenant registry says
 * they should be: one per registered tenant, with the batch size and window
 * of its profile, switched on while it is active.
 *
 * @example
 * streamEventSources(topology, await registry.list()); // [{ tenant: 'zoo', queueName: 'mysimbdp-local-stream-zoo', batchSize: 10, ... }]
 */
export function streamEventSources(topology: Topology, tenants: readonly Tenant[]): EventSource[] {
  return tenants.map((tenant) => ({
    tenant: tenant.id,
    queueName: topology.streamQueue(tenant.id, tenant.profile).name,
    batchSize: tenant.profile.stream.batchSize,
    batchWindowSeconds: tenant.profile.stream.batchWindowSeconds,
    maximumConcurrency: undefined,
    enabled: tenant.profile.status === 'active',
  }));
}

/**
 * The batch-chunk function's event sources: one per registered tenant's
 * chunk queue, one task per invocation, at most the tenant's own limit of
 * chunk invocations (`limits.chunkInvocations`) and never more than the
 * platform's total (`chunkConcurrency`), switched on while it is active.
 *
 * Why a queue per tenant: the function's total concurrency is bounded (it
 * protects the cluster), so with one shared queue a tenant that uploads a
 * 100 GB file holds every invocation for hours while the other tenants' tasks
 * wait behind its thousands. With a queue per tenant every tenant with work
 * has pollers of its own, and free invocations go round the tenants that are
 * waiting (locally the offline pollers' fair gate; on AWS each mapping's
 * maximum concurrency under the function's reserved concurrency): a tenant
 * alone uses the whole capacity, two share it.
 *
 * @example
 * chunkEventSources(topology, await registry.list(), 4); // [{ tenant: 'zoo', queueName: 'mysimbdp-local-chunks-zoo', batchSize: 1, maximumConcurrency: 4, ... }]
 */
export function chunkEventSources(topology: Topology, tenants: readonly Tenant[], chunkConcurrency: number): EventSource[] {
  return tenants.map((tenant) => ({
    tenant: tenant.id,
    queueName: topology.chunkQueue(tenant.id).name,
    batchSize: 1,
    batchWindowSeconds: 0,
    maximumConcurrency: chunkInvocationLimit(tenant.profile, chunkConcurrency),
    enabled: tenant.profile.status === 'active',
  }));
}

/** The chunk invocations a tenant may hold at once: its profile's limit, never more than the platform's total. */
export function chunkInvocationLimit(profile: Pick<TenantProfile, 'limits'>, chunkConcurrency: number): number {
  return Math.min(chunkConcurrency, profile.limits.chunkInvocations ?? chunkConcurrency);
}
