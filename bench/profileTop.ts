// Where a function's CPU time went: sums the self time of every function in
// the `.cpuprofile` files of a folder (as `--cpu-prof --cpu-prof-dir=<dir>`
// writes them, one per process) and prints the heaviest, with their share.
//   node --import tsx bench/profileTop.ts <dir> [how many, default 30]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

const [dir = '.', count = '30'] = process.argv.slice(2);
const selfTime = new Map<string, number>();
let total = 0;
for (const name of readdirSync(dir).filter((file) => file.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile;
  const byNode = new Map<number, number>();
  profile.samples.forEach((node, index) => byNode.set(node, (byNode.get(node) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  for (const node of profile.nodes) {
    const time = byNode.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    selfTime.set(key, (selfTime.get(key) ?? 0) + time);
    total += time;
  }
}
for (const [key, time] of [...selfTime].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${(time / 1e6).toFixed(2).padStart(7)} s  ${key}`);
}
