import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What a fault test measured, for the table of docs/faults.md. */
export interface FaultFigures {
  readonly fault: string;
  readonly downtimeSeconds: number;
  readonly messages: number;
  readonly inFlightAtFault: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly recoverSeconds: number;
  readonly notes?: string;
}

/** Prints the figures and appends them to `.localcloud/logs/fault-figures.ndjson`, where the table of docs/faults.md comes from. */
export async function recordFaultFigures(figures: FaultFigures): Promise<void> {
  const line = JSON.stringify({ ...figures, at: new Date().toISOString() });
  console.log(`fault figures: ${line}`);
  const folder = join('.localcloud', 'logs');
  await mkdir(folder, { recursive: true });
  await appendFile(join(folder, 'fault-figures.ndjson'), `${line}\n`);
}
