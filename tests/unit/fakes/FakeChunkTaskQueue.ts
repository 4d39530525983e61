import type { ChunkTask } from '../../../layers/platform/src/ingest/files/ChunkTask';
import type { ChunkTaskQueue } from '../../../layers/platform/src/ingest/files/ChunkTaskQueue';
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

  /** The `file` tasks waiting now (files the notifications took in), taken off the queue; the chunks' tasks stay. */
  takeFiles(): ChunkTask[] {
    const files = this.waiting.filter((task) => task.kind === 'file');
    this.waiting = this.waiting.filter((task) => task.kind !== 'file');
    return files;
  }

  /** Every task sent but the `file` tasks: the work of files cut into chunks. */
  chunkTasksSent(): ChunkTask[] {
    return this.sent.filter((task) => task.kind !== 'file');
  }

  /** The tasks waiting now, taken off the queue. */
  take(): ChunkTask[] {
    const tasks = this.waiting;
    this.waiting = [];
    return tasks;
  }
}
