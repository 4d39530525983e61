import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FINAL_STATUSES, formatByteSize, formatOf, safeFileName, type IngestionStatus } from '../layers/platform/src';
import { DeviceTokenFile } from './DeviceTokenFile';
import { ApiClient, type IngestionView, type ProfileView, type UploadGrant } from './ApiClient';
import { exitCodeOf, failWith } from './exitCodes';
import { postMultipart, s3ErrorMessage } from './postMultipart';
import { readSecret } from './readSecret';
import { TryAgainLater, withBackoff } from './withBackoff';

/** A file's ingestion status, or where the client left it before or after the platform had it. */
type FileStatus = 'skipped' | 'refused' | 'uploaded' | IngestionStatus | 'timed out';

/** One file of the client's input directory, from selection to ingestion. */
interface FileReport {
  file: string;
  path: string;
  bytes: number;
  /** The format its name announces (`csv.gz`, `parquet`, ...), when it is one. */
  format?: string | undefined;
  /** A compressed file's text, in bytes, once the platform has read it through. */
  textBytes?: number | undefined;
  status: FileStatus;
  reason: string;
  rows?: number;
  badRows?: number;
  seconds?: number;
  tables?: readonly string[];
  chunks?: IngestionView['chunks'];
  /** While its tenant's chunk tasks wait for their turn, why (the platform's words). */
  waiting?: string | undefined;
  /** Where the bad rows are kept: the files, under the tenant's prefix in the ingest bucket. */
  badRowsFiles?: string[];
  grant?: UploadGrant;
}

const FINAL: readonly FileStatus[] = ['skipped', 'refused', ...FINAL_STATUSES, 'timed out'];

interface Options {
  api: string;
  tenant: string;
  dir: string;
  passwordEnv: string;
  concurrency: number;
  timeout: number;
  follow: boolean;
  json: boolean;
  dryRun: boolean;
  patience: number;
}

const positive = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return number;
};

/** The files of the directory that meet the profile (after logging in and reading it, before uploading), and why each other one does not. */
async function selectFiles(dir: string, profile: ProfileView): Promise<FileReport[]> {
  const names = (await readdir(dir)).sort();
  const reports: FileReport[] = [];
  let selected = 0;
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path);
    if (!info.isFile()) continue;
    const report: FileReport = { file: name, path, bytes: info.size, status: 'skipped', reason: '' };
    reports.push(report);
    try {
      safeFileName(name);
    } catch (error) {
      report.reason = (error as Error).message;
      continue;
    }
    const format = formatOf(name);
    report.format = format;
    if (!format || !profile.batch.allowedFormats.includes(format)) {
      report.reason = `format not allowed (allowed: ${profile.batch.allowedFormats.join(', ')})`;
    } else if (info.size > profile.batch.maxFileSizeBytes) {
      report.reason = `${formatByteSize(info.size)} is over the ${profile.batch.maxFileSize} limit`;
    } else if (selected >= profile.batch.maxFilesPerBatch) {
      report.reason = `the batch is full (at most ${profile.batch.maxFilesPerBatch} files); send it in a later batch`;
    } else {
      selected += 1;
      report.status = 'uploaded';
    }
  }
  return reports;
}

async function upload(api: ApiClient, files: FileReport[], options: Options, bars: cliProgress.MultiBar | undefined): Promise<string | undefined> {
  let batchId: string | undefined;
  const granted: FileReport[] = [];
  for (const file of files) {
    try {
      file.grant = await api.grantUpload(file.file, file.bytes, batchId, options.dryRun);
      batchId = file.grant.batchId;
      granted.push(file);
    } catch (error) {
      if (exitCodeOf(error) !== 1) throw error;
      file.status = 'refused';
      file.reason = `refused by the platform: ${(error as Error).message}`;
    }
  }
  const queue = [...granted];
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const bar = bars?.create(file.bytes || 1, 0, { file: file.file.padEnd(24).slice(0, 24) });
        const grant = file.grant as UploadGrant;
        try {
          // S3 down or overloaded (a refused connection, a 5xx) is waited out; its refusals (4xx) are final.
          const result = await withBackoff(
            async () => {
              const reply = await postMultipart(grant.upload.url, grant.upload.fields, file.path, (sent) => bar?.update(sent)).catch((error: Error) => {
                throw /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/.test(`${(error as { code?: string }).code} ${error.message}`)
                  ? new TryAgainLater(error)
                  : error;
              });
              if (reply.status >= 500) throw new TryAgainLater(new Error(`S3 answered ${reply.status}: ${s3ErrorMessage(reply.body)}`));
              return reply;
            },
            {
              patienceMs: options.patience * 1000,
              onRetry: (reason, delayMs) => console.error(`upload of ${file?.file}: ${reason}; retrying in ${delayMs / 1000} s`),
            },
          );
          if (result.status >= 300) {
            file.status = 'refused';
            file.reason = `refused by S3: ${s3ErrorMessage(result.body)}`;
          } else {
            file.status = 'processing';
            if (!bars && !options.json) console.error(`uploaded ${file.file} (${formatByteSize(file.bytes)})`);
          }
        } catch (error) {
          file.status = 'refused';
          file.reason = `upload failed: ${(error as Error).message}`;
        }
        bar?.update(file.bytes || 1);
      }
    }),
  );
  return batchId;
}

