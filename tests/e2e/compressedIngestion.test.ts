import type cassandra from 'cassandra-driver';
import { STAGING_PREFIX } from '../../layers/platform/src/topology/Topology';
import { compressed, ensureZstd, gzip } from '../helpers/compressors';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { generate, loadedRows } from '../helpers/straddlingFiles';
import { connectCassandra, waitFor } from '../helpers/testPlatform';
import { stagedVersions, uploadFile, waitForIngestion } from '../helpers/uploads';

const TENANT = 'squeezy';
const PASSWORD = 'squeezy-password-123';
const KEYSPACE = `test_tenant_${TENANT}`;
const FORMATS = ['csv.gz', 'csv.zst', 'ndjson.gz', 'ndjson.zst', 'json.gz', 'json.zst'] as const;

describe('compressed text files (.gz, .zst): read as they are decompressed, cut into staged chunks, refused when they are bombs or broken', () => {
  let client: cassandra.Client;
  let token: string;

  beforeAll(async () => {
    await ensureZstd();
    client = await connectCassandra();
    const folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, ['--formats', FORMATS.join(','), '--max-file-size', '4 MiB', '--max-uncompressed-size', '1 MiB']);
    token = await tokenOnceServed(TENANT, PASSWORD);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  async function tableExists(table: string): Promise<boolean> {
    const found = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [KEYSPACE, table]);
    return found.rowLength > 0;
  }

  /**
   * Waits until no staged text is left: the invocation that finishes a file drops it just after the record says the
   * file is done, so a test that has just read the record may look a moment too soon.
   */
  async function stagedDropped(): Promise<void> {
    await waitFor('the staged text to be dropped', async () => ((await stagedVersions(`${STAGING_PREFIX}${TENANT}/`)) === 0 ? true : undefined), 30_000, 200);
  }

  for (const format of FORMATS) {
    it(`loads a ${format} file whose records straddle every chunk boundary of its text, value for value, with both sizes`, async () => {
      const [records, suffix] = format.split('.') as ['csv' | 'ndjson' | 'json', 'gz' | 'zst'];
      const file = generate(9000, records);
      const body = compressed(suffix, file.text);
      const grant = await uploadFile(TENANT, token, `straddle-${records}-${suffix}.${format}`, body);
      const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed']);
      expect(done).toMatchObject({
        status: 'ingested',
        format,
        rows: 9000,
        badRows: 0,
        reason: null,
        bytes: body.length,
        textBytes: Buffer.byteLength(file.text),
      });
      expect(done.chunks).toEqual({ total: file.chunks, validated: file.chunks, written: file.chunks, failed: 0 });
      const rows = await loadedRows(client, KEYSPACE, `straddle_${records}_${suffix}`);
      expect(rows.size).toBe(9000);
      for (const [id, want] of file.rows) expect(rows.get(id)).toEqual(want);
      await stagedDropped();
    });
  }

  it('loads a small compressed file whole, in one invocation', async () => {
    const text = 'id,note,amount\n1,"one, with a comma",10\n2,two,20\n';
    const grant = await uploadFile(TENANT, token, 'small.csv.zst', compressed('zst', text));
    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed']);
    expect(done).toMatchObject({ status: 'ingested', rows: 2, chunks: null, textBytes: Buffer.byteLength(text) });
    expect(await loadedRows(client, KEYSPACE, 'small')).toEqual(
      new Map([
        [1n, { note: 'one, with a comma', amount: 10n }],
        [2n, { note: 'two', amount: 20n }],
      ]),
    );
  });

  it.each([
    [
      'a bomb: about 1 KB that inflates past the limit',
      'bomb.csv.gz',
      () => gzip(`id,note,amount\n${'a'.repeat(1_200_000)}`),
      /decompression bomb|maxUncompressedSize/,
    ],
    [
      'a truncated stream',
      'truncated.csv.gz',
      () => gzip(generate(9000, 'csv').text).subarray(0, -100),
      /^the gzip stream is corrupt or truncated near byte \d+ of the \.gz file \(unexpected end of file\)$/,
    ],
    [
      'a file that only claims to be gzip',
      'claims.csv.gz',
      () => Buffer.from('id,note,amount\n1,a,1\n'),
      /^the gzip stream is corrupt or truncated near byte \d+ of the \.gz file \(incorrect header check\)$/,
    ],
    [
      'a truncated zstd stream',
      'truncated.ndjson.zst',
      () => compressed('zst', generate(9000, 'ndjson').text).subarray(0, -100),
      /^the zstd stream is corrupt or truncated near byte \d+ of the \.zst file/,
    ],
  ])('refuses %s with its reason, writing no row', async (_what, name, body, reason) => {
    const bytes = body();
    if (name.startsWith('bomb')) expect(bytes.length).toBeLessThan(2048);
    const grant = await uploadFile(TENANT, token, name, bytes);
    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed']);
    expect(done).toMatchObject({ status: 'rejected', rows: 0 });
    expect(done.reason).toMatch(reason);
    expect(await tableExists(name.split('.')[0] as string)).toBe(false);
    await stagedDropped();
  });
});
