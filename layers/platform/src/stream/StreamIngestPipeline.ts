import type cassandra from 'cassandra-driver';
import { KeyspaceSchema } from '../cassandra/KeyspaceSchema';
import { insertCql } from '../cassandra/cql';
import { insertRows } from '../cassandra/insertRows';
import { partitionOf } from '../cassandra/partitionKey';
import type { TableSpec } from '../cassandra/TableSpec';
import type { StreamIngestApp } from '../ingest/apps/StreamIngestApp';
import { DeferredError } from '../errors';
import { backoff } from '../failures/backoff';
import { serviceFailure } from '../failures/serviceFailure';
import { RecordError } from '../ingest/records/RecordError';
import { platformLogger } from '../logging/platformLogger';
import type { PlatformMetrics } from '../metrics/PlatformMetrics';
import type { TenantRateLimiter } from '../rates/TenantRateLimiter';
import { systemClock, type Clock } from '../Clock';
import type { Tenant } from '../tenants/Tenant';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { Topology } from '../topology/Topology';
import { LatencyHistogram } from './LatencyHistogram';
import { decodePack, repack, type UnpackedMessage } from './StreamPack';
import type { StreamQueueSender } from './StreamQueueSender';

/** One message of a tenant's stream queue, as the event source delivers it. */
export interface QueueMessage {
  /** The queue's id of this delivery (what a batch item failure names). */
  readonly id: string;
  readonly body: string;
  /** How many times the queue has delivered it, this time included. */
  readonly receiveCount: number;
  /** For a single (unpacked) message: its attributes. */
  readonly messageId?: string | undefined;
  readonly publishedAt?: Date | undefined;
}

export interface StreamIngestResult {
  readonly written: number;
  /** Milliseconds the invocation waited for its tenant's share of `limits.streamMessagesPerSecond`. */
  readonly rateWaitMs: number;
  /** Queue messages to hand back to the queue (retried, dead-lettered after maxReceiveCount), with why. */
  readonly failedQueueMessages: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

export interface StreamIngestDependencies {
  readonly registry: TenantRegistry;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly metrics: Pick<PlatformMetrics, 'streamBatch'>;
  readonly queues: StreamQueueSender;
  readonly loadApp: (tenant: string) => Promise<StreamIngestApp>;
  /** Messages written at the same time. */
  readonly concurrency: number;
  /** The tenants' rate limits (`limits.streamMessagesPerSecond`), shared by every invocation; none: unlimited. */
  readonly rates?: TenantRateLimiter | undefined;
  /** The time an invocation's wait for its tenant's share is measured by. */
  readonly clock?: Clock | undefined;
  /** How long an invocation may wait for its tenant's share, from its start; a longer wait hands the messages back. */
  readonly rateWaitBudgetMs?: number | undefined;
}

/** One stream message to write, wherever it came from. */
interface Delivery {
  readonly queueMessageId: string;
  /** Set when the message came in a pack: it is retried on its own. */
  readonly packed: UnpackedMessage | undefined;
  readonly messageId: string;
  readonly publishedAt: Date;
  readonly body: unknown;
  readonly bytes: number;
  /** Failed tries before this one. */
  readonly attempts: number;
}

/** A table of the tenant's stream app, with its INSERT and column order. */
interface PreparedTable {
  readonly spec: TableSpec;
  readonly query: string;
  readonly columns: readonly string[];
}

/** Rows of one partition in one unlogged batch, at most. */
const ROWS_PER_BATCH = 25;

/** A packed message that failed comes back after 2 s, then 4 s, 8 s, ... */
export const retryDelaySeconds = (attempt: number): number => backoff({ attempt, base: 1, max: 300 });

function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

function deliveriesOf(message: QueueMessage): Delivery[] {
  const pack = decodePack(message.body);
  if (pack) {
    return pack.map((packed) => ({ queueMessageId: message.id, packed, ...packed }));
  }
  return [
    {
      queueMessageId: message.id,
      packed: undefined,
      messageId: message.messageId ?? message.id,
      publishedAt: message.publishedAt ?? new Date(),
      body: parseBody(message.body),
      bytes: Buffer.byteLength(message.body),
      attempts: message.receiveCount - 1,
    },
  ];
}

/**
 * The stream-ingest manager for one tenant's messages: the tenant's stream app
 * maps each message to rows, written idempotently (rows are keyed by message
 * id), so a redelivery duplicates nothing.
 *
 * Messages arrive packed (many per queue message, see `StreamPack`) or
 * single. A bad message never holds back the others: a packed one is put
 * back on the queue alone, to come back later, and after the tenant's
 * `maxReceiveCount` tries it goes to the tenant's dead-letter queue with the
 * reason; a single one is handed back to the queue, whose redrive policy does
 * the same. Statistics (messages, bytes, failures, publish-to-write latency)
 * are recorded per invocation.
 *
 * A service that is down is no fault of the messages: when a write fails
 * because Cassandra is unavailable, `ingest` throws the
 * `ServiceUnavailableError` and the caller puts the whole batch back without
 * using up any try (what was written is rewritten idempotently). A disabled or
 * unknown tenant's messages wait the same way (`DeferredError`), never
 * dead-lettered, until the tenant is served again.
 *
 * A tenant with `limits.streamMessagesPerSecond` has its messages' share
 * booked, all invocations together ({@link TenantRateLimiter}), before they are
 * written: the invocation waits for it, or, when the wait would last longer
 * than it can afford, hands the messages back to wait in the queue
 * (`DeferredError`, no try used), nothing written.
 *
 * @example
 * const result = await pipeline.ingest('zoo', queueMessages);
 * result.failedQueueMessages; // ids to report as batch item failures
 */
export class StreamIngestPipeline {
  constructor(private readonly deps: StreamIngestDependencies) {}

