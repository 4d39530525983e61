import type cassandra from 'cassandra-driver';
import { createHash } from 'node:crypto';
import { cqlIdentifier } from '../../cassandra/cql';
import { InvalidInputError } from '../../errors';
import { isBatchId } from '../../uploads/batchId';

export const INGESTION_STATUSES = ['processing', 'retrying', 'ingested', 'rejected', 'failed'] as const;
export type IngestionStatus = (typeof INGESTION_STATUSES)[number];

/** Terminal statuses: the file will not be processed again unless uploaded again. */
export const FINAL_STATUSES: readonly IngestionStatus[] = ['ingested', 'rejected', 'failed'];

/**
 * One file's ingestion, as the original design's `server.log` line recorded
 * it: tenant, object, size, rows, outcome and how long it took.
 */
export interface IngestionRecord {
  readonly tenant: string;
  readonly batchId: string;
  readonly ingestionId: string;
  readonly fileName: string;
  readonly objectKey: string;
  /** Where the object is now: `ingested/...` or `rejected/...` once final. */
  readonly finalKey: string | undefined;
  readonly format: string | undefined;
  readonly bytes: number;
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
}

/** A stable id per (batch, file): `<batch id>-<10 hex digits>`. */
export function ingestionIdOf(batchId: string, fileName: string): string {
  return `${batchId}-${createHash('sha256').update(fileName).digest('hex').slice(0, 10)}`;
}

function batchOf(ingestionId: string): string {
  const batchId = ingestionId.slice(0, 23);
  if (!isBatchId(batchId) || !/^-[0-9a-f]{10}$/.test(ingestionId.slice(23))) {
    throw new InvalidInputError(`"${ingestionId}" is not an ingestion id (expected <batch id>-<10 hex digits>)`);
  }
  return batchId;
}

const COLUMNS = [
  'tenant',
  'batch_id',
  'ingestion_id',
  'file_name',
  'object_key',
  'final_key',
  'format',
  'bytes',
  'rows',
  'bad_rows',
  'bad_row_samples',
  'tables',
  'started_at',
  'finished_at',
  'duration_ms',
  'status',
  'reason',
  'attempts',
] as const;

function toRecord(row: cassandra.types.Row): IngestionRecord {
  const optionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));
  return {
    tenant: row.get('tenant') as string,
    batchId: row.get('batch_id') as string,
    ingestionId: row.get('ingestion_id') as string,
    fileName: row.get('file_name') as string,
    objectKey: row.get('object_key') as string,
    finalKey: (row.get('final_key') as string | null) ?? undefined,
    format: (row.get('format') as string | null) ?? undefined,
    bytes: Number(row.get('bytes') ?? 0),
    rows: Number(row.get('rows') ?? 0),
    badRows: Number(row.get('bad_rows') ?? 0),
    badRowSamples: (row.get('bad_row_samples') as string[] | null) ?? [],
    tables: (row.get('tables') as string[] | null) ?? [],
    startedAt: row.get('started_at') as Date,
    finishedAt: (row.get('finished_at') as Date | null) ?? undefined,
    durationMs: optionalNumber(row.get('duration_ms')),
    status: row.get('status') as IngestionStatus,
    reason: (row.get('reason') as string | null) ?? undefined,
    attempts: (row.get('attempts') as number | null) ?? 0,
  };
}

export interface IngestionFilter {
  readonly batchId?: string | undefined;
  readonly status?: IngestionStatus | undefined;
  readonly limit?: number | undefined;
}

/**
 * Ingestion records in the platform keyspace, one per file, newest batch first.
 *
 * @example
 * await store.put(record);
 * const records = await store.list('zoo', { status: 'rejected' });
 */
export class IngestionStore {
  private readonly table: string;

  constructor(
    private readonly client: cassandra.Client,
    keyspace: string,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.ingestions`;
  }

  async put(record: IngestionRecord): Promise<void> {
    await this.client.execute(`INSERT INTO ${this.table} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`, [
      record.tenant,
      record.batchId,
      record.ingestionId,
      record.fileName,
      record.objectKey,
      record.finalKey ?? null,
      record.format ?? null,
      BigInt(record.bytes),
      BigInt(record.rows),
      BigInt(record.badRows),
      [...record.badRowSamples],
      [...record.tables],
      record.startedAt,
      record.finishedAt ?? null,
      record.durationMs === undefined ? null : BigInt(Math.round(record.durationMs)),
      record.status,
      record.reason ?? null,
      record.attempts,
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

  async find(tenant: string, batchId: string, fileName: string): Promise<IngestionRecord | undefined> {
    return this.get(tenant, ingestionIdOf(batchId, fileName));
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
