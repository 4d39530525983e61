import { HeadObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from '@jest/globals';
import type cassandra from 'cassandra-driver';
import { gzipSync } from 'node:zlib';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { newBatchId } from '../../layers/platform/src/uploads/batchId';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { api, config, connectCassandra, waitFor } from '../helpers/testPlatform';
import { uploadFile, waitForIngestion, type Granted, type IngestionJson } from '../helpers/uploads';

/**
 * The hostile-input catalogue, names, sizes, grants and file contents: what a
 * new user or an attacker tries with uploads, each with the exact refusal, or
 * the exact rows, the platform answers with.
 */
const TENANT = 'hostile';
const PASSWORD = 'hostile-password-123';
const KEYSPACE = `test_tenant_${TENANT}`;
const FINAL = ['ingested', 'rejected', 'failed', 'validated'];

async function postForm(grant: Pick<Granted, 'upload'>, body: Buffer, overrides: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...grant.upload.fields, ...overrides })) form.append(name, value);
  form.append('file', new Blob([body]), 'upload');
  const response = await fetch(grant.upload.url, { method: 'POST', body: form });
  return { status: response.status, text: await response.text() };
}

describe('hostile uploads: names, sizes, grants and file contents', () => {
  let client: cassandra.Client;
  let token: string;
  const s3 = createS3Client(config);

  const ingest = async (fileName: string, content: string | Buffer, extra: Record<string, unknown> = {}): Promise<IngestionJson> => {
    const grant = await uploadFile(TENANT, token, fileName, content, extra);
    return waitForIngestion(TENANT, token, grant.ingestionId, FINAL);
  };
  const grantOf = (fileName: string, size: unknown, extra: Record<string, unknown> = {}) =>
    api('POST', `/tenants/${TENANT}/uploads`, { fileName, size, ...extra }, token);
  const exists = (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: config.ingestBucket, Key: key })).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    client = await connectCassandra();
    const folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, [
      '--formats',
      'csv,json,ndjson',
      '--max-bad-rows',
      '2',
      '--max-file-size',
      '2 MiB',
      '--max-files-per-batch',
      '3',
    ]);
    await addTenant(folder, 'quota', 'quota-password-123', ['--formats', 'csv', '--daily-max-bytes', '3 kB']);
    token = await tokenOnceServed(TENANT, PASSWORD);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  describe('file names', () => {
    const refused: Array<[string, number, string]> = [
      ['../../etc/passwd', 400, 'file name "../../etc/passwd" must be a plain name: no "/", "\\" or ".."'],
      ['a/b.csv', 400, 'file name "a/b.csv" must be a plain name: no "/", "\\" or ".."'],
      ['bad\u0000name.csv', 400, 'file name "bad\\u0000name.csv" contains control characters'],
      ['.hidden.csv', 400, 'file name ".hidden.csv" may only use letters, digits, ".", "-", "_" and spaces, and must start with a letter or digit'],
      [
        '<img src=x onerror=alert(1)>.csv',
        400,
        'file name "<img src=x onerror=alert(1)>.csv" may only use letters, digits, ".", "-", "_" and spaces, and must start with a letter or digit',
      ],
      ['report.exe', 422, 'report.exe: format "exe" is not allowed for tenant hostile; allowed: csv, json, ndjson'],
      ['noextension', 422, 'noextension: format "none" is not allowed for tenant hostile; allowed: csv, json, ndjson'],
    ];
    for (const [name, status, message] of refused) {
      it(`refuses ${JSON.stringify(name)} with ${status}`, async () => {
        const reply = await grantOf(name, 10);
        expect({ status: reply.status, message: reply.body.message }).toEqual({ status, message });
      });
    }

    it('refuses a name of 129 characters', async () => {
      const reply = await grantOf(`${'n'.repeat(125)}.csv`, 10);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toBe(`file name "${'n'.repeat(40)}"... is 129 characters; the limit is 128`);
    });
  });

  describe('sizes', () => {
    for (const [size, label] of [
      [-1, 'a negative size'],
      ['10', 'a size as text'],
      [1.5, 'a fractional size'],
      [undefined, 'no size'],
    ] as const) {
      it(`refuses ${label} with 400`, async () => {
        const reply = await grantOf('sized.csv', size);
        expect({ status: reply.status, message: reply.body.message }).toEqual({
          status: 400,
          message: 'size must be the file size in bytes (a non-negative integer)',
        });
      });
    }

    it('refuses a declared size over the profile limit, naming the constraint', async () => {
      const reply = await grantOf('big.csv', 3 * 1024 * 1024);
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ constraint: 'maxFileSize', message: 'big.csv is 3 MiB; tenant hostile accepts files up to 2 MiB' });
    });

    it('has S3 refuse a body larger than the size the grant was asked for (declared 1 byte, sent 23 KB)', async () => {
      const reply = await grantOf('liar.csv', 1);
      expect(reply.status).toBe(201);
      expect(reply.body.maxBytes).toBe(1);
      const sent = await postForm(reply.body as unknown as Granted, Buffer.alloc(23_000, 'a'));
      expect(sent.status).toBe(400);
      expect(sent.text).toMatch(/<Code>EntityTooLarge<\/Code>/);
      expect(await exists(reply.body.key as string)).toBe(false);
    });
  });

  describe('upload grants', () => {
    it('admits exactly one upload: a replay with other content is refused and noted, never ingested', async () => {
      const first = 'id,value\n1,one\n2,two\n';
      const grant = await uploadFile(TENANT, token, 'replayed.csv', first);
      await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested']);
      // Other bytes, within the size the grant was for.
      const replay = await postForm(grant, Buffer.from('id,value\n3,xyz\n'));
      expect(replay.status).toBe(204);
      const record = await waitFor(
        'the replay to be refused',
        async () => {
          const reply = await api('GET', `/tenants/${TENANT}/ingestions/${grant.ingestionId}`, undefined, token);
          return (reply.body.refusedUploads as unknown[]).length ? reply.body : undefined;
        },
        60_000,
        250,
      );
      expect(record).toMatchObject({ status: 'ingested', rows: 2 });
      const [refusal] = record.refusedUploads as Array<{ reason: string }>;
      expect(refusal?.reason).toMatch(/^another upload of 15 B under grant \S+ was refused at \S+: an upload grant admits one upload/);
      const values = (await client.execute(`SELECT id, value FROM ${KEYSPACE}.replayed`)).rows
        .map((row): unknown[] => [row.get('id'), row.get('value')])
        .sort();
      expect(values).toEqual([
        [1n, 'one'],
        [2n, 'two'],
      ]);
      const refusedKey = /The refused object is (\S+)$/.exec(refusal?.reason ?? '')?.[1] as string;
      expect(await exists(refusedKey)).toBe(true);
      expect(await exists(grant.key)).toBe(false);
    });

    it('drops the same bytes sent twice under one grant as a duplicate', async () => {
      const content = 'id,value\n1,same\n';
      const grant = await uploadFile(TENANT, token, 'twice.csv', content);
      await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested']);
      expect((await postForm(grant, Buffer.from(content))).status).toBe(204);
      await waitFor(
        'the duplicate version to be dropped',
        async () => {
          const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: config.ingestBucket, Prefix: grant.key }));
          return (versions.Versions ?? []).length === 0 ? true : undefined;
        },
        60_000,
        250,
      );
      const reply = await api('GET', `/tenants/${TENANT}/ingestions/${grant.ingestionId}`, undefined, token);
      expect(reply.body).toMatchObject({ status: 'ingested', rows: 1, refusedUploads: [], attempts: 1 });
    });

    it('ingests a corrected file of the same size, re-granted under the same name, with its new content', async () => {
      const grant = await uploadFile(TENANT, token, 'corrected.csv', 'id,value\n1,aaaa\n');
      await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested']);
      const again = await uploadFile(TENANT, token, 'corrected.csv', 'id,value\n1,bbbb\n', { batchId: grant.batchId });
      expect(again.ingestionId).not.toBe(grant.ingestionId);
      await waitForIngestion(TENANT, token, again.ingestionId, ['ingested']);
      const value = (await client.execute(`SELECT value FROM ${KEYSPACE}.corrected`)).rows.map((row): unknown => row.get('value'));
      expect(value).toEqual(['bbbb']);
    });

    it('refuses a grant for another file name, another key or a forged grant id (S3 checks the policy)', async () => {
      const reply = await grantOf('mine.csv', 10);
      const granted = reply.body as unknown as Granted;
      const otherKey = await postForm(granted, Buffer.from('a\n1\n'), { key: granted.key.replace('mine.csv', 'theirs.csv') });
      expect(otherKey.status).toBe(403);
      expect(otherKey.text).toMatch(/Policy Condition failed: \["eq", "\$key"/);
      const otherTenant = await postForm(granted, Buffer.from('a\n1\n'), { key: granted.key.replace(`tenants/${TENANT}/`, 'tenants/zoo/') });
      expect(otherTenant.status).toBe(403);
      const forged = await postForm(granted, Buffer.from('a\n1\n'), { 'x-amz-meta-grant-id': 'forged' });
      expect(forged.status).toBe(403);
      expect(forged.text).toMatch(/Policy Condition failed: \["eq", "\$x-amz-meta-grant-id"/);
    });

    it('refuses an object put into incoming/ without an upload grant', async () => {
      const batchId = newBatchId();
      const key = `tenants/${TENANT}/incoming/${batchId}/nogrant.csv`;
      await s3.send(new PutObjectCommand({ Bucket: config.ingestBucket, Key: key, Body: 'id\n1\n' }));
      const record = await waitFor(
        'the refusal',
        async () => {
          const reply = await api('GET', `/tenants/${TENANT}/ingestions?batch=${batchId}`, undefined, token);
          const [one] = reply.body.ingestions as IngestionJson[];
          return one && FINAL.includes(one.status) ? one : undefined;
        },
        60_000,
        250,
      );
      expect(record).toMatchObject({
        status: 'rejected',
        reason: 'the object was not uploaded through an upload grant: ask for one with POST /tenants/hostile/uploads',
      });
      expect(await exists(`tenants/${TENANT}/rejected/${batchId}/nogrant.csv`)).toBe(true);
    });

    it('counts files per batch by name, so a batch cannot hold more files than the profile allows', async () => {
      const first = await grantOf('one.csv', 10);
      const batchId = first.body.batchId as string;
      for (const name of ['two.csv', 'three.csv']) expect((await grantOf(name, 10, { batchId })).status).toBe(201);
      // A new grant for a name already in the batch is a correction, not a new file.
      expect((await grantOf('one.csv', 10, { batchId })).status).toBe(201);
      const fourth = await grantOf('four.csv', 10, { batchId });
      expect(fourth.status).toBe(422);
      expect(fourth.body).toMatchObject({
        constraint: 'maxFilesPerBatch',
        message: `four.csv: batch ${batchId} already holds 3 files, the most tenant hostile may send in one batch`,
      });
    });

    it('charges the daily quota with what landed, and refuses an upload that lands over it', async () => {
      const quotaToken = (await api('POST', '/auth/login', { tenant: 'quota', password: 'quota-password-123' })).body.token as string;
      const first = Buffer.from(`id\n${'1\n'.repeat(700)}`);
      const second = Buffer.from(`id\n${'2\n'.repeat(900)}`);
      // Both grants fit the 3 kB quota when asked for (nothing has landed yet); what lands decides.
      const grants = await Promise.all(
        [
          ['first.csv', first],
          ['second.csv', second],
        ].map(
          async ([fileName, body]) =>
            (await api('POST', '/tenants/quota/uploads', { fileName, size: (body as Buffer).length }, quotaToken)).body as unknown as Granted & {
              ingestionId: string;
            },
        ),
      );
      expect((await postForm(grants[0] as Granted, first)).status).toBe(204);
      await waitForIngestion('quota', quotaToken, (grants[0] as Granted).ingestionId, ['ingested']);
      const usage = (await client.execute('SELECT files, bytes FROM test_mysimbdp.daily_usage WHERE tenant = ?', ['quota'])).first();
      expect([usage?.get('files'), usage?.get('bytes')]).toEqual([1, 1403n]);
      expect((await postForm(grants[1] as Granted, second)).status).toBe(204);
      const refused = await waitForIngestion('quota', quotaToken, (grants[1] as Granted).ingestionId, FINAL);
      expect(refused).toMatchObject({
        status: 'rejected',
        reason: "today's quota (UTC) is used up: tenant quota has used 1.4 KiB of 2.9 KiB, and this file is 1.8 KiB (dailyQuota.maxBytes)",
      });
    });
  });

  describe('file contents', () => {
    it('rejects a gzip archive renamed .csv at once, saying what it looks like', async () => {
      const record = await ingest('archive.csv', gzipSync(Buffer.from('a,b\n1,2\n')));
      expect(record).toMatchObject({
        status: 'rejected',
        rows: 0,
        attempts: 1,
        reason:
          "the file is not text: it looks like a gzip archive; upload the data itself as UTF-8 text (CSV, JSON or NDJSON); a gzip-compressed text file is taken when it is named .csv.gz, .ndjson.gz or .json.gz and its tenant's profile allows that format",
      });
    });

    it('rejects NUL bytes, bytes that are not UTF-8, and UTF-16, with where', async () => {
      const [nul, latin1, utf16] = await Promise.all([
        ingest('nul.csv', Buffer.from('a,b\n1,\u0000\n')),
        ingest('latin1.csv', Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xe9, 0x0a])),
        ingest('utf16.csv', Buffer.from('\ufeffa,b\n1,2\n', 'utf16le')),
      ]);
      expect(nul).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^the file is not UTF-8 text: byte 6 is a NUL byte/) });
      expect(latin1).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^the file is not UTF-8 text: byte 6 is 0xe9, which is not UTF-8/) });
      expect(utf16).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^the file is not text: it looks like UTF-16 text/) });
    });

    it('ingests a header of reserved CQL words, and a file named after one, under legal names', async () => {
      const [header, named] = await Promise.all([ingest('keywords.csv', 'select,token,from,where\n1,2,3,4\n'), ingest('select.csv', 'a\n5\n')]);
      expect(header).toMatchObject({ status: 'ingested', rows: 1, tables: [`${KEYSPACE}.keywords`] });
      expect(named).toMatchObject({ status: 'ingested', rows: 1, tables: [`${KEYSPACE}.t_select`] });
      const row = (await client.execute(`SELECT c_select, c_token, c_from, c_where FROM ${KEYSPACE}.keywords`)).first();
      expect([row?.get('c_select'), row?.get('c_token'), row?.get('c_from'), row?.get('c_where')]).toEqual([1n, 2n, 3n, 4n]);
    });

    it('keeps both columns of a header that repeats a name', async () => {
      const record = await ingest('twins.csv', 'a,a,b\n1,2,3\n');
      expect(record).toMatchObject({ status: 'ingested', rows: 1 });
      const row = (await client.execute(`SELECT a, a_2, b FROM ${KEYSPACE}.twins`)).first();
      expect([row?.get('a'), row?.get('a_2'), row?.get('b')]).toEqual([1n, 2n, 3n]);
    });

    it('rejects a .json file that is not one array', async () => {
      expect(await ingest('object.json', '{"a": 1}')).toMatchObject({
        status: 'rejected',
        reason: expect.stringMatching(/a \.json file must hold one array of objects\)$/),
      });
    });

    it('counts what cannot be read as bad rows with their line numbers, and keeps them in a bad-rows file', async () => {
      const record = await ingest('some-bad.ndjson', '{"n": 1}\n{not json\n["an", "array"]\n{"n": 4}\n');
      expect(record).toMatchObject({ status: 'ingested', rows: 2, badRows: 2 });
      expect(record.badRowSamples).toEqual(["line 2: invalid JSON (Expected property name or '}' in JSON at position 1)", 'line 3: expected a JSON object']);
      const links = await api('GET', record.badRowsFile as string, undefined, token);
      expect(links.status).toBe(200);
      const [data, errors] = await Promise.all((links.body.files as Array<{ url: string }>).map(async (file) => (await fetch(file.url)).text()));
      expect(data).toBe('{not json\n["an", "array"]\n');
      expect(errors).toBe(
        'line 2: invalid JSON (Expected property name or \'}\' in JSON at position 1)\n    {not json\nline 3: expected a JSON object\n    ["an", "array"]\n',
      );
    });

    it('refuses a line over 1 MiB as a bad row without holding it', async () => {
      const record = await ingest('long-line.ndjson', `{"n": 1}\n{"text": "${'x'.repeat(1024 * 1024)}"}\n{"n": 3}\n`);
      expect(record).toMatchObject({ status: 'ingested', rows: 2, badRows: 1, badRowSamples: ['line 2: the line is longer than 1048576 bytes'] });
    });

    it('validates without writing a row in a dry run', async () => {
      const record = await ingest('dry.csv', 'id,value\n1,x\n2,y\n3,\n', { dryRun: true });
      expect(record).toMatchObject({ status: 'validated', rows: 3, dryRun: true, reason: 'dry run: 3 rows would be written; nothing was written' });
      const table = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [KEYSPACE, 'dry']);
      expect(table.rows).toHaveLength(0);
      expect(record.object).toMatch(/^tenants\/hostile\/validated\//);
    });
  });
});
