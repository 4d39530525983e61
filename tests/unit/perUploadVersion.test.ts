import { PerUploadVersion } from '../../layers/platform/src/ingest/parquet/PerUploadVersion';

const version = (n: number) => ({ key: 'tenants/zoo/incoming/b/a.parquet', version: `v${n}`, etag: `e${n}`, size: 100 });

describe('values remembered per upload version', () => {
  it('makes a value once per version, and again for another version', async () => {
    const memo = new PerUploadVersion<number>(2);
    let made = 0;
    const make = () => Promise.resolve((made += 1));
    expect(await memo.get(version(1), make)).toBe(1);
    expect(await memo.get(version(1), make)).toBe(1);
    expect(await memo.get(version(2), make)).toBe(2);
    expect(await memo.get({ ...version(1), etag: 'other bytes' }, make)).toBe(3);
  });

  it('keeps the latest used ones only', async () => {
    const memo = new PerUploadVersion<string>(2);
    await memo.get(version(1), () => Promise.resolve('one'));
    await memo.get(version(2), () => Promise.resolve('two'));
    await memo.get(version(1), () => Promise.resolve('one again'));
    await memo.get(version(3), () => Promise.resolve('three'));
    expect(await memo.get(version(1), () => Promise.resolve('one made again'))).toBe('one');
    expect(await memo.get(version(2), () => Promise.resolve('two made again'))).toBe('two made again');
  });

  it('does not remember a failure', async () => {
    const memo = new PerUploadVersion<string>(2);
    await expect(memo.get(version(1), () => Promise.reject(new Error('S3 is down')))).rejects.toThrow('S3 is down');
    expect(await memo.get(version(1), () => Promise.resolve('read'))).toBe('read');
  });
});
