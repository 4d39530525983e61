import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { ensurePlatformSchema } from '../cassandra/platformSchema';
import { ensureKeyspace, formatReplication, withFactor, type Replication } from '../cassandra/Replication';
import type { PlatformConfig } from '../config/PlatformConfig';
import type { Tenant } from '../tenants/Tenant';
import type { TenantDefinition } from '../tenants/TenantDirectory';
import type { TenantProfile } from '../tenants/TenantProfile';
import { CassandraTenantRegistry } from '../tenants/TenantRegistry';
import { chunkEventSources, streamEventSources } from '../topology/eventSources';
import { Topology, type QueueDefinition } from '../topology/Topology';
import { provisionAmqp } from './provisionAmqp';
import { provisionBucket } from './provisionBucket';
import { provisionQueues } from './provisionQueues';
import type { RabbitMqAdmin } from './RabbitMqAdmin';
import { syncEventSourceMappings } from './syncEventSourceMappings';

export interface ProvisionTargets {
  readonly cassandra: cassandra.Client;
  /** S3 and SQS where the platform owns all of them (LocalStack); omit on AWS, where CloudFormation owns the bucket and batch queues. */
  readonly aws?: { readonly s3: S3Client; readonly sqs: SQSClient } | undefined;
  /**
   * On AWS: the tenants' stream and chunk queues (made at runtime, not by the
   * stack, so a tenant needs no deploy) and the stream-ingest and batch-chunk
   * functions' event source mappings, which follow the registry.
   */
  readonly streams?: { readonly sqs: SQSClient; readonly lambda: LambdaClient } | undefined;
  readonly rabbit: RabbitMqAdmin;
}

export type ProvisionStep = (message: string) => void;

/**
 * The stage's S3 and SQS, where the platform owns them (LocalStack): the
 * queues with their dead-letter queues and redrive, the ingest bucket and its
 * upload notification. Idempotent; also what gives a restarted LocalStack back
 * what it lost (it keeps S3 and SQS in memory).
 */
export async function provisionStorage(
  aws: { readonly s3: S3Client; readonly sqs: SQSClient },
  topology: Topology,
  tenants: ReadonlyArray<Pick<Tenant, 'profile'>>,
  step: ProvisionStep = () => undefined,
): Promise<void> {
  const queues = await provisionQueues(aws.sqs, topology.queues(tenants.map((tenant) => tenant.profile)));
  step(`SQS: ${queues.size} queues, each with its dead-letter queue`);
  const batchQueue = queues.get(topology.batchIngestQueue.name);
  if (!batchQueue) throw new Error(`queue ${topology.batchIngestQueue.name} was not provisioned`);
  await provisionBucket(aws.s3, aws.sqs, topology, batchQueue);
  step(`S3: bucket ${topology.ingestBucket}, uploads under ${Topology.NOTIFICATION_PREFIX} notify ${topology.batchIngestQueue.name}`);
}

/**
 * Provisions a stage from the topology and the tenants' definitions, in the
 * order things depend on each other: queues (with DLQs and redrive), the
 * bucket and its notification, the platform keyspace and each tenant's
 * keyspace, RabbitMQ, and last the tenant registry. Every step is idempotent.
 *
 * @example
 * await provisionPlatform(config, await directory.definitions(), { cassandra, aws: { s3, sqs }, rabbit }, console.log);
 */
