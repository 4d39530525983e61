import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parse as parseCsv } from 'csv-parse';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { INGEST_EXCHANGE, PUBLISHED_AT_HEADER } from '../layers/platform/src';
import { AmqpPublisher } from './AmqpPublisher';
import { DeviceTokenFile } from './DeviceTokenFile';
import { ApiClient } from './ApiClient';
import { EXIT, failWith } from './exitCodes';
import { readSecret } from './readSecret';
import { tenantAmqpUrl } from './tenantAmqpUrl';

/** Messages published but not yet confirmed, at most. */
const CONFIRM_WINDOW = 2000;
const HTTP_BATCH = 100;

interface Options {
  tenant: string;
  amqp?: string;
  api?: string;
  file?: string;
  format?: 'ndjson' | 'csv';
  rate?: number;
  idField?: string;
  passwordEnv?: string;
  json: boolean;
  patience: number;
}

interface OutgoingRecord {
  readonly line: number;
  readonly id: string;
  readonly body: Record<string, unknown>;
}

interface Tally {
  published: number;
  confirmed: number;
  notConfirmed: number;
  skipped: number;
  reasons: Map<string, number>;
}

const positive = (value: string): number => {
  const number = Number(value);
  if (!(number > 0)) throw new InvalidArgumentError('a positive number');
  return number;
};

/** Records from NDJSON lines or CSV (with a header), each with a message id. */
async function* readRecords(
  input: Readable,
  format: 'ndjson' | 'csv',
  idField: string | undefined,
  tally: Tally,
  say: (line: string) => void,
): AsyncGenerator<OutgoingRecord> {
  const idOf = (body: Record<string, unknown>): string => {
    const id = idField ? body[idField] : undefined;
    return id === undefined ? randomUUID() : typeof id === 'string' ? id : JSON.stringify(id);
  };
  if (format === 'csv') {
    let line = 1;
    for await (const body of input.pipe(parseCsv({ columns: true, bom: true, skip_empty_lines: true })) as AsyncIterable<Record<string, unknown>>) {
      line += 1;
      yield { line, id: idOf(body), body };
    }
    return;
  }
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (!text.trim()) continue;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      tally.skipped += 1;
      say(`line ${line}: not valid JSON; not sent`);
      continue;
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      tally.skipped += 1;
      say(`line ${line}: not a JSON object; not sent`);
      continue;
    }
    yield { line, id: idOf(body as Record<string, unknown>), body: body as Record<string, unknown> };
  }
}

/** Spaces messages out to at most `rate` per second. */
function rateLimiter(rate: number | undefined): () => Promise<void> {
  if (!rate) return () => Promise.resolve();
  const interval = 1000 / rate;
  let next = performance.now();
  return async () => {
    next += interval;
    const wait = next - performance.now();
    if (wait > 1) await sleep(wait);
  };
}

function noteFailure(tally: Tally, reason: string): void {
  tally.notConfirmed += 1;
  tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
}

/** What both ways of publishing share. */
interface Publishing {
  readonly options: Options;
  readonly password: string;
  readonly records: AsyncGenerator<OutgoingRecord>;
  readonly tally: Tally;
  /** Called once per message confirmed or refused, for the progress bar. */
  readonly tick: () => void;
}

async function publishAmqp(url: string, { options, password, records, tally, tick }: Publishing): Promise<void> {
  const publisher = await AmqpPublisher.connect(tenantAmqpUrl(url, options.tenant, password), {
    patienceMs: options.patience * 1000,
    onRetry: (reason, delayMs) => console.error(`RabbitMQ is unavailable (${reason}); reconnecting in ${delayMs / 1000} s`),
  });
  const pending = new Set<Promise<void>>();
  const limit = rateLimiter(options.rate);
  try {
    for await (const record of records) {
      if (publisher.failure) break;
      await limit();
      while (pending.size >= CONFIRM_WINDOW) await Promise.race(pending);
      await publisher.ready();
      const now = Date.now();
      const confirmation = publisher
        .publish(INGEST_EXCHANGE, options.tenant, Buffer.from(JSON.stringify(record.body)), {
          persistent: true,
          messageId: record.id,
          timestamp: Math.floor(now / 1000),
          contentType: 'application/json',
          headers: { [PUBLISHED_AT_HEADER]: now },
        })
        .then((outcome) => {
          if (outcome.confirmed) tally.confirmed += 1;
          else noteFailure(tally, outcome.reason);
          tick();
        });
      tally.published += 1;
      const tracked = confirmation.finally(() => pending.delete(tracked));
      pending.add(tracked);
    }
    await Promise.all(pending);
  } finally {
    await publisher.close();
  }
  if (publisher.failure && tally.confirmed < tally.published) tally.reasons.set(publisher.failure, tally.reasons.get(publisher.failure) ?? 0);
}

