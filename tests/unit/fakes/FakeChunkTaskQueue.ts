import type { ChunkTask } from '../../../layers/platform/src/ingest/chunks/ChunkTask';
import type { ChunkTaskQueue } from '../../../layers/platform/src/ingest/chunks/ChunkTaskQueue';
import type { Public } from './Public';

/** The chunk queue in memory: tasks sent wait until a test takes them, as the chunk function's event source would. */
export class FakeChunkTaskQueue implements Public<ChunkTaskQueue> {
  private waiting: ChunkTask[] = [];
  /** Every task ever sent, in order. */
  readonly sent: ChunkTask[] = [];

  send(tasks: readonly ChunkTask[]): Promise<void> {
    this.waiting.push(...tasks);
    this.sent.push(...tasks);
    return Promise.resolve();
  }

  /** The tasks waiting now, taken off the queue. */
  take(): ChunkTask[] {
    const tasks = this.waiting;
    this.waiting = [];
    return tasks;
  }
}
