import type { ChunkSpan } from '../../../layers/platform/src/ingest/files/ChunkBoundaries';
import type { IngestedVersion, ChunkState, ChunkStatus, ChunkStore } from '../../../layers/platform/src/ingest/files/ChunkStore';
import { FakeClock } from './FakeClock';
import type { Public } from './Public';

interface Checkpoint {
  span: ChunkSpan;
  sourceRecords: number;
  rows: number;
  badRows: number;
  badRowSamples: readonly string[];
  rowsWritten: number;
  validateAttempts: number;
  writeAttempts: number;
  validatedAt: number | undefined;
  writtenAt: number | undefined;
  failedAt: number | undefined;
  leaseOwner: string | undefined;
  leaseUntil: number | undefined;
  reason: string | undefined;
  resumeRows: number;
  rateWaitMs: number;
  pausedAt: number | undefined;
  keptRowParts: number | undefined;
}

/**
 * Chunk checkpoints in memory, with the store's rules: checkpoints only move
 * forward; a chunk is written once written, being written while a lease on it
 * is live, failed when it failed after its last validation; a write is claimed
 * only when the chunk is not written and no lease is live. Time is the fake
 * clock's, so a test can let a lease run out.
 */
export class FakeChunkStore implements Public<ChunkStore> {
  private readonly checkpoints = new Map<string, Checkpoint>();
  /** How many times each chunk was checkpointed as validated / written ("version/index" -> count). */
  readonly validatedCount = new Map<string, number>();
  readonly writtenCount = new Map<string, number>();

  constructor(private readonly clock = new FakeClock()) {}

  private id(version: IngestedVersion, chunk: number): string {
    return `${version.tenant}/${version.ingestionId}/${version.version}/${chunk}`;
  }

  private statusOf(point: Checkpoint): ChunkStatus {
    if (point.writtenAt !== undefined) return 'written';
    if ((point.leaseUntil ?? 0) > this.clock.now()) return 'writing';
    if (point.failedAt !== undefined && point.failedAt > (point.validatedAt ?? 0)) return 'failed';
    if (point.validatedAt !== undefined) return 'validated';
    return 'planned';
  }

  private lastActivity(point: Checkpoint): Date | undefined {
    const most = Math.max(point.validatedAt ?? 0, point.writtenAt ?? 0, point.failedAt ?? 0, point.leaseUntil ?? 0, point.pausedAt ?? 0);
    return most > 0 ? new Date(most) : undefined;
  }

  private stateOf(point: Checkpoint): ChunkState {
    return {
      ...point.span,
      status: this.statusOf(point),
      sourceRecords: point.sourceRecords,
      rows: point.rows,
      badRows: point.badRows,
      badRowSamples: point.badRowSamples,
      rowsWritten: point.rowsWritten,
      validateAttempts: point.validateAttempts,
      writeAttempts: point.writeAttempts,
      leaseOwner: point.leaseOwner,
      leaseUntil: point.leaseUntil === undefined ? undefined : new Date(point.leaseUntil),
      reason: point.reason,
      validateMs: undefined,
      writeMs: undefined,
      resumeRows: point.resumeRows,
      rateWaitMs: point.rateWaitMs,
      keptRowParts: point.keptRowParts,
      lastActivity: this.lastActivity(point),
    };
  }

  private point(version: IngestedVersion, chunk: number): Checkpoint {
    const point = this.checkpoints.get(this.id(version, chunk));
    if (!point) throw new RangeError(`chunk ${chunk} of ${version.ingestionId} was never cut`);
    return point;
  }

