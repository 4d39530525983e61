import { readFile } from 'node:fs/promises';
import { ConfigurationError } from '../../layers/platform/src/errors';
import { parseTenantFiles } from '../../layers/platform/src/tenants/parseTenantFiles';
import { TenantDirectory } from '../../layers/platform/src/tenants/TenantDirectory';

const credentials = await readFile('tenants/zoo/credentials.json', 'utf8');
const profile = JSON.parse(await readFile('tenants/zoo/profile.json', 'utf8')) as Record<string, unknown>;

function parse(changed: Record<string, unknown>): unknown {
  return parseTenantFiles('zoo', JSON.stringify(changed), credentials, 'tenants/zoo');
}

describe('tenant profiles', () => {
  it('loads both demo tenants, sizes in bytes', async () => {
    const tenants = await new TenantDirectory('tenants').list();
    expect(tenants.map((tenant) => tenant.id)).toEqual(['shop', 'zoo']);
    const zoo = tenants.find((tenant) => tenant.id === 'zoo');
    expect(zoo?.profile.batch.maxFileSize).toEqual({ text: '2 MiB', bytes: 2 * 1024 * 1024 });
    expect(zoo?.profile.stream.maxMessageSize.bytes).toBe(16 * 1024);
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