function apply(file: FileReport, ingestion: IngestionView): void {
  file.status = ingestion.status;
  file.rows = ingestion.rows;
  file.textBytes = ingestion.textBytes ?? undefined;
  file.badRows = ingestion.badRows;
  file.tables = ingestion.tables;
  file.chunks = ingestion.chunks;
  file.seconds = ingestion.durationMs === null ? undefined : ingestion.durationMs / 1000;
  const samples = ingestion.badRowSamples.length ? ` [${ingestion.badRowSamples.slice(0, 3).join('; ')}]` : '';
  file.reason = ingestion.reason ? `${ingestion.reason}${ingestion.status === 'ingested' || ingestion.status === 'validated' ? samples : ''}` : '';
  file.waiting = ingestion.waiting?.reason;
}

/** Chunks of the files still being ingested in chunks ("chunks 12/40 validated, 3/40 written"), and why files wait, if they do. */
function chunkProgress(files: readonly FileReport[]): string {
  const unfinished = files.filter((file) => !FINAL.includes(file.status));
  const waiting = unfinished.find((file) => file.waiting)?.waiting;
  const share = waiting ? ` | ${waiting}` : '';
  const running = unfinished.filter((file) => file.chunks);
  if (running.length === 0) return share;
  const sum = (pick: (chunks: NonNullable<FileReport['chunks']>) => number): number =>
    running.reduce((total, file) => total + pick(file.chunks as NonNullable<FileReport['chunks']>), 0);
  const total = sum((chunks) => chunks.total);
  return ` | chunks ${sum((chunks) => chunks.validated)}/${total} validated, ${sum((chunks) => chunks.written)}/${total} written${sum((chunks) => chunks.failed) ? `, ${sum((chunks) => chunks.failed)} failed` : ''}${share}`;
}

