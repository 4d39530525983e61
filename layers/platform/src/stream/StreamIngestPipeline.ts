import type cassandra from 'cassandra-driver';
import { KeyspaceSchema } from '../cassandra/KeyspaceSchema';
import { insertCql } from '../cassandra/cql';
import type { TableSpec } from '../cassandra/TableSpec';
import type { StreamIngestApp, StreamMessage } from '../ingest/apps/StreamIngestApp';
import { RecordError } from '../ingest/records/RecordError';
import { platformLogger } from '../logging/platformLogger';
import type { Topology } from '../topology/Topology';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import { LatencyHistogram } from './LatencyHistogram';
import type { StreamStatsStore } from './StreamStatsStore';

/** One delivery of a stream message, as the SQS event source hands it over. */
export interface StreamDelivery {
  /** SQS's id of this delivery (what a batch item failure names). */
  readonly deliveryId: string;
  readonly receiveCount: number;
  /** The publisher's message id. */
  readonly messageId: string;
  readonly publishedAt: Date;
  readonly body: string;
}

export interface StreamIngestResult {
  readonly written: number;
  /** Deliveries to retry (then dead-letter), with why. */
  readonly failed: ReadonlyArray<{ deliveryId: string; reason: string; poison: boolean }>;
}

export interface StreamIngestDependencies {
  readonly registry: TenantRegistry;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly stats: StreamStatsStore;
  readonly loadApp: (tenant: string) => Promise<StreamIngestApp>;
  /** Messages written at the same time. */
  readonly concurrency: number;
}

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * The stream-ingest manager for one tenant's batch of messages: the tenant's
 * stream app maps each message to rows, written idempotently (the rows are
 * keyed by message id). A bad message is reported as failed and the rest are
 * written; SQS retries the failed ones and dead-letters them after the
 * tenant's `maxReceiveCount`. Statistics (messages, bytes, failures,
 * publish-to-write latency) are recorded per invocation.
 *
 * @example
 * const result = await pipeline.ingest('zoo', deliveries);
 * result.failed; // [{ deliveryId, reason, poison: true }]
 */
export class StreamIngestPipeline {
  private readonly schemas = new Map<string, KeyspaceSchema>();

  constructor(private readonly deps: StreamIngestDependencies) {}

  async ingest(tenantId: string, deliveries: readonly StreamDelivery[]): Promise<StreamIngestResult> {
    const tenant = await this.deps.registry.get(tenantId);
    if (!tenant || tenant.profile.status !== 'active') {
      const reason = tenant ? `tenant ${tenantId} is disabled` : `tenant ${tenantId} is not registered`;
      return { written: 0, failed: deliveries.map((d) => ({ deliveryId: d.deliveryId, reason, poison: false })) };
    }
    const app = await this.deps.loadApp(tenantId);
    const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
    await this.schemaOf(keyspace).ensureTables(app.tables);
    const tables = new Map<string, TableSpec>(app.tables.map((table) => [table.name, table]));

    const failed: Array<{ deliveryId: string; reason: string; poison: boolean }> = [];
    const written: string[] = [];
    const latency = new LatencyHistogram();
    let bytes = 0;

    const writeOne = async (delivery: StreamDelivery): Promise<void> => {
      const size = Buffer.byteLength(delivery.body);
      const message: StreamMessage = {
        tenant: tenantId,
        messageId: delivery.messageId,
        publishedAt: delivery.publishedAt,
        body: parseBody(delivery.body),
        bytes: size,
      };
      let rows;
      try {
        rows = app.toRows(message);
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        failed.push({ deliveryId: delivery.deliveryId, reason: `message ${delivery.messageId}: ${error.message}`, poison: true });
        return;
      }
      try {
        await Promise.all(
          rows.map((row) => {
            const table = tables.get(row.table);
            if (!table) throw new RangeError(`the stream app wrote to unknown table ${row.table}`);
            const params = Object.keys(table.columns).map((column) => row.values[column] ?? null);
            return this.deps.cassandra.execute(insertCql(keyspace, table), params, { prepare: true });
          }),
        );
      } catch (error) {
        failed.push({ deliveryId: delivery.deliveryId, reason: `message ${delivery.messageId}: write failed: ${(error as Error).message}`, poison: false });
        return;
      }
      written.push(delivery.messageId);
      bytes += size;
      latency.record(Date.now() - delivery.publishedAt.getTime());
    };

    const queue = [...deliveries];
    const workers = Array.from({ length: Math.min(this.deps.concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await writeOne(next);
    });
    await Promise.all(workers);

    const byDelivery = new Map(deliveries.map((d) => [d.deliveryId, d]));
    await this.deps.stats
      .record({
        tenant: tenantId,
        recordedAt: new Date(),
        writtenMessageIds: written,
        failedDeliveries: failed.map((f) => `${f.deliveryId}:${byDelivery.get(f.deliveryId)?.receiveCount ?? 0}`),
        bytes,
        latency,
      })
      .catch((error: Error) => platformLogger.warn('could not record stream statistics', { tenant: tenantId, error: error.message }));
    for (const failure of failed) platformLogger.warn('stream message failed', { tenant: tenantId, ...failure });
    return { written: written.length, failed };
  }

  private schemaOf(keyspace: string): KeyspaceSchema {
    let schema = this.schemas.get(keyspace);
    if (!schema) {
      schema = new KeyspaceSchema(this.deps.cassandra, keyspace);
      this.schemas.set(keyspace, schema);
    }
    return schema;
  }
}
