import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

/** A CSV file cut into parts, each with the file's header line. */
export interface CsvParts {
  /** The folder that holds the parts and nothing else (what a loader that reads a folder is pointed at). */
  readonly dir: string;
  /** The parts, in the file's order. */
  readonly files: readonly string[];
  /** Their bytes together: the file's, plus a header for each part after the first. */
  readonly bytes: number;
}

/** How far a cut point is looked ahead for the end of its line, a read at a time. */
const LOOKAHEAD = 64 * 1024;

/** The offset just past the first newline at or after `from` (the file's size if none). */
async function nextLineStart(path: string, from: number, size: number): Promise<number> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(LOOKAHEAD);
    for (let position = from; position < size; position += LOOKAHEAD) {
      const { bytesRead } = await file.read(buffer, 0, LOOKAHEAD, position);
      const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
      if (newline >= 0) return position + newline + 1;
    }
    return size;
  } finally {
    await file.close();
  }
}

/**
 * Where each part's rows begin and end: `parts` ranges of nearly equal bytes
 * after the header, each cut just past a newline, so that every row is in
 * exactly one part. Ranges that would hold no row are left out (a file of
 * fewer rows than parts).
 */
export async function cutPoints(path: string, parts: number): Promise<{ headerEnd: number; ranges: Array<[number, number]> }> {
  if (!Number.isInteger(parts) || parts < 1) throw new RangeError(`a CSV is cut into 1 part or more, not ${parts}`);
  const size = statSync(path).size;
  const headerEnd = await nextLineStart(path, 0, size);
  const cuts = [headerEnd];
  for (let part = 1; part < parts; part += 1) {
    const target = headerEnd + Math.floor(((size - headerEnd) * part) / parts);
    // Just past the newline that ends the line the target falls in (a target on a line's first byte keeps that line).
    cuts.push(Math.max(cuts.at(-1)!, await nextLineStart(path, Math.max(headerEnd, target - 1), size)));
  }
  cuts.push(size);
  const ranges: Array<[number, number]> = [];
  for (let index = 0; index + 1 < cuts.length; index += 1) {
    const [start, end] = [cuts[index]!, cuts[index + 1]!];
    if (end > start) ranges.push([start, end]);
  }
  return { headerEnd, ranges };
}

/** The parts a folder holds, in order (part-1.csv, part-2.csv, ...). */
function partsIn(dir: string): string[] {
  const number = (name: string): number => Number(/^part-(\d+)\.csv$/.exec(name)?.[1]);
  return readdirSync(dir)
    .filter((name) => /^part-\d+\.csv$/.test(name))
    .sort((a, b) => number(a) - number(b))
    .map((name) => join(dir, name));
}

function describeParts(dir: string): CsvParts {
  const files = partsIn(dir);
  return { dir, files, bytes: files.reduce((sum, file) => sum + statSync(file).size, 0) };
}

/**
 * Cuts the CSV at `path` into `parts` files of about equal size, in a folder
 * of their own beside it (`<file>.parts-<N>/part-1.csv`, ...), each starting
 * with the file's header line, the rows in their order and each in exactly one
 * part: what a loader that reads the files of a folder in parallel is given.
 * Made once (the bytes are copied, not parsed) and reused while it is newer
 * than the file.
 *
 * @example
 * const { dir } = await splitCsv('.localcloud/bench/readings-1000000.csv', 4);
 */
export async function splitCsv(path: string, parts: number): Promise<CsvParts> {
  const dir = `${path}.parts-${parts}`;
  if (existsSync(dir) && statSync(dir).mtimeMs >= statSync(path).mtimeMs) return describeParts(dir);
  const { headerEnd, ranges } = await cutPoints(path, parts);
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  for (const [index, [start, end]] of ranges.entries()) {
    const out = join(partial, `part-${index + 1}.csv`);
    await pipeline(createReadStream(path, { start: 0, end: headerEnd - 1 }), createWriteStream(out));
    await pipeline(createReadStream(path, { start, end: end - 1 }), createWriteStream(out, { flags: 'a' }));
  }
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return describeParts(dir);
}
