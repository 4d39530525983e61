// `npm run bench:replication`: the batch benchmark (bench/batch.ts) on one Cassandra node, then on a cluster of
// three at three copies, one after the other on the same machine, every loader writing at LOCAL_QUORUM; appends
// both runs to BENCHMARKS.md (batch.ts writes its own sections), then a table of what the copies cost, loader by
// loader. A single node and a cluster share 127.0.0.1:9042: whatever local Cassandra runs is stopped first.
// BENCH_ROWS and BENCH_PARALLELISM (default 1,2) are passed on.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localCloudDir, repoRoot } from '../localstack/paths';
import { CassandraCluster } from '../localstack/services/CassandraCluster';
import type { Run } from './batch';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { describeMachine, today } from './machine';

const say = (message: string): void => console.log(`[bench:replication] ${message}`);
const NODES = [1, 3] as const;
const resultsFile = (nodes: number): string => join(localCloudDir, 'bench', `batch-results-${nodes}-nodes.json`);

interface BatchResults {
  readonly nodes: number;
  readonly results: ReadonlyArray<{ rows: number; bytes: number; runs: Run[] }>;
}

for (const nodes of NODES) {
  for (const size of NODES) await new CassandraCluster(size).stop();
  say(`the batch benchmark on ${nodes === 1 ? 'one node' : `${nodes} nodes`}`);
  const batch = spawnSync(process.execPath, ['--import', 'tsx', join('bench', 'batch.ts')], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: {
      ...process.env,
      MYSIMBDP_CASSANDRA_NODES: String(nodes),
      BENCH_RESULTS: resultsFile(nodes),
      BENCH_PARALLELISM: process.env.BENCH_PARALLELISM ?? '1,2',
    },
  });
  if (batch.status !== 0) throw new Error(`the batch benchmark on ${nodes} node(s) failed (exit ${batch.status})`);
}

const [single, cluster] = NODES.map((nodes) => JSON.parse(readFileSync(resultsFile(nodes), 'utf8')) as BatchResults) as [BatchResults, BatchResults];
const sections = single.results.map(({ rows, runs }) => {
  const clustered = cluster.results.find((result) => result.rows === rows)?.runs ?? [];
  const table = markdownTable(
    ['loader', 'one node: s', 'three nodes, three copies: s', 'one node: rows/s', 'three nodes: rows/s', 'three nodes ÷ one node (time)'],
    runs.map((run) => {
      const other = clustered.find((candidate) => candidate.loader === run.loader);
      return [
        run.loader,
        run.seconds.toFixed(1),
        other ? other.seconds.toFixed(1) : '-',
        Math.round(rows / run.seconds),
        other ? Math.round(rows / other.seconds) : '-',
        other ? (other.seconds / run.seconds).toFixed(2) : '-',
      ];
    }),
  );
  return `${rows} rows:\n\n${table}`;
});

await appendBenchmark(`## What three copies cost: one node against a three-node cluster, ${today()}

Machine: ${describeMachine('one node, then three')}. The same batch benchmark (the two sections above, \`npm run bench:replication\`), first
on one node, then on three nodes of the same machine at three copies (\`NetworkTopologyStrategy\`, every loader at
LOCAL_QUORUM). Three nodes on two cores write every row three times with the same CPU: the ratio is the cost of
replication where the nodes share the cores; on a cluster of machines each copy has its own.

${sections.join('\n\n')}
`);
say('appended to BENCHMARKS.md');
