import {
  assertBatchId,
  INGESTION_STATUSES,
  ingestionTotals,
  InvalidInputError,
  NotFoundError,
  type Ingestion,
  type IngestionList,
  type IngestionProgress,
  type IngestionStatus,
} from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';
import { ingestionJson } from './ingestionJson';

function isIngestionStatus(text: string): text is IngestionStatus {
  return (INGESTION_STATUSES as readonly string[]).includes(text);
}

/**
 * `GET /tenants/{tenant}/ingestions[?batch=&status=&limit=]`: the tenant's
 * ingestion records, newest batch first, with totals (files, bytes, rows,
 * mean and max ingestion time, and the tenant's batch notifications and chunk
 * tasks in the dead-letter queues), a chunked file's chunks, and `stalled`
 * for work nobody is doing; `GET /tenants/{tenant}/ingestions/{id}`: one.
 */
export const handler = tenantHttpHandler<Ingestion | IngestionList>(async ({ tenant, path, query, platform }) => {
  if (path.ingestionId) {
    const record = await platform.ingestions.get(tenant.id, path.ingestionId);
    if (!record) throw new NotFoundError(`tenant ${tenant.id} has no ingestion ${path.ingestionId}`);
    const [view] = await platform.ingestionProgress.of([record]);
    return { body: ingestionJson(view as IngestionProgress) };
  }
  const batchId = query.batch ? assertBatchId(query.batch) : undefined;
  const status = query.status;
  if (status !== undefined && !isIngestionStatus(status)) throw new InvalidInputError(`status must be one of ${INGESTION_STATUSES.join(', ')}`);
  const limit = query.limit === undefined ? 1000 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidInputError('limit must be an integer from 1 to 10000');
  // Stalled is shown, not stored: filter after reading where each record stands.
  const stored = await platform.ingestions.list(tenant.id, {
    batchId,
    status: status === 'stalled' ? undefined : status,
    limit,
  });
  const views = (await platform.ingestionProgress.of(stored)).filter((view) => status === undefined || view.record.status === status);
  return {
    body: {
      tenant: tenant.id,
      filter: { batch: batchId ?? null, status: status ?? null, limit },
      totals: {
        ...ingestionTotals(views.map((view) => view.record)),
        deadLetters: await platform.deadLetters.ofTenant(tenant.id, ['batch', 'chunks']).catch(() => null),
      },
      ingestions: views.map(ingestionJson),
    } satisfies IngestionList,
  };
});