export async function provisionPlatform(
  config: PlatformConfig,
  definitions: readonly TenantDefinition[],
  targets: ProvisionTargets,
  step: ProvisionStep = () => undefined,
): Promise<void> {
  const topology = new Topology(config);
  const tenants = definitions.map((definition) => definition.tenant);
  if (targets.aws) await provisionStorage(targets.aws, topology, tenants, step);
  if (targets.streams) {
    await provisionQueues(targets.streams.sqs, tenantQueues(topology, tenants));
    step(`SQS: the stream and chunk queues, with their dead-letter queues, of ${tenants.map((tenant) => tenant.id).join(', ') || '(none)'}`);
  }
  const platform = await ensurePlatformSchema(targets.cassandra, topology.platformKeyspace, config.cassandra.replication);
  if (platform.differs) step(replicationDiffers(topology.platformKeyspace, platform.differs, config.cassandra.replication));
  for (const tenant of tenants) {
    const keyspace = topology.tenantKeyspace(tenant.profile);
    const wanted = tenantReplication(config, tenant.profile);
    const { differs } = await ensureKeyspace(targets.cassandra, keyspace, wanted, `tenant ${tenant.id}'s keyspace ${keyspace}`);
    if (differs) step(replicationDiffers(keyspace, differs, wanted, tenant.id));
  }
  step(`Cassandra: keyspace ${topology.platformKeyspace}, tenant keyspaces ${tenants.map((t) => topology.tenantKeyspace(t.profile)).join(', ') || '(none)'}`);
  await provisionAmqp(targets.rabbit, topology, tenants, { username: config.amqp.username, password: config.amqp.password }, config.amqp.adminUsername);
  step(`RabbitMQ: vhost ${config.amqp.vhost}, exchange ${topology.amqp([]).exchange}, a queue and a user per tenant`);
  // Last: a tenant in the registry is live (logins, the bridge), so everything it needs exists first.
  const registry = new CassandraTenantRegistry(targets.cassandra, topology.platformKeyspace, 0);
  for (const definition of definitions) await registry.put(definition.tenant.id, definition.profileInput, definition.tenant.credentials);
  step(`tenant registry: ${tenants.map((t) => `${t.id} (${t.profile.status})`).join(', ') || '(none)'}`);
  if (targets.streams) for (const change of await syncEventSources(targets.streams, config, topology, registry)) step(`Lambda: ${change}`);
}

/** The copies of a tenant keyspace: the profile's own number in every data center the platform replicates to, else the platform's. */
export function tenantReplication(config: PlatformConfig, profile: Pick<TenantProfile, 'replicationFactor'>): Replication {
  return profile.replicationFactor === undefined ? config.cassandra.replication : withFactor(config.cassandra.replication, profile.replicationFactor);
}

function replicationDiffers(keyspace: string, actual: Replication, wanted: Replication, tenant?: string): string {
  const show = (replication: Replication): string => formatReplication(replication) || 'not NetworkTopologyStrategy';
  const how = tenant ? `\`tenants replication ${tenant} <copies>\` changes it` : 'ALTER KEYSPACE changes it';
  return `Cassandra: keyspace ${keyspace} keeps ${show(actual)} copies, not ${show(wanted)}: left as it is (${how}, then a repair)`;
}

/** A tenant's own queues: its stream queue and its chunk queue. */
function tenantQueues(topology: Topology, tenants: ReadonlyArray<Pick<Tenant, 'id' | 'profile'>>): QueueDefinition[] {
  return tenants.flatMap((tenant) => [topology.streamQueue(tenant.id, tenant.profile), topology.chunkQueue(tenant.id)]);
}

/**
 * On AWS, makes the stream-ingest and batch-chunk functions' event sources
 * follow the registry (see {@link syncEventSourceMappings}): after
 * `provision`, and after a tenant is removed.
 */
export async function syncEventSources(
  streams: { readonly sqs: SQSClient; readonly lambda: LambdaClient },
  config: Pick<PlatformConfig, 'batch'>,
  topology: Topology,
  registry: Pick<CassandraTenantRegistry, 'list'>,
): Promise<string[]> {
  const registered = await registry.list();
  const queues = await provisionQueues(streams.sqs, tenantQueues(topology, registered));
  const arns = new Map([...queues].map(([name, queue]) => [name, queue.arn]));
  return [
    ...(await syncEventSourceMappings(
      streams.lambda,
      topology.streamIngestFunctionName,
      streamEventSources(topology, registered),
      arns,
      topology.streamQueuePrefix,
    )),
    ...(await syncEventSourceMappings(
      streams.lambda,
      topology.batchChunkFunctionName,
      chunkEventSources(topology, registered, config.batch.chunkConcurrency),
      arns,
      topology.chunkQueuePrefix,
    )),
  ];
}
