import type cassandra from 'cassandra-driver';
import { cqlIdentifier, createKeyspaceCql } from './cql';

const METRICS_TTL_SECONDS = 40 * 86_400;

/**
 * The platform keyspace: the tenant registry, login throttling, upload
 * batches and quotas, one ingestion record per file (the original design's
 * `server.log`), and the tenants' time series (one row per file outcome or
 * stream invocation, kept for 40 days: reports cover at most 31).
 */
export function platformSchemaCql(keyspace: string): string[] {
  const ks = cqlIdentifier(keyspace);
  return [
    `CREATE TABLE IF NOT EXISTS ${ks}.tenants (
      tenant text PRIMARY KEY,
      profile text,
      credentials text,
      updated_at timestamp)`,
    `CREATE TABLE IF NOT EXISTS ${ks}.login_failures (
      tenant text,
      failed_at timeuuid,
      PRIMARY KEY (tenant, failed_at))
      WITH CLUSTERING ORDER BY (failed_at DESC)`,
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

/** Creates the platform keyspace and its tables if missing. */
export async function ensurePlatformSchema(client: cassandra.Client, keyspace: string, replication: Record<string, string | number>): Promise<void> {
  await client.execute(createKeyspaceCql(keyspace, replication));
  for (const statement of platformSchemaCql(keyspace)) await client.execute(statement);
}
