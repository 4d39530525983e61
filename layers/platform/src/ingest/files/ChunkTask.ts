import { z } from 'zod';
import { COMPRESSIONS, RECORD_FORMATS, TEXT_FORMATS, type Compression, type RecordFormat } from '../../tenants/FileFormat';
import type { BoundaryScanState, ChunkSpan, CsvHeader } from './ChunkBoundaries';
import type { ObjectCreated } from './ObjectIntake';

/** The upload a chunk task works on: the exact object version, and the record that follows it. */
export interface UploadRef {
  readonly tenant: string;
  readonly batchId: string;
  readonly ingestionId: string;
  readonly fileName: string;
  /** How its records are read (the profile's format without its compression). */
  readonly format: RecordFormat;
  /** How its bytes are compressed, if they are. */
  readonly compression?: Compression | undefined;
  /** A compressed file: the most bytes its text may unpack to (its tenant's `maxUncompressedSize` when it was taken in). */
  readonly maxTextBytes?: number | undefined;
  /** A compressed file: the bytes of its text, once its cut has read them all (in the tasks of its last chunks, and its writes). */
  readonly textBytes?: number | undefined;
  /** The object's key in `incoming/`. */
  readonly key: string;
  readonly versionId: string | undefined;
  readonly etag: string;
  /** The object version being ingested: its S3 version id, or its ETag where the bucket keeps no versions (`run` in queue messages). */
  readonly version: string;
  readonly size: number;
}

/** An uploaded object, as its notification named it, waiting in its tenant's queue to be taken in and ingested. */
export interface FileTask {
  readonly kind: 'file';
  readonly tenant: string;
  readonly object: ObjectCreated;
}

/**
 * One of the byte ranges a large file is planned in, several invocations at once (see `RangePlanner`): range
 * `index` of `count`, each `bytes` long but the last, cut into chunks of `chunkSize` (carried, so that every range
 * of a file is scanned alike even if the settings change while it is planned).
 */
export interface PlanRange {
  readonly index: number;
  readonly count: number;
  readonly bytes: number;
  readonly chunkSize: number;
}

/**
 * A task of a file already cut (or being cut) into chunks:
 * - `plan`: go on cutting the file from a saved scan state (the cutter ran out of its time budget); `plan` is
 *   the name in queue messages, kept so that messages in flight and in dead-letter queues still read;
 * - `range`: scan one byte range of a file planned in ranges; the range that finds every other one scanned puts
 *   the chunks together and sends their `validate` tasks;
 * - `validate`: read one chunk and check every record with the tenant's app, writing nothing;
 * - `write`: write one chunk's rows (once every chunk is validated and the file accepted).
 */
export type ChunkedFileTask =
  | { readonly kind: 'plan'; readonly upload: UploadRef; readonly state: BoundaryScanState }
  | { readonly kind: 'range'; readonly upload: UploadRef; readonly range: PlanRange }
  | { readonly kind: 'validate' | 'write'; readonly upload: UploadRef; readonly chunk: ChunkSpan; readonly header: CsvHeader | undefined };

/**
 * One unit of a tenant's batch work, carried by the tenant's chunk queue, so
 * that every tenant's work, from the intake of each upload on, is served by
 * its share of the chunk invocations: a {@link FileTask} (take an upload in,
 * then ingest it whole or cut it into chunks) or a {@link ChunkedFileTask}.
 */
export type ChunkTask = FileTask | ChunkedFileTask;

/** The tenant whose queue a task goes to. */
export function tenantOfTask(task: ChunkTask): string {
  return task.kind === 'file' ? task.tenant : task.upload.tenant;
}

/** How many times this task has been delivered (a redelivery may find work a crashed invocation left half done). */
export interface TaskDelivery {
  readonly receiveCount: number;
}

