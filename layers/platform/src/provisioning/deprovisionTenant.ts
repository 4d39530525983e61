import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteQueueCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { cqlIdentifier } from '../cassandra/cql';
import { CassandraTenantRegistry } from '../tenants/TenantRegistry';
import type { Tenant } from '../tenants/Tenant';
import type { PlatformConfig } from '../config/PlatformConfig';
import { Topology } from '../topology/Topology';
import { syncEventSources } from './provisionPlatform';
import { retireSharedTenantUser } from './provisionAmqp';
import type { RabbitMqAdmin } from './RabbitMqAdmin';

/**
 * Takes a tenant off a stage: out of the registry (no more logins or
 * ingestion), its RabbitMQ user of this stage (and this stage's permissions of
 * the user it had before users were named per stage) and queues, its SQS stream and chunk queues (on AWS
 * after the functions' event sources for them are deleted: `lambda`), and,
 * with `purgeData`, its keyspace.
 */
export async function deprovisionTenant(
  tenant: Tenant,
  config: PlatformConfig,
  targets: { cassandra: cassandra.Client; rabbit: RabbitMqAdmin; sqs?: SQSClient | undefined; lambda?: LambdaClient | undefined },
  options: { purgeData: boolean },
): Promise<string[]> {
  const topology = new Topology(config);
  const done: string[] = [];
  const registry = new CassandraTenantRegistry(targets.cassandra, topology.platformKeyspace, 0);
  await registry.remove(tenant.id);
  done.push('removed from the tenant registry');
  if (targets.sqs && targets.lambda) done.push(...(await syncEventSources({ sqs: targets.sqs, lambda: targets.lambda }, config, topology, registry)));
  const amqp = topology.amqp([tenant.id]);
  const binding = amqp.tenants[0];
  if (binding) {
    await targets.rabbit.deleteUser(binding.user);
    await targets.rabbit.deleteQueue(amqp.vhost, binding.queue);
    await targets.rabbit.deleteQueue(amqp.vhost, binding.rejectedQueue);
  }
  await retireSharedTenantUser(targets.rabbit, amqp.vhost, tenant.id);
  done.push('RabbitMQ user and queues deleted');
  if (targets.sqs) {
    const queues = [topology.streamQueue(tenant.id), topology.chunkQueue(tenant.id)];
    for (const name of queues.flatMap((queue) => [queue.name, queue.deadLetterName])) {
      const url = await targets.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (reply) => reply.QueueUrl,
        () => undefined,
      );
      if (url) await targets.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    }
    done.push('SQS stream and chunk queues and their dead-letter queues deleted');
  }
  if (options.purgeData) {
    await targets.cassandra.execute(`DROP KEYSPACE IF EXISTS ${cqlIdentifier(topology.tenantKeyspace(tenant.profile))}`);
    done.push(`keyspace ${topology.tenantKeyspace(tenant.profile)} dropped`);
  }
  return done;
}
