// A browser program: it bundles the one module of the core it runs, not the core's index, whose modules need Node.
import { formatOf, safeFileName } from '../../../layers/platform/src/uploads/fileName';
import { type Api, ApiError } from './api';
import { append, byId, el } from './dom';
import { bytes, count } from './format';
import { FINAL_STATUSES, type IngestionList, type Profile, type UploadGrant } from './types';

/** One file on its way: its row in the list, and what is known so far. */
interface Upload {
  readonly file: File;
  readonly badge: HTMLElement;
  readonly progress: HTMLProgressElement;
  readonly message: HTMLElement;
}

const FOLLOW_INTERVAL_MS = 1500;
const FOLLOW_TIMEOUT_MS = 10 * 60_000;

/** The profile's verdict on a file before any request: undefined when it may be uploaded. */
function refusal(file: File, profile: Profile): string | undefined {
  try {
    safeFileName(file.name);
  } catch (error) {
    return (error as Error).message;
  }
  const format = formatOf(file.name);
  if (!format || !profile.batch.allowedFormats.includes(format)) return `format not allowed (allowed: ${profile.batch.allowedFormats.join(', ')})`;
  if (file.size > profile.batch.maxFileSizeBytes) return `${bytes(file.size)} is over the ${profile.batch.maxFileSize} limit`;
  return undefined;
}

/** S3's XML error as one line: "EntityTooLarge: Your proposed upload exceeds the maximum allowed size". */
function s3Error(status: number, body: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return code ? `S3 refused the upload: ${code}: ${message ?? ''}` : `S3 answered ${status}`;
}

/**
 * Drag-and-drop uploads: each file is checked against the tenant's profile
 * first (name, format, size), files are grouped into batches of the profile's
 * size, and each goes through the same presigned POST as `fetchdata`
 * (`POST /tenants/{t}/uploads`, then the form POST to S3) with its progress,
 * then followed to its ingestion's outcome.
 */
export class UploadPanel {
  constructor(
    private readonly api: Api,
    private readonly tenant: () => string,
    private readonly profile: () => Profile | undefined,
    private readonly onLanded: () => void,
  ) {
    const zone = byId('drop-zone');
    const input = byId<HTMLInputElement>('file-input');
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('over');
      void this.add([...(event.dataTransfer?.files ?? [])]);
    });
    input.addEventListener('change', () => {
      void this.add([...(input.files ?? [])]);
      input.value = '';
    });
  }

  showRules(profile: Profile): void {
    const quota = profile.batch.dailyQuota;
    byId('upload-rules').textContent =
      `${profile.batch.allowedFormats.join(', ')} files up to ${profile.batch.maxFileSize}, ${profile.batch.maxFilesPerBatch} per batch` +
      (quota ? `; daily quota ${quota.maxFiles ?? 'unlimited'} files, ${quota.maxBytes ?? 'unlimited'}` : '');
  }

  async add(files: readonly File[]): Promise<void> {
    const profile = this.profile();
    if (!profile || files.length === 0) return;
    const accepted: Upload[] = [];
    for (const file of files) {
      const upload = this.row(file);
      const why = refusal(file, profile);
      if (why) this.set(upload, 'refused', why);
      else accepted.push(upload);
    }
    for (let start = 0; start < accepted.length; start += profile.batch.maxFilesPerBatch) {
      let batchId: string | undefined;
      const followed: Array<Promise<void>> = [];
      for (const upload of accepted.slice(start, start + profile.batch.maxFilesPerBatch)) {
        const grant = await this.send(upload, batchId);
        if (grant) {
          batchId = grant.batchId;
          followed.push(this.follow(upload, grant));
        }
      }
      await Promise.all(followed);
    }
  }

  private row(file: File): Upload {
    const upload: Upload = {
      file,
      badge: el('span', { className: 'badge waiting' }, 'checking'),
      progress: el('progress', { max: 1, value: 0, 'aria-label': `upload of ${file.name}` }),
      message: el('span', { className: 'message' }),
    };
    const item = el(
      'li',
      {},
      el('span', { className: 'name' }, file.name),
      el('span', {}, upload.badge, ' ', bytes(file.size)),
      el('span', {}, upload.progress, upload.message),
    );
    byId('upload-list').prepend(item);
    return upload;
  }

  private set(upload: Upload, status: string, message: string): void {
    upload.badge.className = `badge ${status}`;
    upload.badge.textContent = status;
    upload.message.textContent = message;
    if (status === 'refused') upload.progress.hidden = true;
  }

  /** Asks for a presigned POST and sends the file to S3; the grant when S3 took it. */
  private async send(upload: Upload, batchId: string | undefined): Promise<UploadGrant | undefined> {
    const tenant = this.tenant();
    let grant: UploadGrant;
    try {
      grant = await this.api.call<UploadGrant>('POST', `/tenants/${tenant}/uploads`, {
        fileName: upload.file.name,
        size: upload.file.size,
        ...(batchId ? { batchId } : {}),
      });
    } catch (error) {
      this.set(upload, 'refused', error instanceof ApiError ? error.message : `the platform is unreachable: ${(error as Error).message}`);
      return undefined;
    }
    this.set(upload, 'uploading', `batch ${grant.batchId}`);
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value);
    form.append('file', upload.file);
    const outcome = await new Promise<{ ok: boolean; message: string }>((resolve) => {
      const request = new XMLHttpRequest();
      request.open('POST', grant.upload.url);
      request.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) upload.progress.value = event.loaded / event.total;
      });
      request.addEventListener('load', () =>
        resolve(
          request.status >= 200 && request.status < 300 ? { ok: true, message: '' } : { ok: false, message: s3Error(request.status, request.responseText) },
        ),
      );
      request.addEventListener('error', () => resolve({ ok: false, message: 'the upload to S3 failed (network, or the bucket refuses this origin)' }));
      request.send(form);
    });
    if (!outcome.ok) {
      this.set(upload, 'failed', outcome.message);
      return undefined;
    }
    upload.progress.value = 1;
    this.set(upload, 'waiting', `uploaded to batch ${grant.batchId}; waiting for its ingestion`);
    return grant;
  }

  /** Polls the batch's ingestions until the file's record is final. */
  private async follow(upload: Upload, grant: UploadGrant): Promise<void> {
    const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
      let record;
      try {
        const list = await this.api.call<IngestionList>('GET', `/tenants/${this.tenant()}/ingestions?batch=${encodeURIComponent(grant.batchId)}`);
        record = list.ingestions.find((ingestion) => ingestion.fileName === grant.fileName);
      } catch {
        continue;
      }
      if (!record) continue;
      const summary = `${count(record.rows)} rows, ${count(record.badRows)} bad`;
      this.set(upload, record.status, record.reason ? `${summary}: ${record.reason}` : summary);
      if (FINAL_STATUSES.includes(record.status)) {
        this.onLanded();
        return;
      }
    }
    append(upload.message, ' (still not final: see the table below)');
  }
}
