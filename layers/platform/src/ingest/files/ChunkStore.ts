import cassandra from 'cassandra-driver';
import { CassandraStore } from '../../cassandra/CassandraStore';
import type { Clock } from '../../Clock';
import type { ChunkSpan } from './ChunkBoundaries';

/** Where one chunk stands. */
export type ChunkStatus = 'planned' | 'validated' | 'writing' | 'written' | 'failed';

/** The chunks of one ingestion of one object version: the record's key and the version (column `run`). */
export interface IngestedVersion {
  readonly tenant: string;
  readonly ingestionId: string;
  readonly version: string;
}

/** One chunk's checkpoint. */
export interface ChunkState extends ChunkSpan {
  readonly status: ChunkStatus;
  /** From validation: source records read (column `records`), rows they make, bad rows and up to 20 of them with their positions in the whole file. */
  readonly sourceRecords: number;
  readonly rows: number;
  readonly badRows: number;
  readonly badRowSamples: readonly string[];
  readonly rowsWritten: number;
  readonly validateAttempts: number;
  readonly writeAttempts: number;
  readonly leaseOwner: string | undefined;
  readonly leaseUntil: Date | undefined;
  readonly reason: string | undefined;
  readonly validateMs: number | undefined;
  readonly writeMs: number | undefined;
  /**
   * Rows (in the chunk's order) a writer that stopped for its tenant's rate
   * limit wrote before it stopped: the next one writes from there. 0 when none
   * stopped.
   */
  readonly resumeRows: number;
  /** Milliseconds the chunk's writers waited for the tenant's share of `limits.rowsPerSecond`, all tries together. */
  readonly rateWaitMs: number;
  /**
   * Parts of the rows its validate pass kept for its write pass (see `ValidatedRows`); undefined when it kept none
   * (a dry run, a chunk over the tolerance, a chunk validated before rows were kept): its write pass reads the chunk.
   */
  readonly keptRowParts: number | undefined;
  /** The last time anyone worked on it (validated, wrote, claimed, paused, failed), if ever. */
  readonly lastActivity: Date | undefined;
}

export interface ChunkCounts {
  readonly total: number;
  readonly validated: number;
  readonly written: number;
  readonly failed: number;
}

/** Chunks by status, for progress reports; `total` is what the plan says, once known. */
export function countChunks(states: readonly ChunkState[], total: number | undefined): ChunkCounts {
  const count = (statuses: ChunkStatus[]): number => states.filter((state) => statuses.includes(state.status)).length;
  return { total: total ?? states.length, validated: count(['validated', 'writing', 'written']), written: count(['written']), failed: count(['failed']) };
}

const COLUMNS = [
  'chunk',
  'start_byte',
  'end_byte',
  'position_offset',
  'records',
  'rows',
  'bad_rows',
  'bad_row_samples',
  'validated_at',
  'validate_attempts',
  'rows_written',
  'written_at',
  'write_attempts',
  'lease_owner',
  'lease_until',
  'failed_at',
  'reason',
  'validate_ms',
  'write_ms',
  'resume_rows',
  'rate_wait_ms',
  'paused_at',
  'kept_row_parts',
];

const time = (value: unknown): number => (value instanceof Date ? value.getTime() : 0);

function latest(...values: unknown[]): Date | undefined {
  const most = Math.max(...values.map(time));
  return most > 0 ? new Date(most) : undefined;
}

/**
 * A chunk's status from its checkpoints, which only ever move forward: written
 * once written; failed when it failed after its last validation; being written
 * while someone holds its lease; validated; else `planned` (cut, the stored name).
 */
function statusOf(row: cassandra.types.Row, now: number): ChunkStatus {
  if (row.get('written_at')) return 'written';
  if (time(row.get('lease_until')) > now) return 'writing';
  if (row.get('failed_at') && time(row.get('failed_at')) > time(row.get('validated_at'))) return 'failed';
  if (row.get('validated_at')) return 'validated';
  return 'planned';
}

