import type cassandra from 'cassandra-driver';
import { cqlIdentifier } from './cql';
import { ensureKeyspace, type Replication } from './Replication';

const METRICS_TTL_SECONDS = 40 * 86_400;

/**
 * The platform keyspace: the tenant registry, login throttling, upload
 * batches, grants and quotas, one ingestion record per upload (what became of
 * it, for the reports) with the chunks of a large file, and the tenants'
 * time series (one row per file outcome or stream invocation, kept for 40
 * days: reports cover at most 31), and how far each tenant's rate limits are
 * booked.
 */
export function platformSchemaCql(keyspace: string): string[] {
  const ks = cqlIdentifier(keyspace);
  return [
    `CREATE TABLE IF NOT EXISTS ${ks}.tenants (
      tenant text PRIMARY KEY,
      profile text,
      credentials text,
      updated_at timestamp)`,
    // Every row lives at most one lockout window (at most an hour), so a tombstone needs no longer
    // grace than that: a removed mark a repair could bring back would have expired by then.
    `CREATE TABLE IF NOT EXISTS ${ks}.login_throttle (
      key text,
      at timeuuid,
      PRIMARY KEY (key, at))
      WITH CLUSTERING ORDER BY (at DESC) AND gc_grace_seconds = 3600`,
    `CREATE TABLE IF NOT EXISTS ${ks}.upload_batches (
      tenant text,
      batch_id text,
      file_count int,
      files map<text, bigint>,
      created_at timestamp,
      PRIMARY KEY (tenant, batch_id))
      WITH CLUSTERING ORDER BY (batch_id DESC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.upload_grants (
      tenant text,
      batch_id text,
      grant_id text,
      file_name text,
      declared_bytes bigint,
      max_bytes bigint,
      dry_run boolean,
      granted_at timestamp,
      expires_at timestamp,
      PRIMARY KEY (tenant, batch_id, grant_id))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.daily_usage (
      tenant text,
      day date,
      files int,
      bytes bigint,
      charged map<text, bigint>,
      PRIMARY KEY (tenant, day))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.ingestions (
      tenant text,
      batch_id text,
      ingestion_id text,
      file_name text,
      object_key text,
      final_key text,
      format text,
      bytes bigint,
      rows bigint,
      bad_rows bigint,
      bad_row_samples list<text>,
      tables list<text>,
      started_at timestamp,
      finished_at timestamp,
      duration_ms bigint,
      status text,
      reason text,
      attempts int,
      grant_id text,
      run text,
      version_id text,
      etag text,
      phase text,
      chunks_total int,
      plan_context text,
      updated_at timestamp,
      refused map<text, text>,
      dry_run boolean,
      bad_rows_key text,
      text_bytes bigint,
      PRIMARY KEY (tenant, batch_id, ingestion_id))
      WITH CLUSTERING ORDER BY (batch_id DESC, ingestion_id ASC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.ingestion_chunks (
      tenant text,
      ingestion_id text,
      run text,
      chunk int,
      start_byte bigint,
      end_byte bigint,
      position_offset bigint,
      records bigint,
      rows bigint,
      bad_rows bigint,
      bad_row_samples list<text>,
      validated_at timestamp,
      validate_attempts int,
      rows_written bigint,
      written_at timestamp,
      write_attempts int,
      lease_owner text,
      lease_until timestamp,
      failed_at timestamp,
      reason text,
      validate_ms int,
      write_ms int,
      resume_rows bigint,
      rate_wait_ms bigint,
      paused_at timestamp,
      kept_row_parts int,
      PRIMARY KEY ((tenant, ingestion_id), run, chunk))`,
    // What each byte range of a file planned in ranges holds (see RangePlanner), as JSON, until the ranges are put together.
    `CREATE TABLE IF NOT EXISTS ${ks}.ingestion_plan_ranges (
      tenant text,
      ingestion_id text,
      run text,
      chunk_size bigint,
      range_bytes bigint,
      range int,
      result text,
      PRIMARY KEY ((tenant, ingestion_id), run, chunk_size, range_bytes, range))`,
    // Until when each tenant's share of a rate limit is booked (µs since the epoch), one row per tenant and kind
    // ('rows', 'stream'): see TenantRateLimiter.
    `CREATE TABLE IF NOT EXISTS ${ks}.tenant_rates (
      tenant text,
      kind text,
      tat bigint,
      PRIMARY KEY ((tenant, kind)))`,
    `CREATE TABLE IF NOT EXISTS ${ks}.tenant_metrics (
      tenant text,
      day date,
      source text,
      at timestamp,
      files int,
      rows bigint,
      bytes bigint,
      bad_rows bigint,
      rejected_files int,
      failed_files int,
      ingest_ms bigint,
      messages int,
      message_bytes bigint,
      stream_failures int,
      latency_buckets map<int, int>,
      latency_max_ms int,
      PRIMARY KEY ((tenant, day), source))
      WITH default_time_to_live = ${METRICS_TTL_SECONDS}`,
  ];
}

