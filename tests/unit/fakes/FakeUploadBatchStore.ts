import type { Reservation, UploadBatch, UploadBatchStore } from '../../../layers/platform/src/uploads/UploadBatchStore';
import type { Public } from './Public';

/** Upload batches in memory: a file is granted a place unless the batch already holds as many as it may. */
export class FakeUploadBatchStore implements Public<UploadBatchStore> {
  private readonly batches = new Map<string, { files: Map<string, number>; createdAt: Date }>();

  create(tenant: string, batchId: string, now = new Date()): Promise<void> {
    const id = `${tenant}/${batchId}`;
    if (!this.batches.has(id)) this.batches.set(id, { files: new Map(), createdAt: now });
    return Promise.resolve();
  }

  get(tenant: string, batchId: string): Promise<UploadBatch | undefined> {
    const batch = this.batches.get(`${tenant}/${batchId}`);
    return Promise.resolve(batch && { batchId, fileCount: batch.files.size, files: new Map(batch.files), createdAt: batch.createdAt });
  }

  reserveFile(tenant: string, batchId: string, fileName: string, size: number, maxFiles: number): Promise<Reservation> {
    const batch = this.batches.get(`${tenant}/${batchId}`);
    if (!batch) return Promise.resolve('no-such-batch');
    if (batch.files.has(fileName)) {
      batch.files.set(fileName, size);
      return Promise.resolve('already-reserved');
    }
    if (batch.files.size >= maxFiles) return Promise.resolve('batch-full');
    batch.files.set(fileName, size);
    return Promise.resolve('reserved');
  }
}
