import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../localstack/paths';

const FILE = join(repoRoot, 'BENCHMARKS.md');
const INTRO = `# Benchmarks

Every \`npm run bench:*\` command appends its results here, with the machine and the date.
Numbers compare loaders measured in the same run on the same machine; they are not pass/fail tests.
`;

/** Appends a section to BENCHMARKS.md (creating it with its introduction if needed). */
export async function appendBenchmark(section: string): Promise<void> {
  const existing = await readFile(FILE, 'utf8').catch(() => undefined);
  if (existing === undefined) await writeFile(FILE, INTRO);
  await appendFile(FILE, `\n${section.trim()}\n`);
}

/** A markdown table. */
export function markdownTable(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