const UploadRefSchema = z
  .object({
    tenant: z.string(),
    batchId: z.string(),
    ingestionId: z.string(),
    fileName: z.string(),
    format: z.enum(RECORD_FORMATS),
    compression: z.enum(Object.values(COMPRESSIONS) as [Compression, ...Compression[]]).optional(),
    maxTextBytes: z.number().int().positive().optional(),
    textBytes: z.number().int().nonnegative().optional(),
    key: z.string(),
    versionId: z.string().optional(),
    etag: z.string(),
    run: z.string(),
    size: z.number().int().nonnegative(),
  })
  // The version is `run` in queue messages, the name the messages in flight and in dead-letter queues carry.
  .transform(({ run, ...upload }) => ({ ...upload, version: run }));
const SpanSchema = z.object({ index: z.number().int(), start: z.number().int(), end: z.number().int(), positionOffset: z.number().int() });
const HeaderSchema = z.object({ end: z.number().int(), newlines: z.number().int() });
const StateSchema = z.object({
  format: z.enum(TEXT_FORMATS),
  offset: z.number().int(),
  nextIndex: z.number().int(),
  quoted: z.boolean(),
  newlines: z.number().int(),
  header: HeaderSchema.optional(),
  content: z.boolean(),
  depth: z.number().int(),
  commas: z.number().int(),
  backslashes: z.number().int(),
  delimiter: z.enum(['lf', 'crlf', 'cr', 'undecided-cr']).optional(),
  pendingCr: z.boolean(),
});
const RangeSchema = z.object({
  index: z.number().int().nonnegative(),
  count: z.number().int().positive(),
  bytes: z.number().int().positive(),
  chunkSize: z.number().int().positive(),
});
const ObjectSchema = z.object({ key: z.string(), size: z.number().int().nonnegative(), etag: z.string().optional(), versionId: z.string().optional() });
const TaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), tenant: z.string(), object: ObjectSchema }),
  z.object({ kind: z.literal('plan'), tenant: z.string(), upload: UploadRefSchema, state: StateSchema }),
  z.object({ kind: z.literal('range'), tenant: z.string(), upload: UploadRefSchema, range: RangeSchema }),
  z.object({ kind: z.enum(['validate', 'write']), tenant: z.string(), upload: UploadRefSchema, chunk: SpanSchema, header: HeaderSchema.optional() }),
]);

/** The task as a queue message body; `tenant` is repeated at the top so that tools can sort dead letters by tenant. */
export function encodeChunkTask(task: ChunkTask): string {
  if (task.kind === 'file') return JSON.stringify(task);
  const { version, ...upload } = task.upload;
  return JSON.stringify({ ...task, upload: { ...upload, run: version }, tenant: task.upload.tenant });
}

/** The task in a queue message body, or undefined when the body is not one (a hand-made or damaged message). */
export function decodeChunkTask(body: string): ChunkTask | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = TaskSchema.safeParse(json);
  if (!parsed.success) return undefined;
  if (parsed.data.kind === 'file') return parsed.data;
  const { tenant: _tenant, ...task } = parsed.data;
  return task as ChunkTask;
}

/** A range's bytes in its file: `[start, end)`. */
export function rangeBytes(range: PlanRange, size: number): { readonly start: number; readonly end: number } {
  const start = range.index * range.bytes;
  return { start, end: range.index === range.count - 1 ? size : Math.min(size, start + range.bytes) };
}

/** How a range is named in logs and reasons: "range 2 of 8 (bytes 268435456-536870911)". */
export function describeRange(range: PlanRange, size: number): string {
  const { start, end } = rangeBytes(range, size);
  return `range ${range.index + 1} of ${range.count} (bytes ${start}-${end - 1})`;
}

/** How a task is named in logs and reasons: "chunk 3 (bytes 6291456-9437183)". */
export function describeChunk(chunk: ChunkSpan, total?: number): string {
  return `chunk ${chunk.index + 1}${total ? ` of ${total}` : ''} (bytes ${chunk.start}-${chunk.end - 1})`;
}

/** The bytes of an upload's text: its size, or a compressed file's text once known (until then, no chunk is taken for its last). */
export function textBytesOf(upload: UploadRef): number {
  return upload.compression ? (upload.textBytes ?? Number.POSITIVE_INFINITY) : upload.size;
}