function toState(row: cassandra.types.Row, now: number): ChunkState {
  const number = (column: string): number => Number(row.get(column) ?? 0);
  return {
    index: row.get('chunk') as number,
    start: number('start_byte'),
    end: number('end_byte'),
    positionOffset: number('position_offset'),
    status: statusOf(row, now),
    sourceRecords: number('records'),
    rows: number('rows'),
    badRows: number('bad_rows'),
    badRowSamples: (row.get('bad_row_samples') as string[] | null) ?? [],
    rowsWritten: number('rows_written'),
    validateAttempts: number('validate_attempts'),
    writeAttempts: number('write_attempts'),
    leaseOwner: (row.get('lease_owner') as string | null) ?? undefined,
    leaseUntil: (row.get('lease_until') as Date | null) ?? undefined,
    reason: (row.get('reason') as string | null) ?? undefined,
    validateMs: (row.get('validate_ms') as number | null) ?? undefined,
    writeMs: (row.get('write_ms') as number | null) ?? undefined,
    resumeRows: number('resume_rows'),
    keptRowParts: (row.get('kept_row_parts') as number | null) ?? undefined,
    rateWaitMs: number('rate_wait_ms'),
    lastActivity: latest(row.get('validated_at'), row.get('written_at'), row.get('failed_at'), row.get('lease_until'), row.get('paused_at')),
  };
}

/**
 * The checkpoints of a file ingested in chunks, one row per chunk in one
 * partition per ingestion: what each chunk found when validated, whether it is
 * written, who is writing it. Checkpoints only move forward (separate
 * timestamps per phase), so a late or repeated invocation cannot undo a
 * finished chunk; writing a chunk is claimed with a lease (a lightweight
 * transaction), so two deliveries of the same chunk never write it at once,
 * and a crashed writer's lease runs out for the next try to take over.
 *
 * @example
 * await chunks.cut(version, spans);
 * const lease = await chunks.claimWrite(version, 3, owner, 60_000);
 */
export class ChunkStore extends CassandraStore {
  /** `clock`: the time leases are given and read by, and checkpoints stamped with. */
  constructor(client: cassandra.Client, keyspace: string, clock?: Clock) {
    super(client, keyspace, 'ingestion_chunks', clock);
  }

  private key(version: IngestedVersion, chunk: number): unknown[] {
    return [version.tenant, version.ingestionId, version.version, chunk];
  }

  private readonly where = 'WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk = ?';

  /** Records the chunks a file is cut into (their byte ranges; status `planned`, the stored name); cutting them again changes nothing else. */
  async cut(version: IngestedVersion, spans: readonly ChunkSpan[]): Promise<void> {
    await Promise.all(
      spans.map((span) =>
        this.client.execute(`UPDATE ${this.table} SET start_byte = ?, end_byte = ?, position_offset = ? ${this.where}`, [
          BigInt(span.start),
          BigInt(span.end),
          BigInt(span.positionOffset),
          ...this.key(version, span.index),
        ]),
      ),
    );
  }

  async get(version: IngestedVersion, chunk: number): Promise<ChunkState | undefined> {
    const row = (await this.client.execute(`SELECT ${COLUMNS.join(', ')} FROM ${this.table} ${this.where}`, this.key(version, chunk))).first();
    return row ? toState(row, this.clock.now()) : undefined;
  }

