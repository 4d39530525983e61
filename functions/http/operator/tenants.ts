import { metricsWindow, type PlatformOverview } from '../../../layers/platform/src';
import { operatorHttpHandler } from '../httpHandler';

/**
 * `GET /operator/tenants[?hours=24]`: every tenant's status, usage against
 * its daily quota, ingestions, rejections and failures in the window, stream
 * backlog and dead letters; the batch dead-letter queue; the services' health.
 */
export const handler = operatorHttpHandler<PlatformOverview>(async ({ query, platform }) => ({
  body: await platform.operator.overview(metricsWindow(query.hours)),
}));
