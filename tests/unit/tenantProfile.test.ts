import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../layers/platform/src/errors';
import { parseTenantFiles } from '../../layers/platform/src/tenants/parseTenantFiles';
import { TenantDirectory } from '../../layers/platform/src/tenants/TenantDirectory';

const credentials = await readFile('tenants/zoo/credentials.json', 'utf8');
const profile = JSON.parse(await readFile('tenants/zoo/profile.json', 'utf8')) as Record<string, unknown>;

function parse(changed: Record<string, unknown>): unknown {
  return parseTenantFiles('zoo', JSON.stringify(changed), credentials, 'tenants/zoo');
}

describe('tenant profiles', () => {
  it('loads the demo tenants by name, sizes in bytes', async () => {
    // By name: an operator may have added tenants to the folder, and they are no business of this test.
    const directory = new TenantDirectory('tenants');
    const [zoo, shop] = await Promise.all([directory.get('zoo'), directory.get('shop')]);
    expect(shop?.id).toBe('shop');
    expect(zoo?.profile.batch.maxFileSize).toEqual({ text: '2 MiB', bytes: 2 * 1024 * 1024 });
    expect(zoo?.profile.stream.maxMessageSize.bytes).toBe(16 * 1024);
  });

  it('lists the folders that hold a profile, by id, and nothing else', async () => {
    const root = await mkdtemp(join(tmpdir(), 'mysimbdp-tenants-'));
    try {
      for (const id of ['zoo', 'shop']) await cp(join('tenants', id), join(root, id), { recursive: true });
      await mkdir(join(root, 'noprofile'));
      await mkdir(join(root, 'Not-A-Tenant-Id'));
      await cp(join('tenants', 'zoo', 'profile.json'), join(root, 'Not-A-Tenant-Id', 'profile.json'));
      expect((await new TenantDirectory(root).list()).map((tenant) => tenant.id)).toEqual(['shop', 'zoo']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('names the file and the field of a bad value', () => {
    const bad = { ...profile, batch: { ...(profile.batch as object), maxFileSize: '10 megabytes' } };
    expect(() => parse(bad)).toThrow(ConfigurationError);
    expect(() => parse(bad)).toThrow(/tenants\/zoo\/profile\.json: batch\.maxFileSize: a size is a number and a unit/);
  });

  it('refuses unknown fields and formats', () => {
    expect(() => parse({ ...profile, maxFiles: 3 })).toThrow(/profile\.json: \(root\): Unrecognized key: "maxFiles"/);
    const formats = { ...profile, batch: { ...(profile.batch as object), allowedFormats: ['csv', 'xlsx'] } };
    expect(() => parse(formats)).toThrow(/batch\.allowedFormats\.1/);
  });

  it('refuses a profile whose tenant is not its folder', () => {
    expect(() => parse({ ...profile, tenant: 'shop' })).toThrow(/does not match its folder "zoo"/);
  });

  it('refuses stream settings SQS would refuse', () => {
    const stream = { ...profile, stream: { batchSize: 500, batchWindowSeconds: 0 } };
    expect(() => parse(stream)).toThrow(/stream\.batchWindowSeconds: a batch size over 10 needs a batch window/);
    expect(() => parse({ ...profile, stream: { maxMessageSize: '1 MiB' } })).toThrow(/stream\.maxMessageSize: at most 256 KiB/);
  });

  it('refuses credentials that are not hashes', () => {
    expect(() => parseTenantFiles('zoo', JSON.stringify(profile), JSON.stringify({ passwordHash: 'zoo-demo-password', amqp: {} }), 'tenants/zoo')).toThrow(
      /credentials\.json: passwordHash: must be a scrypt hash/,
    );
  });
});
