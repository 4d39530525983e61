import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { localCloudDir } from './paths';
import { CassandraCluster } from './services/CassandraCluster';
import type { ServiceStatus } from './services/LocalService';
import { LocalStackService } from './services/LocalStackService';
import type { ProcessService } from './services/ProcessService';
import { RabbitMqService } from './services/RabbitMqService';

export type Progress = (message: string) => void;

/**
 * The local cloud: Cassandra (one node, or a cluster of
 * `MYSIMBDP_CASSANDRA_NODES` on 127.0.0.1, 127.0.0.2, ...), LocalStack (S3,
 * SQS) and RabbitMQ on 127.0.0.1, installed once into `.localcloud/`, started
 * in parallel (the nodes of a cluster as Cassandra requires, see
 * {@link CassandraCluster}), each waited for until it really serves.
 *
 * @example
 * const cloud = new LocalCloud();
 * const started = await cloud.start(console.log); // names of the services it started
 * await cloud.stop(started);
 */
export class LocalCloud {
  readonly cassandra = new CassandraCluster();
  private readonly others: readonly ProcessService[] = [new LocalStackService(), new RabbitMqService()];
  /** Every service, each Cassandra node one of them. */
  readonly services: readonly ProcessService[] = [...this.cassandra.nodes, ...this.others];

  service(name: string): ProcessService {
    const service = this.services.find((candidate) => candidate.name === name);
    if (!service) throw new Error(`no local service "${name}" (known: ${this.services.map((s) => s.name).join(', ')})`);
    return service;
  }

  async install(progress: Progress): Promise<void> {
    await Promise.all([this.cassandra.install(progress), ...this.others.map((service) => service.install(progress))]);
  }

  /** Installs what is missing and starts what is not running; returns the names it started. */
  async start(progress: Progress): Promise<string[]> {
    await this.install(progress);
    const started: string[] = [];
    const results = await Promise.allSettled([
      this.cassandra.start(progress).then((names) => void started.push(...names)),
      ...this.others.map(async (service) => {
        if (await service.startSaying(progress)) started.push(service.name);
      }),
    ]);
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length) {
      await this.stop(started);
      throw new Error(failures.map((failure) => (failure.reason as Error).message).join('\n\n'));
    }
    return started;
  }

  /** Stops the named services (default: all the local cloud started). */
  async stop(names: readonly string[] = this.services.map((service) => service.name)): Promise<string[]> {
    const stopped: string[] = [];
    await Promise.all(
      this.services
        .filter((service) => names.includes(service.name))
        .map(async (service) => {
          if (await service.stop()) stopped.push(service.name);
        }),
    );
    return stopped;
  }

  async status(): Promise<Array<{ service: ProcessService; status: ServiceStatus }>> {
    return Promise.all(this.services.map(async (service) => ({ service, status: await service.status() })));
  }

  /** Stops everything and deletes service data and logs; keeps the installs. */
  async reset(): Promise<void> {
    await this.stop();
    for (const folder of ['data', 'logs', 'run', 'rabbitmq']) rmSync(join(localCloudDir, folder), { recursive: true, force: true });
  }
}