async function publishHttp(apiUrl: string, { options, password, records, tally, tick }: Publishing): Promise<void> {
  const api = new ApiClient(apiUrl, {
    patienceMs: options.patience * 1000,
    onRetry: (reason, delayMs) => console.error(`the platform is unavailable (${reason}); retrying in ${delayMs / 1000} s`),
    devices: new DeviceTokenFile(),
  });
  await api.login(options.tenant, password);
  const limit = rateLimiter(options.rate);
  let batch: OutgoingRecord[] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const sending = batch;
    batch = [];
    tally.published += sending.length;
    try {
      const reply = await api.sendMessages(sending.map((record) => ({ id: record.id, publishedAt: new Date().toISOString(), body: record.body })));
      tally.confirmed += reply.accepted;
      for (let n = reply.accepted; n < sending.length; n += 1) noteFailure(tally, 'not accepted by the API');
    } catch (error) {
      for (let n = 0; n < sending.length; n += 1) noteFailure(tally, (error as Error).message);
    }
    for (let n = 0; n < sending.length; n += 1) tick();
  };
  for await (const record of records) {
    await limit();
    batch.push(record);
    if (batch.length >= HTTP_BATCH || options.rate) await flush();
  }
  await flush();
}

async function main(options: Options): Promise<number> {
  if (Boolean(options.amqp) === Boolean(options.api)) throw new InvalidArgumentError('give exactly one of --amqp <url> or --api <url>');
  const variable = options.passwordEnv ?? (options.amqp ? 'MYSIMBDP_AMQP_PASSWORD' : 'MYSIMBDP_PASSWORD');
  const password = await readSecret(variable, options.amqp ? `AMQP secret of tenant ${options.tenant}: ` : `Password for tenant ${options.tenant}: `);
  const format = options.format ?? (options.file?.endsWith('.csv') ? 'csv' : 'ndjson');
  const input: Readable = options.file ? createReadStream(options.file) : process.stdin;
  const tally: Tally = { published: 0, confirmed: 0, notConfirmed: 0, skipped: 0, reasons: new Map() };
  const say = (line: string): void => {
    if (!options.json) console.error(line);
  };
  const bar =
    process.stderr.isTTY && !options.json
      ? new cliProgress.SingleBar({ format: 'publishing | {value} confirmed or refused | {rate} msg/s', hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
  const started = performance.now();
  bar?.start(0, 0, { rate: 0 });
  let done = 0;
  const tick = (): void => {
    done += 1;
    if (done % 50 === 0) bar?.update(done, { rate: Math.round(done / ((performance.now() - started) / 1000)) });
  };
  const records = readRecords(input, format, options.idField, tally, say);
  const publishing: Publishing = { options, password, records, tally, tick };
  if (options.amqp) await publishAmqp(options.amqp, publishing);
  else await publishHttp(options.api as string, publishing);
  bar?.stop();
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    tenant: options.tenant,
    via: options.amqp ? 'amqp' : 'http',
    published: tally.published,
    confirmed: tally.confirmed,
    notConfirmed: tally.notConfirmed,
    skipped: tally.skipped,
    seconds: Number(seconds.toFixed(3)),
    messagesPerSecond: Math.round(tally.confirmed / Math.max(seconds, 0.001)),
    reasons: Object.fromEntries(tally.reasons),
  };
  if (options.json) console.log(JSON.stringify(summary, null, 2));
  else {
    console.log(
      `${summary.confirmed} of ${summary.published} messages confirmed (${summary.notConfirmed} not confirmed, ${summary.skipped} lines skipped) in ${seconds.toFixed(1)} s, ${summary.messagesPerSecond} msg/s`,
    );
    for (const [reason, count] of tally.reasons) console.log(`  not confirmed${count ? ` (${count})` : ''}: ${reason}`);
  }
  if ([...tally.reasons.keys()].some((reason) => /ACCESS_REFUSED|403/.test(reason))) return EXIT.access;
  return tally.notConfirmed === 0 && tally.confirmed === tally.published ? EXIT.ok : EXIT.partial;
}

const program = new Command('ingestmessage')
  .description("Publishes records (NDJSON or CSV lines) to the platform's stream ingestion, each with a message id and publish time.")
  .requiredOption('--tenant <id>', 'your tenant id')
  .option(
    '--amqp <url>',
    "RabbitMQ URL with the stage's virtual host, e.g. amqp://127.0.0.1:5672/mysimbdp-local (publisher confirms); the user is the tenant's of that stage, mysimbdp-<stage>-<tenant>, unless the URL names one",
  )
  .option('--api <url>', 'or the platform API, e.g. http://127.0.0.1:3000 (POST /tenants/{t}/messages)')
  .option('--file <path>', 'records to send (default: standard input)')
  .addOption(new Option('--format <format>', 'record format (default: from the file extension, else ndjson)').choices(['ndjson', 'csv']))
  .option('--rate <n>', 'messages per second at most', positive)
  .option('--id-field <name>', 'take each message id from this record field (default: a random UUID)')
  .option('--password-env <variable>', 'environment variable with the secret (default MYSIMBDP_AMQP_PASSWORD for AMQP, MYSIMBDP_PASSWORD for the API)')
  .option('--patience <seconds>', 'how long to wait out an unavailable platform or broker before giving up', positive, 600)
  .option('--json', 'print a JSON summary')
  .showHelpAfterError()
  .action(async (options: Options) => {
    process.exitCode = await main(options);
  });

program.parseAsync().catch((error: unknown) => failWith('ingestmessage', error));
