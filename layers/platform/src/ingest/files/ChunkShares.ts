import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueCounts } from '../../storage/queueDepth';
import type { TenantProfile } from '../../tenants/TenantProfile';
import { chunkInvocationLimit } from '../../topology/eventSources';
import type { Topology } from '../../topology/Topology';

/** A tenant's share of the chunk invocations, as its chunk queue shows it. */
export interface ChunkShare {
  /** Chunk tasks of the tenant's files waiting for an invocation. */
  readonly queued: number;
  /** Chunk tasks taken (being worked on, or handed back until their retry). */
  readonly inFlight: number;
  /** Chunk invocations the tenant may hold at once: its profile's limit, at most the platform's total. */
  readonly limit: number;
}

/**
 * Where each tenant stands in the chunk invocations the tenants share (see
 * `chunkEventSources`): what its queue holds and what it may take. For the
 * operator's views and for a tenant's file whose tasks wait their turn.
 *
 * @example
 * await shares.of('zoo', profile); // { queued: 12, inFlight: 2, limit: 2 }
 */
export class ChunkShares {
  constructor(
    private readonly sqs: SQSClient,
    private readonly topology: Topology,
    /** Chunk invocations of all tenants at once, at most (`MYSIMBDP_CHUNK_CONCURRENCY`). */
    private readonly chunkConcurrency: number,
    /** A queue's URL by name (a cache of them, where the caller has one). */
    private readonly queueUrl: (name: string) => Promise<string> = (name) =>
      sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((reply) => reply.QueueUrl as string),
  ) {}

  /** The tenant's share now; null when its queue cannot be read (a report shows what it knows rather than fail). */
  async of(tenant: string, profile: Pick<TenantProfile, 'limits'>): Promise<ChunkShare | null> {
    const counts = await queueCounts(this.sqs, this.queueUrl, this.topology.chunkQueue(tenant).name);
    return counts && { queued: counts.waiting, inFlight: counts.inFlight, limit: chunkInvocationLimit(profile, this.chunkConcurrency) };
  }
}
