import cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';
import { ConflictError } from '../errors';

export interface UploadBatch {
  readonly batchId: string;
  readonly fileCount: number;
  /** File name -> size the client declared. */
  readonly files: ReadonlyMap<string, number>;
  readonly createdAt: Date;
}

export type Reservation = 'reserved' | 'already-reserved' | 'batch-full' | 'no-such-batch';

const MAX_CAS_ATTEMPTS = 20;

/**
 * Upload batches and the files granted in each, counted with lightweight
 * transactions so that concurrent requests can never grant more files than
 * the profile allows.
 *
 * @example
 * await batches.create('zoo', batchId);
 * await batches.reserveFile('zoo', batchId, 'a.csv', 1024, 5); // 'reserved'
 */
export class UploadBatchStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'upload_batches');
  }

  async create(tenant: string, batchId: string, now = new Date()): Promise<void> {
    await this.lightweightTransaction(`INSERT INTO ${this.table} (tenant, batch_id, file_count, files, created_at) VALUES (?, ?, 0, {}, ?) IF NOT EXISTS`, [
      tenant,
      batchId,
      now,
    ]);
  }

  async get(tenant: string, batchId: string): Promise<UploadBatch | undefined> {
    const row = (
      await this.client.execute(`SELECT batch_id, file_count, files, created_at FROM ${this.table} WHERE tenant = ? AND batch_id = ?`, [tenant, batchId])
    ).first();
    if (!row) return undefined;
    const files = new Map<string, number>();
    for (const [name, size] of (row.get('files') as Map<string, bigint> | null) ?? []) files.set(name, Number(size));
    return { batchId, fileCount: (row.get('file_count') as number | null) ?? 0, files, createdAt: row.get('created_at') as Date };
  }

  /** Grants `fileName` a place in the batch unless the batch already holds `maxFiles` files. */
  async reserveFile(tenant: string, batchId: string, fileName: string, size: number, maxFiles: number): Promise<Reservation> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt += 1) {
      const batch = await this.get(tenant, batchId);
      if (!batch) return 'no-such-batch';
      if (batch.files.has(fileName)) {
        await this.client.execute(`UPDATE ${this.table} SET files[?] = ? WHERE tenant = ? AND batch_id = ?`, [fileName, BigInt(size), tenant, batchId]);
        return 'already-reserved';
      }
      if (batch.fileCount >= maxFiles) return 'batch-full';
      const reserved = await this.lightweightTransaction(
        `UPDATE ${this.table} SET file_count = ?, files[?] = ? WHERE tenant = ? AND batch_id = ? IF file_count = ?`,
        [batch.fileCount + 1, fileName, BigInt(size), tenant, batchId, batch.fileCount],
      );
      if (reserved) return 'reserved';
    }
    throw new ConflictError(`batch ${batchId} is too busy; retry the upload request`);
  }
}
