import { metricsWindow, type MetricSeries } from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

/**
 * `GET /tenants/{tenant}/metrics[?hours=24]`: the tenant's time series over
 * the window (1 to 744 hours): files, rows, bytes, bad rows, rejected and
 * failed files, ingestion time per MiB, stream messages, bytes, failures and
 * latency percentiles, per minute (coarser buckets for windows over a day),
 * with the window's totals.
 */
export const handler = tenantHttpHandler<MetricSeries>(async ({ tenant, query, platform }) => ({
  body: await platform.metrics.series(tenant.id, metricsWindow(query.hours)),
}));
