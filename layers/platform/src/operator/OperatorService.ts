import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PlatformConfig } from '../config/PlatformConfig';
import { NotFoundError } from '../errors';
import type { HealthCheck, HealthReport } from '../health/HealthCheck';
import type { MetricValuesJson } from '../metrics/MetricValues';
import type { PlatformMetrics } from '../metrics/PlatformMetrics';
import type { MetricsWindow } from '../metrics/metricsWindow';
import { putTenantAmqpPermissions } from '../provisioning/provisionAmqp';
import { RabbitMqAdmin } from '../provisioning/RabbitMqAdmin';
import { queueDepth } from '../storage/queueDepth';
import type { StreamQueueSender } from '../stream/StreamQueueSender';
import type { Tenant } from '../tenants/Tenant';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { ChunkShare, ChunkShares } from '../ingest/files/ChunkShares';
import type { Topology } from '../topology/Topology';
import type { DailyUsageStore } from '../uploads/DailyUsageStore';

export interface TenantOverview {
  readonly tenant: string;
  readonly displayName: string;
  readonly status: 'active' | 'disabled';
  /** Files and bytes granted today (UTC) against the daily quota; all null without a quota (grants are counted against one only). */
  readonly usage: {
    readonly day: string;
    readonly files: number | null;
    readonly bytes: number | null;
    readonly maxFiles: number | null;
    readonly maxBytes: number | null;
  };
  /** What the tenant's ingestions did in the window. */
  readonly window: Pick<MetricValuesJson, 'files' | 'rows' | 'bytes' | 'badRows' | 'rejectedFiles' | 'failedFiles' | 'messages' | 'streamFailures'>;
  /** The tenant's stream queue: backlog and dead letters (null when SQS cannot tell). */
  readonly stream: { readonly backlog: number | null; readonly deadLetters: number | null };
  /** The tenant's share of the chunk invocations: its chunk tasks queued and in flight, and its limit (null when SQS cannot tell). */
  readonly chunks: ChunkShare | null;
  /** The tenant's limits as its profile sets them (null: none but the platform's capacity). */
  readonly limits: { readonly chunkInvocations: number | null; readonly rowsPerSecond: number | null; readonly streamMessagesPerSecond: number | null };
}

export interface PlatformOverview {
  readonly windowHours: number;
  readonly since: string;
  readonly until: string;
  readonly tenants: readonly TenantOverview[];
  /** File notifications that failed every try (all tenants share the batch-ingest queue). */
  readonly batchDeadLetterQueue: { readonly name: string; readonly messages: number | null };
  readonly health: HealthReport;
}

export interface StatusChange {
  readonly tenant: string;
  readonly status: 'active' | 'disabled';
  /** Whether the tenant's RabbitMQ publish permission follows, and why not. */
  readonly amqp: { readonly updated: boolean; readonly reason?: string };
}

export interface OperatorDependencies {
  readonly config: PlatformConfig;
  readonly topology: Topology;
  readonly registry: TenantRegistry;
  readonly usage: DailyUsageStore;
  readonly metrics: PlatformMetrics;
  readonly sqs: SQSClient;
  readonly queues: StreamQueueSender;
  readonly chunkShares: ChunkShares;
  readonly health: HealthCheck;
}

/**
 * What the platform operator sees and does across tenants: each tenant's
 * status, usage against its daily quota, failures and dead letters, the
 * services' health; enabling and disabling a tenant (in the tenant registry,
 * the source of truth, and in RabbitMQ).
 *
 * @example
 * const overview = await operator.overview(metricsWindow('24'));
 * await operator.setStatus('zoo', 'disabled');
 */
export class OperatorService {
  constructor(private readonly deps: OperatorDependencies) {}

  async overview(window: MetricsWindow): Promise<PlatformOverview> {
    const { registry, topology, health } = this.deps;
    const [tenants, batchDeadLetters, report] = await Promise.all([
      registry.list({ fresh: true }).then((all) => Promise.all(all.map((tenant) => this.tenantOverview(tenant, window)))),
      this.depth(topology.batchIngestQueue.deadLetterName),
      health.run(),
    ]);
    return {
      windowHours: window.hours,
      since: window.since.toISOString(),
      until: window.until.toISOString(),
      tenants,
      batchDeadLetterQueue: { name: topology.batchIngestQueue.deadLetterName, messages: batchDeadLetters },
      health: report,
    };
  }

  async setStatus(tenantId: string, status: 'active' | 'disabled'): Promise<StatusChange> {
    const tenant = await this.deps.registry.setStatus(tenantId, status);
    if (!tenant) throw new NotFoundError(`no tenant ${tenantId} in the tenant registry`);
    const { amqp } = this.deps.config;
    if (!amqp.adminPassword) {
      return {
        tenant: tenant.id,
        status,
        amqp: { updated: false, reason: 'RABBITMQ_ADMIN_PASSWORD is not set for this function; run `tenants provision` to apply it' },
      };
    }
    await putTenantAmqpPermissions(new RabbitMqAdmin(amqp.managementUrl, amqp.adminUsername, amqp.adminPassword), this.deps.topology, tenant);
    return { tenant: tenant.id, status, amqp: { updated: true } };
  }

  private depth(queueName: string): Promise<number | null> {
    return queueDepth(this.deps.sqs, (name) => this.deps.queues.queueUrlByName(name), queueName);
  }

  private async tenantOverview(tenant: Tenant, window: MetricsWindow): Promise<TenantOverview> {
    const queue = this.deps.topology.streamQueue(tenant.id);
    const [usage, series, backlog, deadLetters, chunks] = await Promise.all([
      tenant.profile.batch.dailyQuota ? this.deps.usage.usage(tenant.id, window.until) : { files: null, bytes: null },
      this.deps.metrics.series(tenant.id, window),
      this.depth(queue.name),
      this.depth(queue.deadLetterName),
      this.deps.chunkShares.of(tenant.id, tenant.profile),
    ]);
    const quota = tenant.profile.batch.dailyQuota;
    const { files, rows, bytes, badRows, rejectedFiles, failedFiles, messages, streamFailures } = series.totals;
    return {
      tenant: tenant.id,
      displayName: tenant.profile.displayName,
      status: tenant.profile.status,
      usage: { day: window.until.toISOString().slice(0, 10), ...usage, maxFiles: quota?.maxFiles ?? null, maxBytes: quota?.maxBytes?.bytes ?? null },
      window: { files, rows, bytes, badRows, rejectedFiles, failedFiles, messages, streamFailures },
      stream: { backlog, deadLetters },
      chunks,
      limits: {
        chunkInvocations: tenant.profile.limits.chunkInvocations ?? null,
        rowsPerSecond: tenant.profile.limits.rowsPerSecond ?? null,
        streamMessagesPerSecond: tenant.profile.limits.streamMessagesPerSecond ?? null,
      },
    };
  }
}
