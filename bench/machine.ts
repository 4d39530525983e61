import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { output } from '../localstack/process/run';
import { cassandraNodeCount } from '../localstack/services/cassandraNodes';

/** The machine a benchmark ran on, in one line, for BENCHMARKS.md; `cassandra` says which Cassandra (by default the local cloud's nodes). */
export function describeMachine(cassandra = cassandraNodeCount() === 1 ? 'one node' : `${cassandraNodeCount()} nodes`): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  const java = /version "([^"]+)"/.exec(output('/usr/lib/jvm/java-17-openjdk-amd64/bin/java', ['-version']) ?? output('java', ['-version']) ?? '')?.[1] ?? '?';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${os}, Node.js ${process.versions.node}, Java ${java}; Cassandra 5.0.9 (${cassandra}, ${process.env.MYSIMBDP_CASSANDRA_HEAP ?? '2G'} heap each), LocalStack 2026.3.0 and RabbitMQ 3.10 on the same machine`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
