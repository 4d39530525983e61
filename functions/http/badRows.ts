import { NotFoundError, type BadRowsLinks } from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

/** How long a download link lasts. */
const LINK_SECONDS = 900;

/**
 * `GET /tenants/{tenant}/ingestions/{id}/bad-rows`: presigned downloads of an
 * ingestion's bad rows: the bad records in the file's own format (fix them and
 * upload the file again) and, for each, its line number and why it was refused.
 */
export const handler = tenantHttpHandler<BadRowsLinks>(async ({ tenant, path, platform }) => {
  const record = await platform.ingestions.get(tenant.id, path.ingestionId as string);
  if (!record) throw new NotFoundError(`tenant ${tenant.id} has no ingestion ${path.ingestionId}`);
  if (!record.badRowsKey) throw new NotFoundError(`ingestion ${record.ingestionId} of ${record.fileName} has no bad rows`);
  const files = platform.badRows.files(record.badRowsKey, record.fileName);
  const link = (file: { name: string; key: string }) => platform.bucket.presignDownload(file.key, LINK_SECONDS, file.name);
  return {
    body: {
      ingestion: record.ingestionId,
      fileName: record.fileName,
      badRows: record.badRows,
      expiresAt: new Date(Date.now() + LINK_SECONDS * 1000).toISOString(),
      files: [
        {
          what: 'the bad records, in the file format: fix them and upload the file again',
          name: files.data.name,
          key: files.data.key,
          url: await link(files.data),
        },
        { what: 'each bad row: its line number, why it was refused, its text', name: files.errors.name, key: files.errors.key, url: await link(files.errors) },
      ],
    } satisfies BadRowsLinks,
  };
});
