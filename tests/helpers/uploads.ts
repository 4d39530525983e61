import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postMultipart } from '../../clients/postMultipart';
import type { Ingestion, UploadGrant } from '../../layers/platform/src/http/contract';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { api, config, waitFor } from './testPlatform';

// The API's answers, as its contract types them.
export type Granted = UploadGrant;
export type IngestionJson = Ingestion;

export async function uploadFile(
  tenant: string,
  token: string,
  fileName: string,
  content: string | Buffer,
  extra: Record<string, unknown> = {},
): Promise<Granted> {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const grant = await api('POST', `/tenants/${tenant}/uploads`, { fileName, size: body.length, ...extra }, token);
  if (grant.status !== 201) throw new Error(`upload grant refused: ${grant.status} ${JSON.stringify(grant.body)}`);
  // postMultipart sends a file: the content goes through one of its own, removed once sent.
  const folder = await mkdtemp(join(tmpdir(), 'upload-'));
  try {
    const path = join(folder, fileName);
    await writeFile(path, body);
    const granted = grant.body as unknown as Granted;
    const sent = await postMultipart(granted.upload.url, granted.upload.fields, path, () => undefined);
    if (sent.status >= 300) throw new Error(`S3 refused the upload: ${sent.status} ${sent.body}`);
    return granted;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** An ingestion as the API shows it. */
export async function ingestion(tenant: string, token: string, ingestionId: string): Promise<IngestionJson> {
  const reply = await api('GET', `/tenants/${tenant}/ingestions/${ingestionId}`, undefined, token);
  if (reply.status !== 200) throw new Error(`GET ingestion ${ingestionId}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body as IngestionJson;
}

/** Waits until the ingestion is in one of `statuses`; returns it. */
export function waitForIngestion(tenant: string, token: string, ingestionId: string, statuses: string[], timeoutMs = 120_000): Promise<IngestionJson> {
  return waitFor(
    `ingestion ${ingestionId} to be ${statuses.join(' or ')}`,
    async () => {
      const record = await ingestion(tenant, token, ingestionId);
      return statuses.includes(record.status) ? record : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Object versions and delete markers under a prefix of the ingest bucket: what an ingestion staged and has not yet dropped. */
export async function stagedVersions(prefix: string): Promise<number> {
  const listed = await createS3Client(config).send(new ListObjectVersionsCommand({ Bucket: config.ingestBucket, Prefix: prefix }));
  return (listed.Versions?.length ?? 0) + (listed.DeleteMarkers?.length ?? 0);
}
