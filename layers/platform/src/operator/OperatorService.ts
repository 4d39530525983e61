import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PlatformConfig } from '../config/PlatformConfig';
import { NotFoundError } from '../errors';
import type { HealthCheck } from '../health/HealthCheck';
import type { PlatformOverview, StatusChange, TenantOverview } from '../http/contract';
import type { PlatformMetrics } from '../metrics/PlatformMetrics';
import type { MetricsWindow } from '../metrics/metricsWindow';
import { putTenantAmqpPermissions } from '../provisioning/provisionAmqp';
import { RabbitMqAdmin } from '../provisioning/RabbitMqAdmin';
import { queueDepth } from '../storage/queueDepth';
import type { StreamQueueSender } from '../stream/StreamQueueSender';
import type { Tenant } from '../tenants/Tenant';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { ChunkShares } from '../ingest/files/ChunkShares';
import type { Topology } from '../topology/Topology';
import type { DailyUsageStore } from '../uploads/DailyUsageStore';

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