  async list(version: IngestedVersion): Promise<ChunkState[]> {
    const now = this.clock.now();
    const result = await this.client.execute(
      `SELECT ${COLUMNS.join(', ')} FROM ${this.table} WHERE tenant = ? AND ingestion_id = ? AND run = ?`,
      [version.tenant, version.ingestionId, version.version],
      { prepare: true, fetchSize: 10_000 },
    );
    const states: ChunkState[] = [];
    for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) states.push(toState(row, now));
    return states;
  }

  async startValidation(version: IngestedVersion, chunk: number, attempts: number): Promise<void> {
    await this.client.execute(`UPDATE ${this.table} SET validate_attempts = ? ${this.where}`, [attempts, ...this.key(version, chunk)]);
  }

  async validated(
    version: IngestedVersion,
    chunk: number,
    stats: { sourceRecords: number; rows: number; badRows: number; badRowSamples: readonly string[]; ms: number; keptRowParts?: number | undefined },
  ): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.table} SET records = ?, rows = ?, bad_rows = ?, bad_row_samples = ?, validate_ms = ?, kept_row_parts = ?, validated_at = ? ${this.where}`,
      [
        BigInt(stats.sourceRecords),
        BigInt(stats.rows),
        BigInt(stats.badRows),
        [...stats.badRowSamples],
        Math.round(stats.ms),
        stats.keptRowParts ?? null,
        this.clock.date(),
        ...this.key(version, chunk),
      ],
    );
  }

  /**
   * Claims the writing of a chunk for `owner` until `leaseMs` from now: granted
   * when the chunk is not written and nobody holds a live lease. Returns the
   * claimed state (its write attempt counted), or why not.
   */
  async claimWrite(
    version: IngestedVersion,
    chunk: number,
    owner: string,
    leaseMs: number,
  ): Promise<{ claimed: true; state: ChunkState } | { claimed: false; state: ChunkState }> {
    for (;;) {
      const state = await this.get(version, chunk);
      if (!state) throw new RangeError(`chunk ${chunk} of ${version.ingestionId} was never cut`);
      if (state.status === 'written' || state.status === 'writing') return { claimed: false, state };
      const attempts = state.writeAttempts + 1;
      const claimed = await this.lightweightTransaction(
        `UPDATE ${this.table} SET lease_owner = ?, lease_until = ?, write_attempts = ? ${this.where} IF written_at = null AND lease_until = ?`,
        [owner, new Date(this.clock.now() + leaseMs), attempts, ...this.key(version, chunk), state.leaseUntil ?? null],
      );
      if (claimed) return { claimed: true, state: { ...state, status: 'writing', writeAttempts: attempts } };
    }
  }

  /** Extends a lease held by `owner`; false when it was lost (expired and taken). */
  async renew(version: IngestedVersion, chunk: number, owner: string, leaseMs: number): Promise<boolean> {
    return this.lightweightTransaction(`UPDATE ${this.table} SET lease_until = ? ${this.where} IF lease_owner = ?`, [
      new Date(this.clock.now() + leaseMs),
      ...this.key(version, chunk),
      owner,
    ]);
  }

  /** Gives a lease back at once (the write failed and will be retried). */
  async release(version: IngestedVersion, chunk: number, owner: string): Promise<void> {
    await this.lightweightTransaction(`UPDATE ${this.table} SET lease_until = ? ${this.where} IF lease_owner = ?`, [
      new Date(0),
      ...this.key(version, chunk),
      owner,
    ]);
  }

  /**
   * A writer stopped for its tenant's rate limit, with the chunk's first
   * `resumeRows` rows written: the next try writes from there (its lease is
   * given back by the caller).
   */
  async paused(version: IngestedVersion, chunk: number, progress: { resumeRows: number; rateWaitMs: number }): Promise<void> {
    await this.client.execute(`UPDATE ${this.table} SET resume_rows = ?, rate_wait_ms = ?, paused_at = ? ${this.where}`, [
      BigInt(progress.resumeRows),
      BigInt(Math.round(progress.rateWaitMs)),
      this.clock.date(),
      ...this.key(version, chunk),
    ]);
  }

  /** `rateWaitMs`: how long its writers waited for the tenant's share, all tries together. */
  async written(version: IngestedVersion, chunk: number, rows: number, ms: number, rateWaitMs = 0): Promise<void> {
    await this.client.execute(`UPDATE ${this.table} SET rows_written = ?, write_ms = ?, rate_wait_ms = ?, written_at = ? ${this.where}`, [
      BigInt(rows),
      Math.round(ms),
      BigInt(Math.round(rateWaitMs)),
      this.clock.date(),
      ...this.key(version, chunk),
    ]);
  }

  /** Records that a chunk gave up (its writer gives its lease back first). */
  async failed(version: IngestedVersion, chunk: number, reason: string): Promise<void> {
    await this.client.execute(`UPDATE ${this.table} SET failed_at = ?, reason = ? ${this.where}`, [this.clock.date(), reason, ...this.key(version, chunk)]);
  }
}
