import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { expect } from '@jest/globals';
import { ApiClient } from '../../clients/ApiClient';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { api, config, login, runCli, waitFor } from '../helpers/testPlatform';

async function postToS3(
  grant: { upload: { url: string; fields: Record<string, string> } },
  body: Buffer,
  overrides: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...grant.upload.fields, ...overrides })) form.append(name, value);
  form.append('file', new Blob([body]), 'upload.csv');
  const response = await fetch(grant.upload.url, { method: 'POST', body: form });
  return { status: response.status, text: await response.text() };
}

describe('logging in', () => {
  it('gives a tenant a short-lived bearer token', async () => {
    const reply = await api('POST', '/auth/login', { tenant: 'zoo', password: 'zoo-demo-password' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ tokenType: 'Bearer', tenant: 'zoo' });
    const expiresIn = new Date(reply.body.expiresAt as string).getTime() - Date.now();
    expect(expiresIn).toBeGreaterThan(0);
    expect(expiresIn).toBeLessThanOrEqual(config.auth.tokenTtlSeconds * 1000);
  });

  it('refuses a wrong password and an unknown tenant alike', async () => {
    const wrong = await api('POST', '/auth/login', { tenant: 'shop', password: 'not-the-password' });
    const unknown = await api('POST', '/auth/login', { tenant: 'nobody', password: 'not-the-password' });
    for (const reply of [wrong, unknown]) {
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ error: 'UNAUTHENTICATED', message: 'wrong tenant id or password' });
    }
  });

  it('refuses a request that is not a login', async () => {
    expect((await api('POST', '/auth/login', { tenant: 'zoo' })).status).toBe(400);
    const garbage = await api('POST', '/auth/login', '{"tenant": ');
    expect(garbage.status).toBe(400);
    expect(garbage.body.message).toBe('the request body is not valid JSON');
  });
});