  async ingest(tenantId: string, queueMessages: readonly QueueMessage[]): Promise<StreamIngestResult> {
    const begun = (this.deps.clock ?? systemClock).now();
    const tenant = await this.deps.registry.get(tenantId);
    if (!tenant || tenant.profile.status !== 'active') {
      throw new DeferredError(`tenant ${tenantId} is ${tenant ? 'disabled' : 'not registered'}; its messages wait in its queue until it is served`, 30);
    }
    const deliveries = queueMessages.flatMap(deliveriesOf);
    const rateWaitMs = await this.waitForShare(tenant, deliveries.length, begun);
    const { written, failed } = await this.write(tenant, deliveries);
    return { written, rateWaitMs, ...(await this.handBack(tenant, failed)) };
  }

  /** Books the tenant's share of its stream limit for `messages` and waits for it; returns how long it waited. */
  private async waitForShare(tenant: Tenant, messages: number, begun: number): Promise<number> {
    const limit = tenant.profile.limits.streamMessagesPerSecond;
    const { rates, rateWaitBudgetMs } = this.deps;
    if (!limit || !rates || messages === 0) return 0;
    const booking = await rates.acquire(tenant.id, 'stream', messages, limit, begun + (rateWaitBudgetMs ?? Number.POSITIVE_INFINITY));
    if (!booking.acquired) {
      const seconds = Math.max(1, Math.ceil(booking.waitMs / 1000));
      throw new DeferredError(
        `tenant ${tenant.id}'s share of limits.streamMessagesPerSecond (${limit}) is taken for the next ${seconds} s; its messages wait in its queue`,
        seconds,
      );
    }
    if (booking.waitedMs > 0) {
      platformLogger.info("stream batch waited for its tenant's share", {
        tenant: tenant.id,
        kind: 'stream',
        messages,
        waitedSeconds: Math.round(booking.waitedMs / 100) / 10,
      });
    }
    return booking.waitedMs;
  }

