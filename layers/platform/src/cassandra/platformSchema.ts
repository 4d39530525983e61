import type cassandra from 'cassandra-driver';
import { cqlIdentifier, createKeyspaceCql } from './cql';

/**
 * The platform keyspace: the tenant registry, login throttling, upload
 * batches and quotas, one ingestion record per file (the original design's
 * `server.log`), and per-invocation stream statistics.
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
    `CREATE TABLE IF NOT EXISTS ${ks}.daily_usage (
      tenant text,
      day date,
      files int,
      bytes bigint,
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
      PRIMARY KEY (tenant, batch_id, ingestion_id))
      WITH CLUSTERING ORDER BY (batch_id DESC, ingestion_id ASC)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.stream_batches (
      tenant text,
      day date,
      batch_id text,
      recorded_at timestamp,
      messages int,
      bytes bigint,
      failures int,
      latency_buckets map<int, int>,
      latency_max_ms int,
      PRIMARY KEY ((tenant, day), batch_id))`,
  ];
}

/** Creates the platform keyspace and its tables if missing. */
export async function ensurePlatformSchema(client: cassandra.Client, keyspace: string, replication: Record<string, string | number>): Promise<void> {
  await client.execute(createKeyspaceCql(keyspace, replication));
  for (const statement of platformSchemaCql(keyspace)) await client.execute(statement);
}
