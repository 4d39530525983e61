import { platformLogger } from '../../logging/platformLogger';
import { ChunkLeaseLostError } from './ChunkLeaseLostError';
import type { IngestedVersion, ChunkStore } from './ChunkStore';

/**
 * A writer's claim on one chunk, kept alive while it writes: renewed every
 * third of the lease, so that no other invocation takes the chunk over while
 * this one is still at it. A renewal that is refused (another invocation took
 * the chunk) or fails (Cassandra did not answer, so the writer cannot tell it
 * still holds the chunk) loses the lease: it is logged, renewing stops, and
 * the writer's next {@link assertHeld} throws a {@link ChunkLeaseLostError}, so
 * that it stops before writing more rows or checkpointing the chunk.
 *
 * @example
 * const lease = ChunkLease.keep(chunks, version, chunk.index, owner, leaseMs, 'chunk 3 (bytes 0-99)');
 * try {
 *   for await (const batch of batches) { lease.assertHeld(); await writer.write(batch); }
 * } finally {
 *   lease.stop();
 * }
 */
export class ChunkLease {
  private lost: ChunkLeaseLostError | undefined;
  private readonly timer: ReturnType<typeof setInterval>;

  private constructor(
    private readonly chunks: Pick<ChunkStore, 'renew'>,
    private readonly version: IngestedVersion,
    private readonly chunk: number,
    private readonly owner: string,
    private readonly leaseMs: number,
    /** The chunk as the log and the error name it. */
    private readonly described: string,
  ) {
    this.timer = setInterval(() => void this.renew(), leaseMs / 3);
  }

  /** Starts renewing a lease `owner` has just claimed. */
  static keep(chunks: Pick<ChunkStore, 'renew'>, version: IngestedVersion, chunk: number, owner: string, leaseMs: number, described: string): ChunkLease {
    return new ChunkLease(chunks, version, chunk, owner, leaseMs, described);
  }

  /** Throws the {@link ChunkLeaseLostError} once the lease is lost. */
  assertHeld(): void {
    if (this.lost) throw this.lost;
  }

  /** Stops renewing (the writer is done, or failed). */
  stop(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.lost) return;
    try {
      if (await this.chunks.renew(this.version, this.chunk, this.owner, this.leaseMs)) return;
      this.lose(`${this.described}: the lease was taken over by another invocation`, undefined);
    } catch (error) {
      this.lose(`${this.described}: the lease could not be renewed`, error);
    }
  }

  private lose(why: string, cause: unknown): void {
    if (this.lost) return;
    this.stop();
    // A lease is never renewed for more than leaseMs: by then it has run out, whoever holds it now.
    const retryAfterSeconds = Math.ceil(this.leaseMs / 1000);
    this.lost = new ChunkLeaseLostError(
      `${why}; this writer stops and the chunk is written by whoever holds it next`,
      retryAfterSeconds,
      cause === undefined ? undefined : { cause },
    );
    platformLogger[cause === undefined ? 'warn' : 'error']('chunk lease lost; the writer stops', {
      ingestion: this.version.ingestionId,
      chunk: this.chunk,
      owner: this.owner,
      retryInSeconds: retryAfterSeconds,
      ...(cause === undefined ? {} : { error: cause }),
    });
  }
}
