import type { Clock } from '../../Clock';
import cassandra from 'cassandra-driver';
import { createHash } from 'node:crypto';
import { CassandraStore } from '../../cassandra/CassandraStore';
import { InvalidInputError } from '../../errors';
import { isBatchId } from '../../uploads/batchId';
import type { IngestionStatus } from '../../http/ingestionStatuses';

// The statuses are the API's too: defined with its contract, where the dashboard can take them.
export { FINAL_STATUSES, INGESTION_STATUSES, type IngestionStatus } from '../../http/ingestionStatuses';

/** Where a chunked ingestion is: cutting the file (`planning`, the stored name), validating its chunks, writing them. */
export type IngestionPhase = 'planning' | 'validating' | 'writing';

/** Identifies one ingestion record. */
export interface IngestionKey {
  readonly tenant: string;
  readonly batchId: string;
  readonly ingestionId: string;
}

/**
 * One upload's ingestion: tenant, object, size, rows, outcome and how long it
 * took; and, for a file ingested in chunks, where it is.
 */
export interface IngestionRecord extends IngestionKey {
  readonly fileName: string;
  readonly objectKey: string;
  /** Where the object is now: `ingested/...` or `rejected/...` once final. */
  readonly finalKey: string | undefined;
  readonly format: string | undefined;
  /** The object's size: what was uploaded and stored (a compressed file's compressed bytes). */
  readonly bytes: number;
  /** A compressed file: the bytes of its text, once it has been read through (undefined until then, and for a file not compressed). */
  readonly textBytes: number | undefined;
  readonly rows: number;
  readonly badRows: number;
  /** Up to 20 bad rows, each with its line (or record) number and what was wrong. */
  readonly badRowSamples: readonly string[];
  readonly tables: readonly string[];
  readonly startedAt: Date;
  readonly finishedAt: Date | undefined;
  readonly durationMs: number | undefined;
  readonly status: IngestionStatus;
  readonly reason: string | undefined;
  readonly attempts: number;
  /** The upload grant the object came with: one grant, one ingestion. */
  readonly grantId: string | undefined;
  /** The object version being ingested (its ETag where the bucket keeps no versions): what a retry must find again (column `run`). */
  readonly version: string | undefined;
  readonly versionId: string | undefined;
  readonly etag: string | undefined;
  /** Set while a file is ingested in chunks. */
  readonly phase: IngestionPhase | undefined;
  /** Chunks the file was cut into, once it is cut. */
  readonly chunksTotal: number | undefined;
  /** What the ingest app's plan saw (JSON), so that every chunk plans alike. */
  readonly planContext: string | undefined;
  readonly updatedAt: Date | undefined;
  /** Other objects uploaded under the same grant, refused: version (or ETag) -> why. */
  readonly refused: Readonly<Record<string, string>>;
  /** Validated only, never written. */
  readonly dryRun: boolean;
  /** Where the bad rows file is, when the upload had bad rows. */
  readonly badRowsKey: string | undefined;
}

/**
 * What a record taken up again is set back to (a redelivery, a retry, a redriven task of a failed one): `processing`,
 * without the reason and end of a failure.
 */
export const RESUMED = { status: 'processing', reason: undefined, finishedAt: undefined } as const;

