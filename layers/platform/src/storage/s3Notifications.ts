import type { ObjectCreated } from '../ingest/files/ObjectIntake';
import { parseObjectKey } from './objectKeys';

interface S3NotificationBody {
  Records?: Array<{ eventName?: string; s3?: { object?: { key?: string; size?: number; eTag?: string; versionId?: string } } }>;
}

/**
 * The ObjectCreated notifications in an SQS message body sent by S3. Keys
 * arrive URL-encoded (spaces as "+"); S3's test event yields none.
 *
 * @example
 * objectsCreated('{"Records":[{"eventName":"ObjectCreated:Post","s3":{"object":{"key":"tenants/zoo/incoming/b/a+b.csv","size":3}}}]}');
 * // [{ key: 'tenants/zoo/incoming/b/a b.csv', size: 3 }]
 */
export function objectsCreated(body: string): ObjectCreated[] {
  let parsed: S3NotificationBody;
  try {
    parsed = JSON.parse(body) as S3NotificationBody;
  } catch {
    return [];
  }
  return (parsed.Records ?? [])
    .filter((record) => record.eventName?.startsWith('ObjectCreated') && record.s3?.object?.key)
    .map((record) => ({
      key: decodeURIComponent((record.s3?.object?.key as string).replace(/\+/g, ' ')),
      size: record.s3?.object?.size ?? 0,
      etag: record.s3?.object?.eTag,
      versionId: record.s3?.object?.versionId,
    }));
}

/** The tenant whose upload a notification is about (by its key, `tenants/<tenant>/...`), if it is one. */
export function tenantOfNotification(body: string): string | undefined {
  return objectsCreated(body)
    .map((object) => parseObjectKey(object.key)?.tenant)
    .find(Boolean);
}
