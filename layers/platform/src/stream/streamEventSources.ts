import type { Tenant } from '../tenants/Tenant';
import type { Topology } from '../topology/Topology';

/** One tenant's stream queue as an event source of the stream-ingest function. */
export interface StreamEventSource {
  readonly tenant: string;
  readonly queueName: string;
  /** SQS messages (packs) per invocation, and how long to wait to fill a batch: the tenant's profile. */
  readonly batchSize: number;
  readonly batchWindowSeconds: number;
  /** False for a disabled tenant: its source stays, switched off, so its messages wait in its queue. */
  readonly enabled: boolean;
}

/**
 * The stream-ingest function's event sources as the tenant registry says
 * they should be: one per registered tenant, switched on while it is active.
 * What follows them: locally the offline SQS pollers (every few seconds), on
 * AWS the event source mappings (`tenants provision`, `add`, `enable`,
 * `disable`, `remove`).
 *
 * @example
 * streamEventSources(topology, await registry.list()); // [{ tenant: 'zoo', queueName: 'mysimbdp-local-stream-zoo', batchSize: 10, ... }]
 */
export function streamEventSources(topology: Topology, tenants: readonly Tenant[]): StreamEventSource[] {
  return tenants.map((tenant) => ({
    tenant: tenant.id,
    queueName: topology.streamQueue(tenant.id, tenant.profile).name,
    batchSize: tenant.profile.stream.batchSize,
    batchWindowSeconds: tenant.profile.stream.batchWindowSeconds,
    enabled: tenant.profile.status === 'active',
  }));
}