/** A stable id per upload grant: `<batch id>-<10 hex digits>`. */
export function ingestionIdOf(batchId: string, fileName: string, grantId?: string): string {
  const name = grantId ? `${fileName}\n${grantId}` : fileName;
  return `${batchId}-${createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}

function batchOf(ingestionId: string): string {
  const batchId = ingestionId.slice(0, 23);
  if (!isBatchId(batchId) || !/^-[0-9a-f]{10}$/.test(ingestionId.slice(23))) {
    throw new InvalidInputError(`"${ingestionId}" is not an ingestion id (expected <batch id>-<10 hex digits>)`);
  }
  return batchId;
}

type Field = keyof Omit<IngestionRecord, keyof IngestionKey>;

/** Each field's column, and how it is written and read. */
const FIELDS: ReadonlyArray<readonly [Field, string, (value: never) => unknown, (value: unknown) => unknown]> = [
  ['fileName', 'file_name', (v: string) => v, (v) => v],
  ['objectKey', 'object_key', (v: string) => v, (v) => v],
  ['finalKey', 'final_key', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['format', 'format', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['bytes', 'bytes', (v: number) => BigInt(v), (v) => Number(v ?? 0)],
  ['textBytes', 'text_bytes', (v?: number) => (v === undefined ? null : BigInt(v)), (v) => (v === null || v === undefined ? undefined : Number(v))],
  ['rows', 'rows', (v: number) => BigInt(v), (v) => Number(v ?? 0)],
  ['badRows', 'bad_rows', (v: number) => BigInt(v), (v) => Number(v ?? 0)],
  ['badRowSamples', 'bad_row_samples', (v: readonly string[]) => [...v], (v) => v ?? []],
  ['tables', 'tables', (v: readonly string[]) => [...v], (v) => v ?? []],
  ['startedAt', 'started_at', (v: Date) => v, (v) => v],
  ['finishedAt', 'finished_at', (v?: Date) => v ?? null, (v) => v ?? undefined],
  [
    'durationMs',
    'duration_ms',
    (v?: number) => (v === undefined ? null : BigInt(Math.round(v))),
    (v) => (v === null || v === undefined ? undefined : Number(v)),
  ],
  ['status', 'status', (v: string) => v, (v) => v],
  ['reason', 'reason', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['attempts', 'attempts', (v: number) => v, (v) => v ?? 0],
  ['grantId', 'grant_id', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['version', 'run', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['versionId', 'version_id', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['etag', 'etag', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['phase', 'phase', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['chunksTotal', 'chunks_total', (v?: number) => v ?? null, (v) => v ?? undefined],
  ['planContext', 'plan_context', (v?: string) => v ?? null, (v) => v ?? undefined],
  ['updatedAt', 'updated_at', (v?: Date) => v ?? null, (v) => v ?? undefined],
  ['refused', 'refused', (v: Record<string, string>) => new Map(Object.entries(v)), (v) => Object.fromEntries((v as Map<string, string> | null) ?? [])],
  ['dryRun', 'dry_run', (v: boolean) => v, (v) => v === true],
  ['badRowsKey', 'bad_rows_key', (v?: string) => v ?? null, (v) => v ?? undefined],
];

const COLUMNS = ['tenant', 'batch_id', 'ingestion_id', ...FIELDS.map(([, column]) => column)];

function toRecord(row: cassandra.types.Row): IngestionRecord {
  const record: Record<string, unknown> = { tenant: row.get('tenant'), batchId: row.get('batch_id'), ingestionId: row.get('ingestion_id') };
  for (const [field, column, , read] of FIELDS) record[field] = read(row.get(column));
  return record as unknown as IngestionRecord;
}

function assignments(changes: Partial<Record<Field, unknown>>): { set: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const [field, column, write] of FIELDS) {
    if (!(field in changes)) continue;
    parts.push(`${column} = ?`);
    params.push((write as (value: unknown) => unknown)(changes[field]));
  }
  if (parts.length === 0) throw new RangeError('no change to write');
  return { set: parts.join(', '), params };
}

export interface IngestionFilter {
  readonly batchId?: string | undefined;
  readonly status?: IngestionStatus | undefined;
  readonly limit?: number | undefined;
}

/**
 * Ingestion records in the platform keyspace, one per upload, newest batch first.
 *
 * Several invocations may work on one record at once (the chunks of a large
 * file, a redelivered notification), so every change of status is a
 * lightweight transaction conditioned on the status it leaves and on the
 * object version being ingested: an ingestion finishes exactly once, and a
 * late or stale invocation cannot move it back. Other columns (progress,
 * reasons) are plain writes.
 *
 * @example
 * if (await store.transition(record, record.version, ['processing'], { status: 'ingested' })) await bucket.move(...);
 */
export class IngestionStore extends CassandraStore {
  /** `clock`: the time a change is stamped with (`updatedAt`: how long a running record has been idle). */
  constructor(client: cassandra.Client, keyspace: string, clock?: Clock) {
    super(client, keyspace, 'ingestions', clock);
  }

  /** Creates the record unless one exists; returns the one that is there either way, and whether it is this one. */
  async create(record: IngestionRecord): Promise<{ created: boolean; record: IngestionRecord }> {
    const { params } = assignments(record);
    const created = await this.lightweightTransaction(
      `INSERT INTO ${this.table} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) IF NOT EXISTS`,
      [record.tenant, record.batchId, record.ingestionId, ...params],
    );
    if (created) return { created: true, record };
    return { created: false, record: (await this.get(record.tenant, record.ingestionId)) as IngestionRecord };
  }

  /**
   * Moves the record from one of `from` (and, when given, from `phase`) to what
   * `changes` says, if it still ingests `version`; false when another invocation
   * got there first.
   */
  async transition(
    key: IngestionKey,
    version: string | undefined,
    from: readonly IngestionStatus[],
    changes: Partial<IngestionRecord>,
    phase?: IngestionPhase,
  ): Promise<boolean> {
    const { set, params } = assignments({ ...changes, updatedAt: this.clock.date() });
    return this.lightweightTransaction(
      `UPDATE ${this.table} SET ${set} WHERE tenant = ? AND batch_id = ? AND ingestion_id = ? IF run = ? AND status IN ?${phase ? ' AND phase = ?' : ''}`,
      [...params, key.tenant, key.batchId, key.ingestionId, version ?? null, [...from], ...(phase ? [phase] : [])],
    );
  }

  /** Changes columns other than the status (progress, reasons, the plan's context). */
  async update(key: IngestionKey, changes: Partial<Omit<IngestionRecord, 'status' | 'version'>>): Promise<void> {
    const { set, params } = assignments({ ...changes, updatedAt: this.clock.date() });
    await this.client.execute(`UPDATE ${this.table} SET ${set} WHERE tenant = ? AND batch_id = ? AND ingestion_id = ?`, [
      ...params,
      key.tenant,
      key.batchId,
      key.ingestionId,
    ]);
  }

  /** Notes an object refused under this record's grant (idempotent per version). */
  async noteRefused(key: IngestionKey, version: string, reason: string): Promise<void> {
    await this.client.execute(`UPDATE ${this.table} SET refused[?] = ? WHERE tenant = ? AND batch_id = ? AND ingestion_id = ?`, [
      version,
      reason,
      key.tenant,
      key.batchId,
      key.ingestionId,
    ]);
  }

  async get(tenant: string, ingestionId: string): Promise<IngestionRecord | undefined> {
    const batchId = batchOf(ingestionId);
    const row = (
      await this.client.execute(`SELECT ${COLUMNS.join(', ')} FROM ${this.table} WHERE tenant = ? AND batch_id = ? AND ingestion_id = ?`, [
        tenant,
        batchId,
        ingestionId,
      ])
    ).first();
    return row ? toRecord(row) : undefined;
  }

  async list(tenant: string, filter: IngestionFilter = {}): Promise<IngestionRecord[]> {
    const limit = Math.min(filter.limit ?? 1000, 10_000);
    const query = filter.batchId
      ? { cql: `SELECT ${COLUMNS.join(', ')} FROM ${this.table} WHERE tenant = ? AND batch_id = ?`, params: [tenant, filter.batchId] }
      : { cql: `SELECT ${COLUMNS.join(', ')} FROM ${this.table} WHERE tenant = ?`, params: [tenant] };
    const records: IngestionRecord[] = [];
    for await (const row of this.client.stream(query.cql, query.params, { prepare: true, fetchSize: 500 }) as unknown as AsyncIterable<cassandra.types.Row>) {
      const record = toRecord(row);
      if (filter.status && record.status !== filter.status) continue;
      records.push(record);
      if (records.length >= limit) break;
    }
    return records;
  }
}