/** Follows the batch until every uploaded file is ingested, rejected or failed, with a live counter. */
async function follow(api: ApiClient, batchId: string, files: FileReport[], options: Options): Promise<void> {
  const watched = files.filter((file) => file.status === 'processing');
  if (watched.length === 0) return;
  const bar =
    process.stderr.isTTY && !options.json
      ? new cliProgress.SingleBar(
          { format: 'ingesting |{bar}| {value}/{total} files done | {rows} rows{chunks}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  bar?.start(watched.length, 0, { rows: 0, chunks: '' });
  const deadline = Date.now() + options.timeout * 1000;
  const ingestions = new Map<string, IngestionView>();
  while (watched.some((file) => !FINAL.includes(file.status)) && Date.now() < deadline) {
    await sleep(1000);
    for (const ingestion of (await api.ingestions(batchId)).ingestions) {
      ingestions.set(ingestion.id, ingestion);
      const file = watched.find((candidate) => candidate.grant?.ingestionId === ingestion.id);
      if (file) apply(file, ingestion);
    }
    bar?.update(watched.filter((file) => FINAL.includes(file.status)).length, {
      rows: watched.reduce((sum, file) => sum + (file.rows ?? 0), 0),
      chunks: chunkProgress(watched),
    });
  }
  bar?.stop();
  for (const file of watched) {
    const view = file.grant ? ingestions.get(file.grant.ingestionId) : undefined;
    if (view?.badRowsFile && file.grant) file.badRowsFiles = (await api.badRows(file.grant.ingestionId)).files.map((download) => download.key);
  }
  for (const file of watched) {
    if (!FINAL.includes(file.status)) {
      file.status = 'timed out';
      file.reason = `still ${file.status} after ${options.timeout} s; follow it with GET /tenants/${options.tenant}/ingestions?batch=${batchId}`;
    }
  }
}

function printTable(files: FileReport[]): void {
  const table = new Table({
    style: { head: [], border: [] },
    head: ['file', 'format', 'bytes', 'rows', 'seconds', 'status', 'table', 'reason'],
    wordWrap: true,
    colWidths: [24, 11, 14, 8, 9, 10, 28, 60],
  });
  for (const file of files) {
    // A compressed file: the bytes sent, and its text's once the platform has read it.
    const bytes = file.textBytes === undefined ? file.bytes : `${file.bytes}\n(${file.textBytes} text)`;
    table.push([
      file.file,
      file.format ?? '',
      bytes,
      file.rows ?? '',
      file.seconds?.toFixed(2) ?? '',
      file.status,
      (file.tables ?? []).join(', '),
      file.reason,
    ]);
  }
  console.log(table.toString());
}

async function main(options: Options): Promise<number> {
  const started = Date.now();
  const api = new ApiClient(options.api, {
    patienceMs: options.patience * 1000,
    onRetry: (reason, delayMs) => console.error(`the platform is unavailable (${reason}); retrying in ${delayMs / 1000} s`),
    devices: new DeviceTokenFile(),
  });
  const password = await readSecret(options.passwordEnv, `Password for tenant ${options.tenant}: `);
  await api.login(options.tenant, password);
  const profile = await api.profile();
  const say = (line: string): void => {
    if (!options.json) console.error(line);
  };
  say(
    `tenant ${profile.tenant}: files up to ${profile.batch.maxFileSize}, ${profile.batch.maxFilesPerBatch} per batch, formats ${profile.batch.allowedFormats.join(', ')}, ${profile.batch.maxBadRows} bad rows tolerated; data goes to keyspace ${profile.keyspace}`,
  );
  const files = await selectFiles(resolve(options.dir), profile);
  for (const file of files.filter((f) => f.status === 'skipped')) say(`skipped ${file.file}: ${file.reason}`);
  const selected = files.filter((file) => file.status === 'uploaded');
  const bars =
    process.stderr.isTTY && !options.json && selected.length
      ? new cliProgress.MultiBar(
          { format: 'upload {file} |{bar}| {percentage}% {value}/{total} B', hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const batchId = selected.length ? await upload(api, selected, options, bars) : undefined;
  bars?.stop();
  if (batchId && options.follow) await follow(api, batchId, selected, options);
  const seconds = (Date.now() - started) / 1000;
  const done: FileStatus = options.dryRun ? 'validated' : 'ingested';
  const ingested = selected.filter((file) => file.status === done);
  const rows = ingested.reduce((sum, file) => sum + (file.rows ?? 0), 0);
  const ok = selected.length > 0 && (options.follow ? ingested.length === selected.length : selected.every((file) => file.status === 'processing'));
  if (options.json) {
    console.log(
      JSON.stringify(
        { tenant: options.tenant, batchId: batchId ?? null, seconds, ok, files: files.map(({ path: _path, grant: _grant, ...rest }) => rest) },
        null,
        2,
      ),
    );
  } else {
    printTable(files);
    const count = (status: FileStatus): number => files.filter((file) => file.status === status).length;
    console.log(
      options.dryRun
        ? `dry run: ${ingested.length} of ${selected.length} selected files validated (${rows} rows would be written, none was); ${count('rejected')} rejected, ${count('refused')} refused, ${count('failed')} failed, ${count('skipped')} skipped; ${seconds.toFixed(1)} s; batch ${batchId ?? '-'}`
        : `${ingested.length} of ${selected.length} selected files ingested (${rows} rows); ${count('rejected')} rejected, ${count('refused')} refused, ${count('failed')} failed, ${count('skipped')} skipped; ${seconds.toFixed(1)} s; batch ${batchId ?? '-'}`,
    );
    if (ingested.length) console.log(`${done} files are kept under tenants/${options.tenant}/${done}/${batchId}/ in the ingest bucket`);
    for (const file of files.filter((candidate) => candidate.badRowsFiles?.length)) {
      console.log(
        `bad rows of ${file.file}: ${file.badRowsFiles?.join(' and ')} (download links: GET /tenants/${options.tenant}/ingestions/${file.grant?.ingestionId}/bad-rows)`,
      );
    }
  }
  return ok ? 0 : 1;
}

const program = new Command('fetchdata')
  .description("Uploads a client input directory to the platform, as the tenant's profile allows, and follows each file's ingestion.")
  .requiredOption('--api <url>', 'the platform API, e.g. http://127.0.0.1:3000')
  .requiredOption('--tenant <id>', 'your tenant id')
  .requiredOption('--dir <path>', 'the client input directory')
  .option('--password-env <variable>', 'environment variable holding your password (else you are prompted)', 'MYSIMBDP_PASSWORD')
  .option('--concurrency <n>', 'files uploaded at the same time', positive, 3)
  .option('--timeout <seconds>', 'how long to follow the ingestion', positive, 900)
  .option('--patience <seconds>', 'how long to wait out a platform that is unavailable (503, lost connections) before giving up', positive, 600)
  .option('--no-follow', 'upload and exit, without waiting for the ingestion')
  .option('--dry-run', "validate the files with the tenant's app and write nothing")
  .option('--json', 'print a JSON summary instead of the table')
  .showHelpAfterError()
  .action(async (options: Options) => {
    process.exitCode = await main(options);
  });

program.parseAsync().catch((error: unknown) => failWith('fetchdata', error));