  cut(version: IngestedVersion, spans: readonly ChunkSpan[]): Promise<void> {
    for (const span of spans) {
      const id = this.id(version, span.index);
      const existing = this.checkpoints.get(id);
      this.checkpoints.set(
        id,
        existing
          ? { ...existing, span }
          : {
              span,
              sourceRecords: 0,
              rows: 0,
              badRows: 0,
              badRowSamples: [],
              rowsWritten: 0,
              validateAttempts: 0,
              writeAttempts: 0,
              validatedAt: undefined,
              writtenAt: undefined,
              failedAt: undefined,
              leaseOwner: undefined,
              leaseUntil: undefined,
              reason: undefined,
              resumeRows: 0,
              rateWaitMs: 0,
              pausedAt: undefined,
              keptRowParts: undefined,
            },
      );
    }
    return Promise.resolve();
  }

  get(version: IngestedVersion, chunk: number): Promise<ChunkState | undefined> {
    const point = this.checkpoints.get(this.id(version, chunk));
    return Promise.resolve(point && this.stateOf(point));
  }

  list(version: IngestedVersion): Promise<ChunkState[]> {
    const prefix = `${version.tenant}/${version.ingestionId}/${version.version}/`;
    return Promise.resolve([...this.checkpoints].filter(([id]) => id.startsWith(prefix)).map(([, point]) => this.stateOf(point)));
  }

  startValidation(version: IngestedVersion, chunk: number, attempts: number): Promise<void> {
    this.point(version, chunk).validateAttempts = attempts;
    return Promise.resolve();
  }

  validated(
    version: IngestedVersion,
    chunk: number,
    stats: { sourceRecords: number; rows: number; badRows: number; badRowSamples: readonly string[]; ms: number; keptRowParts?: number | undefined },
  ): Promise<void> {
    Object.assign(this.point(version, chunk), {
      sourceRecords: stats.sourceRecords,
      rows: stats.rows,
      badRows: stats.badRows,
      badRowSamples: stats.badRowSamples,
      keptRowParts: stats.keptRowParts,
      validatedAt: this.clock.now(),
    });
    const id = this.id(version, chunk);
    this.validatedCount.set(id, (this.validatedCount.get(id) ?? 0) + 1);
    return Promise.resolve();
  }

  claimWrite(
    version: IngestedVersion,
    chunk: number,
    owner: string,
    leaseMs: number,
  ): Promise<{ claimed: true; state: ChunkState } | { claimed: false; state: ChunkState }> {
    const point = this.point(version, chunk);
    const state = this.stateOf(point);
    if (state.status === 'written' || state.status === 'writing') return Promise.resolve({ claimed: false, state });
    point.leaseOwner = owner;
    point.leaseUntil = this.clock.now() + leaseMs;
    point.writeAttempts += 1;
    return Promise.resolve({ claimed: true, state: this.stateOf(point) });
  }

  renew(version: IngestedVersion, chunk: number, owner: string, leaseMs: number): Promise<boolean> {
    const point = this.point(version, chunk);
    if (point.leaseOwner !== owner) return Promise.resolve(false);
    point.leaseUntil = this.clock.now() + leaseMs;
    return Promise.resolve(true);
  }

  release(version: IngestedVersion, chunk: number, owner: string): Promise<void> {
    const point = this.point(version, chunk);
    if (point.leaseOwner === owner) point.leaseUntil = 0;
    return Promise.resolve();
  }

  paused(version: IngestedVersion, chunk: number, progress: { resumeRows: number; rateWaitMs: number }): Promise<void> {
    Object.assign(this.point(version, chunk), { ...progress, pausedAt: this.clock.now() });
    return Promise.resolve();
  }

  written(version: IngestedVersion, chunk: number, rows: number, _ms: number, rateWaitMs = 0): Promise<void> {
    Object.assign(this.point(version, chunk), { rowsWritten: rows, rateWaitMs, writtenAt: this.clock.now() });
    const id = this.id(version, chunk);
    this.writtenCount.set(id, (this.writtenCount.get(id) ?? 0) + 1);
    return Promise.resolve();
  }

  failed(version: IngestedVersion, chunk: number, reason: string): Promise<void> {
    Object.assign(this.point(version, chunk), { failedAt: this.clock.now(), reason });
    return Promise.resolve();
  }
}