  /**
   * Writes every delivery it can; returns the failed ones with why. Rows of the
   * same partition, whatever message they come from, go in one unlogged batch
   * (a stream of one device's readings is a handful of Cassandra requests, not
   * one per message); a message is written when all its rows are.
   */
  private async write(tenant: Tenant, deliveries: readonly Delivery[]): Promise<{ written: number; failed: Array<{ delivery: Delivery; reason: string }> }> {
    const app = await this.deps.loadApp(tenant.id);
    const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
    await this.schemaOf(keyspace).ensureTables(app.tables);
    const tables = new Map<string, PreparedTable>(
      app.tables.map((spec) => [spec.name, { spec, query: insertCql(keyspace, spec), columns: Object.keys(spec.columns) }]),
    );
    const failures = new Map<Delivery, string>();
    let outage: Error | undefined;
    const partitions = new Map<string, { table: PreparedTable; rows: Array<{ delivery: Delivery; params: unknown[] }> }>();

    for (const delivery of deliveries) {
      try {
        const rows = app.toRows({
          tenant: tenant.id,
          messageId: delivery.messageId,
          publishedAt: delivery.publishedAt,
          body: delivery.body,
          bytes: delivery.bytes,
        });
        for (const row of rows) {
          const table = tables.get(row.table);
          if (!table) throw new RecordError(`the stream app wrote to unknown table ${row.table}`);
          const key = partitionOf(table.spec, row.values);
          let partition = partitions.get(key);
          if (!partition) {
            partition = { table, rows: [] };
            partitions.set(key, partition);
          }
          partition.rows.push({ delivery, params: table.columns.map((column) => row.values[column] ?? null) });
        }
      } catch (error) {
        const reason = error instanceof RecordError ? error.message : `the stream app failed: ${(error as Error).message}`;
        failures.set(delivery, `message ${delivery.messageId}: ${reason}`);
      }
    }

    const requests: Array<{ table: PreparedTable; rows: Array<{ delivery: Delivery; params: unknown[] }> }> = [];
    for (const { table, rows } of partitions.values()) {
      for (let start = 0; start < rows.length; start += ROWS_PER_BATCH) requests.push({ table, rows: rows.slice(start, start + ROWS_PER_BATCH) });
    }
    await Promise.all(
      Array.from({ length: Math.min(this.deps.concurrency, requests.length) }, async () => {
        for (let request = requests.shift(); request; request = requests.shift()) {
          const { table, rows } = request;
          try {
            await insertRows(
              this.deps.cassandra,
              table.query,
              rows.map(({ params }) => params),
            );
          } catch (error) {
            const unavailable = serviceFailure(error, 'cassandra');
            if (unavailable) outage ??= unavailable;
            else
              for (const { delivery } of rows)
                if (!failures.has(delivery)) failures.set(delivery, `message ${delivery.messageId}: write failed: ${(error as Error).message}`);
          }
        }
      }),
    );
    // No message is to blame: the whole batch goes back, its tries untouched.
    if (outage) throw outage;

    const now = Date.now();
    const latency = new LatencyHistogram();
    const written: string[] = [];
    let bytes = 0;
    for (const delivery of deliveries) {
      if (failures.has(delivery)) continue;
      written.push(delivery.messageId);
      bytes += delivery.bytes;
      latency.record(now - delivery.publishedAt.getTime());
    }
    const failed = [...failures].map(([delivery, reason]) => ({ delivery, reason }));
    await this.deps.metrics.streamBatch({
      tenant: tenant.id,
      recordedAt: new Date(),
      writtenMessageIds: written,
      failedDeliveries: failed.map(({ delivery }) => `${delivery.messageId}:${delivery.attempts}`),
      bytes,
      latency,
    });
    return { written: written.length, failed };
  }

  /** Puts failed packed messages back (or into the dead-letter queue); the others go back with their queue message. */
  private async handBack(
    tenant: Tenant,
    failed: ReadonlyArray<{ delivery: Delivery; reason: string }>,
  ): Promise<Omit<StreamIngestResult, 'written' | 'rateWaitMs'>> {
    const failedQueueMessages = new Map<string, string>();
    const retry: Array<{ delivery: Delivery; reason: string }> = [];
    const dead: Array<{ delivery: Delivery; reason: string }> = [];
    for (const failure of failed) {
      platformLogger.warn('stream message failed', {
        tenant: tenant.id,
        messageId: failure.delivery.messageId,
        attempt: failure.delivery.attempts + 1,
        reason: failure.reason,
      });
      if (!failure.delivery.packed) failedQueueMessages.set(failure.delivery.queueMessageId, failure.reason);
      else if (failure.delivery.attempts + 1 >= tenant.profile.stream.maxReceiveCount) dead.push(failure);
      else retry.push(failure);
    }
    const byAttempt = new Map<number, typeof retry>();
    for (const failure of retry) byAttempt.set(failure.delivery.attempts + 1, [...(byAttempt.get(failure.delivery.attempts + 1) ?? []), failure]);
    const sends = [
      ...[...byAttempt].map(([attempt, group]) => ({
        group,
        send: this.deps.queues.retry(
          tenant.id,
          group.map(({ delivery }) => repack(delivery.packed as UnpackedMessage, attempt)),
          retryDelaySeconds(attempt),
        ),
      })),
      ...dead.map((failure) => ({
        group: [failure],
        send: this.deps.queues.deadLetter(tenant.id, [repack(failure.delivery.packed as UnpackedMessage, failure.delivery.attempts + 1)], failure.reason),
      })),
    ];
    for (const { group, send } of sends) {
      const outcome = await send.catch((error: Error) => ({
        sent: 0,
        failed: group.map(({ delivery }) => ({ messageId: delivery.messageId, reason: error.message })),
      }));
      const unsent = new Set(outcome.failed.map((failure) => failure.messageId));
      // Could not put it back: hand back its whole pack (what was written is rewritten idempotently).
      for (const { delivery } of group)
        if (unsent.has(delivery.messageId)) failedQueueMessages.set(delivery.queueMessageId, `could not put message ${delivery.messageId} back alone`);
    }
    if (dead.length) platformLogger.warn('stream messages dead-lettered', { tenant: tenant.id, messages: dead.map(({ delivery }) => delivery.messageId) });
    return { failedQueueMessages: [...failedQueueMessages].map(([id, reason]) => ({ id, reason })) };
  }

  /** The tenant keyspace's tables, checked against the driver's schema metadata (no state of its own). */
  private schemaOf(keyspace: string): KeyspaceSchema {
    return new KeyspaceSchema(this.deps.cassandra, keyspace);
  }
}