describe('tokens', () => {
  it('refuses a missing, expired or tampered token', async () => {
    const missing = await api('GET', '/tenants/zoo/profile');
    expect(missing.status).toBe(401);
    expect(missing.body.message).toMatch(/missing bearer token/);

    const expired = await new TokenService(config.auth.tokenSecret, 60).issue('zoo', new Date(Date.now() - 3600_000));
    const late = await api('GET', '/tenants/zoo/profile', undefined, expired.token);
    expect(late.status).toBe(401);
    expect(late.body.message).toMatch(/expired/);

    const token = await login('zoo');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'shop' })).toString('base64url')}.${signature}`;
    const tampered = await api('GET', '/tenants/shop/profile', undefined, forged);
    expect(tampered.status).toBe(401);
    expect(tampered.body.message).toMatch(/invalid/);
  });

  it("gives a tenant's token no access to another tenant's routes", async () => {
    const token = await login('zoo');
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/tenants/shop/profile'],
      ['POST', '/tenants/shop/uploads', { fileName: 'a.json', size: 10 }],
      ['GET', '/tenants/shop/ingestions'],
      ['GET', '/tenants/shop/ingestions/20261127T203000Z-abcdef-0123456789'],
      ['POST', '/tenants/shop/messages', { body: { order_id: 'x' } }],
      ['GET', '/tenants/shop/stream-report'],
    ];
    for (const [method, path, body] of routes) {
      const reply = await api(method, path, body, token);
      expect({ path, status: reply.status }).toEqual({ path, status: 403 });
      expect(reply.body.message).toBe('a token of tenant zoo gives no access to tenant shop');
    }
  });
});

describe('the profile', () => {
  it('gives the constraints with explicit units', async () => {
    const reply = await api('GET', '/tenants/zoo/profile', undefined, await login('zoo'));
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      tenant: 'zoo',
      keyspace: 'test_tenant_zoo',
      batch: { maxFileSize: '2 MiB', maxFileSizeBytes: 2097152, maxFilesPerBatch: 4, allowedFormats: ['csv', 'ndjson', 'parquet'], maxBadRows: 5 },
      stream: { batchSize: 10, batchWindowSeconds: 0, maxMessageSizeBytes: 16384 },
    });
  });
});

describe('upload grants', () => {
  let token: string;
  beforeAll(async () => {
    token = await login('zoo');
  });
  const grant = (body: unknown) => api('POST', '/tenants/zoo/uploads', body, token);

  it('grants a presigned POST scoped to the file, capped at the declared size, carrying its grant id', async () => {
    const reply = await grant({ fileName: 'readings.csv', size: 1000 });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ maxBytes: 1000, dryRun: false, ingestionId: expect.stringMatching(/^\d{8}T\d{6}Z-[a-z0-9]{6}-[0-9a-f]{10}$/) });
    const batchId = reply.body.batchId as string;
    expect(batchId).toMatch(/^\d{8}T\d{6}Z-[a-z0-9]{6}$/);
    expect(reply.body.key).toBe(`tenants/zoo/incoming/${batchId}/readings.csv`);
    const fields = (reply.body.upload as { fields: Record<string, string> }).fields;
    const policy = JSON.parse(Buffer.from(fields.Policy as string, 'base64').toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(['content-length-range', 0, 1000]);
    expect(policy.conditions).toContainEqual(['eq', '$key', `tenants/zoo/incoming/${batchId}/readings.csv`]);
    expect(policy.conditions).toContainEqual(['eq', '$x-amz-meta-grant-id', reply.body.grantId]);
  });

  it('refuses a declared size over the limit, naming the constraint', async () => {
    const reply = await grant({ fileName: 'big.csv', size: 3 * 1024 * 1024 });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      error: 'CONSTRAINT_VIOLATION',
      constraint: 'maxFileSize',
      message: 'big.csv is 3 MiB; tenant zoo accepts files up to 2 MiB',
    });
  });

  it('refuses a forbidden format', async () => {
    const reply = await grant({ fileName: 'sheet.xlsx', size: 100 });
    expect(reply.status).toBe(422);
    expect(reply.body).toMatchObject({
      constraint: 'allowedFormats',
      message: 'sheet.xlsx: format "xlsx" is not allowed for tenant zoo; allowed: csv, ndjson, parquet',
    });
    expect((await grant({ fileName: 'orders.json', size: 100 })).body).toMatchObject({ constraint: 'allowedFormats' });
  });

  it('refuses the file after the last one a batch may hold', async () => {
    const first = await grant({ fileName: 'f1.csv', size: 10 });
    const batchId = first.body.batchId as string;
    for (const name of ['f2.csv', 'f3.csv', 'f4.csv']) expect((await grant({ fileName: name, size: 10, batchId })).status).toBe(201);
    expect((await grant({ fileName: 'f2.csv', size: 12, batchId })).status).toBe(201);
    const fifth = await grant({ fileName: 'f5.csv', size: 10, batchId });
    expect(fifth.status).toBe(422);
    expect(fifth.body).toMatchObject({ constraint: 'maxFilesPerBatch', limit: 4 });
    expect(fifth.body.message).toBe(`f5.csv: batch ${batchId} already holds 4 files, the most tenant zoo may send in one batch`);
    expect((await grant({ fileName: 'f5.csv', size: 10, batchId: '20200101T000000Z-aaaaaa' })).status).toBe(404);
  });

  it.each(['../../../etc/passwd.csv', '..%2F..%2Fx.csv', 'sub/dir.csv', 'nul\u0000.csv', 'tab\tname.csv', `${'a'.repeat(200)}.csv`])(
    'refuses the file name %j',
    async (fileName) => {
      const reply = await grant({ fileName, size: 10 });
      expect(reply.status).toBe(400);
      expect(reply.body.error).toBe('INVALID_INPUT');
    },
  );

  it('refuses a size that is not a byte count', async () => {
    for (const size of [-1, 1.5, '100', undefined]) expect((await grant({ fileName: 'a.csv', size })).status).toBe(400);
  });

  it('S3 itself refuses a body over the limit, even with a valid presigned POST', async () => {
    const reply = await grant({ fileName: 'liar.csv', size: 100 });
    const upload = await postToS3(reply.body as never, Buffer.alloc(2 * 1024 * 1024 + 1, 'x'));
    expect(upload.status).toBe(400);
    expect(upload.text).toMatch(/EntityTooLarge/);
    const s3 = createS3Client(config);
    await expect(s3.send(new HeadObjectCommand({ Bucket: config.ingestBucket, Key: reply.body.key as string }))).rejects.toThrow();
  });

  it('S3 refuses the grant for any other key', async () => {
    const reply = await grant({ fileName: 'mine.csv', size: 100 });
    const upload = await postToS3(reply.body as never, Buffer.from('a,b\n1,2\n'), { key: 'tenants/shop/incoming/20261127T203000Z-abcdef/theirs.csv' });
    expect(upload.status).toBe(403);
  });
});

describe('repeated bad logins and disabled tenants', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await tenantsFolder();
    await addTenant(folder, 'locky', 'locky-password-123', ['--formats', 'csv']);
    await addTenant(folder, 'sleepy', 'sleepy-password-123', ['--formats', 'csv']);
    // Functions see a new tenant once their registry cache expires.
    await waitFor('the new tenants to be served', async () =>
      (await api('POST', '/auth/login', { tenant: 'locky', password: 'locky-password-123' })).status === 200 ? true : undefined,
    );
  });

  it('locks a tenant out after repeated failures, and says when to retry', async () => {
    for (let attempt = 0; attempt < config.auth.maxFailedLogins; attempt += 1) {
      expect((await api('POST', '/auth/login', { tenant: 'locky', password: 'guess' })).status).toBe(401);
    }
    const locked = await api('POST', '/auth/login', { tenant: 'locky', password: 'locky-password-123' });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many failed logins for tenant locky; try again in \d+ s/);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('refuses a disabled tenant, also with a token it got before', async () => {
    const token = await login('sleepy', 'sleepy-password-123');
    const run = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'disable', 'sleepy']);
    expect(run.status).toBe(0);
    // Functions see the change once their registry cache (config.tenantCacheSeconds) expires.
    const refused = await waitFor('the old token to be refused', async () => {
      const reply = await api('GET', '/tenants/sleepy/profile', undefined, token);
      return reply.status === 200 ? undefined : reply;
    });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('tenant sleepy is disabled; ask the platform operator to enable it');
    // The login function has a registry cache of its own.
    const again = await waitFor('logins to be refused', async () => {
      const reply = await api('POST', '/auth/login', { tenant: 'sleepy', password: 'sleepy-password-123' });
      return reply.status === 200 ? undefined : reply;
    });
    expect(again.status).toBe(403);
  });
});

describe('the API client over a long run', () => {
  it('logs in again by itself when its token has run out, and goes on', async () => {
    const client = new ApiClient(process.env.MYSIMBDP_API_URL as string);
    await client.login('zoo', DEMO.zoo.password);
    // As if the run had outlived its token: the token the client holds expired an hour ago.
    const expired = await new TokenService(config.auth.tokenSecret, 60).issue('zoo', new Date(Date.now() - 3600_000));
    (client as unknown as { token: string }).token = expired.token;
    expect((await client.profile()).tenant).toBe('zoo');
  });
});
