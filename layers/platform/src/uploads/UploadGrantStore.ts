import type cassandra from 'cassandra-driver';
import { randomBytes } from 'node:crypto';
import { CassandraStore } from '../cassandra/CassandraStore';

/** One presigned upload the platform granted: one file name, one object, one ingestion. */
export interface UploadGrantRecord {
  readonly tenant: string;
  readonly batchId: string;
  readonly grantId: string;
  readonly fileName: string;
  /** The size the client declared; S3 refuses a larger body. */
  readonly declaredBytes: number;
  /** Validate only, write nothing (a dry run). */
  readonly dryRun: boolean;
  readonly grantedAt: Date;
  readonly expiresAt: Date;
}

/** A new grant id: 128 random bits, URL-safe. */
export function newGrantId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The upload grants of each batch. The batch-ingest function finds the grant
 * an object names in its metadata here: an object without a grant, or whose
 * grant is not the tenant's, is refused.
 *
 * @example
 * await grants.put({ tenant: 'zoo', batchId, grantId, fileName: 'a.csv', declaredBytes: 1024, dryRun: false, grantedAt, expiresAt });
 */
export class UploadGrantStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'upload_grants');
  }

  async put(grant: UploadGrantRecord): Promise<void> {
    await this.client.execute(
      `INSERT INTO ${this.table} (tenant, batch_id, grant_id, file_name, declared_bytes, max_bytes, dry_run, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        grant.tenant,
        grant.batchId,
        grant.grantId,
        grant.fileName,
        BigInt(grant.declaredBytes),
        BigInt(grant.declaredBytes),
        grant.dryRun,
        grant.grantedAt,
        grant.expiresAt,
      ],
    );
  }

  async get(tenant: string, batchId: string, grantId: string): Promise<UploadGrantRecord | undefined> {
    const row = (
      await this.client.execute(
        `SELECT file_name, declared_bytes, dry_run, granted_at, expires_at FROM ${this.table} WHERE tenant = ? AND batch_id = ? AND grant_id = ?`,
        [tenant, batchId, grantId],
      )
    ).first();
    if (!row) return undefined;
    return {
      tenant,
      batchId,
      grantId,
      fileName: row.get('file_name') as string,
      declaredBytes: Number(row.get('declared_bytes')),
      dryRun: row.get('dry_run') === true,
      grantedAt: row.get('granted_at') as Date,
      expiresAt: row.get('expires_at') as Date,
    };
  }
}
