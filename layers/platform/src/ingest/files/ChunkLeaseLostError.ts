import { DeferredError } from '../../errors';

/**
 * A writer's lease on its chunk was lost: its renewal was refused (the lease
 * ran out and another invocation took the chunk) or failed (the writer can no
 * longer tell that it holds it). The writer stops without checkpointing the
 * chunk; the task waits until the lease would have run out, using no try, and
 * then finds the chunk written, held by its new writer, or free to claim again.
 * Rows are upserts, so the rows this writer wrote before it stopped are the
 * same rows whoever writes the chunk next writes again.
 */
export class ChunkLeaseLostError extends DeferredError {}