/** Columns added after a table's first release: a stage made by an earlier version gets them when provisioned again. */
const ADDED_COLUMNS: Record<string, Record<string, string>> = {
  daily_usage: { charged: 'map<text, bigint>' },
  ingestions: {
    grant_id: 'text',
    run: 'text',
    version_id: 'text',
    etag: 'text',
    phase: 'text',
    chunks_total: 'int',
    plan_context: 'text',
    updated_at: 'timestamp',
    refused: 'map<text, text>',
    dry_run: 'boolean',
    bad_rows_key: 'text',
    text_bytes: 'bigint',
  },
  ingestion_chunks: { resume_rows: 'bigint', rate_wait_ms: 'bigint', paused_at: 'timestamp', kept_row_parts: 'int' },
};

/**
 * When a platform table's coordinator asks a second replica for a read that the
 * first has not answered. Every request of the API reads these tables at
 * LOCAL_QUORUM: in the seconds between a node's death and the other nodes'
 * noticing it, a read sent to it would otherwise wait the whole read timeout
 * and fail, although two live replicas could answer. The tables are small and
 * hot, so a read slower than this is a replica in trouble, not a big partition.
 */
export const PLATFORM_SPECULATIVE_RETRY = '100ms';

/** Creates the platform keyspace and its tables if missing, and adds the columns an earlier version's tables lack; says when the keyspace's replication differs from `replication`. */
export async function ensurePlatformSchema(
  client: cassandra.Client,
  keyspace: string,
  replication: Replication,
): Promise<{ differs: Replication | undefined }> {
  const keyspaceState = await ensureKeyspace(client, keyspace, replication, `the platform keyspace ${keyspace}`);
  for (const statement of platformSchemaCql(keyspace)) await client.execute(statement);
  for (const [table, columns] of Object.entries(ADDED_COLUMNS)) {
    const present = new Set((await client.metadata.getTable(keyspace, table))?.columns.map((column) => column.name) ?? []);
    for (const [column, type] of Object.entries(columns)) {
      if (!present.has(column)) await client.execute(`ALTER TABLE ${cqlIdentifier(keyspace)}.${table} ADD ${column} ${type}`);
    }
  }
  const tables = await client.execute('SELECT table_name, speculative_retry FROM system_schema.tables WHERE keyspace_name = ?', [keyspace], { prepare: true });
  for (const row of tables.rows) {
    if (row.get('speculative_retry') !== PLATFORM_SPECULATIVE_RETRY) {
      await client.execute(
        `ALTER TABLE ${cqlIdentifier(keyspace)}.${cqlIdentifier(row.get('table_name') as string)} WITH speculative_retry = '${PLATFORM_SPECULATIVE_RETRY}'`,
      );
    }
  }
  return keyspaceState;
}
