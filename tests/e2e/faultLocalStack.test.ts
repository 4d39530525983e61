import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client, createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { restoreLocalStages, supervisedService } from '../../localstack/localSupervision';
import { LocalStackService } from '../../localstack/services/LocalStackService';
import { Supervisor } from '../../localstack/Supervisor';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { recordFaultFigures } from '../helpers/faultFigures';
import { config, connectCassandra, runCli, topology, waitFor } from '../helpers/testPlatform';

/**
 * LocalStack (shared by everyone on this machine, and keeping S3 and SQS in
 * memory) killed with SIGKILL under the supervision `npm start` runs: it is
 * restarted, every local stage gets its bucket, notification and queues back
 * (a tenant added at runtime included), and the platform carries on. Run only
 * through the test lock (`npm test`); it always starts LocalStack again.
 */
describe('LocalStack killed under supervision', () => {
  const localstack = new LocalStackService();
  const notes: string[] = [];
  const supervisor = new Supervisor([supervisedService(localstack, () => restoreLocalStages((line) => notes.push(line)))], (line) => notes.push(line), {
    intervalMs: 1000,
  });
  const bridge = new BridgeProcess('test', 'bridge-test-localstack-fault', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });
  let client: cassandra.Client;
  let folder: string;

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await tenantsFolder();
    await bridge.start();
  });

  afterAll(async () => {
    supervisor.stop();
    if (!(await localstack.serving().catch(() => false))) {
      await localstack.start();
      await restoreLocalStages(() => undefined);
    }
    await bridge.stop();
    await client.shutdown();
  });

  it('is restarted and given back what it lost; uploads and streams work again', async () => {
    const secret = await addTenant(folder, 'kept', 'kept-password-123', ['--formats', 'ndjson']);
    supervisor.watch();
    const killedAt = Date.now();
    await localstack.kill();
    await waitFor('the supervisor to restart LocalStack', () => (supervisor.restarts.get('localstack') ? true : undefined), 300_000, 500);
    const servingAt = Date.now();
    expect(notes.find((line) => line === 'localstack died; restarting it')).toBeDefined();
    expect(notes.find((line) => /^localstack is back after \d+\.\d s$/.test(line))).toBeDefined();

    const sqs = createSqsClient(config);
    for (const name of [
      topology.batchIngestQueue.name,
      topology.streamQueue('zoo').name,
      topology.streamQueue('kept').name,
      topology.streamQueue('kept').deadLetterName,
    ]) {
      await expect(sqs.send(new GetQueueUrlCommand({ QueueName: name }))).resolves.toBeDefined();
    }
    await createS3Client(config).send(new HeadBucketCommand({ Bucket: config.ingestBucket }));

    // The platform carries on: a file goes through the restored bucket, notification and queue...
    const dir = await mkdtemp(join(tmpdir(), 'fault-localstack-'));
    await copyFile('clients/demo-input/zoo/turtles-2018-10-02.ndjson', join(dir, 'turtles-2018-10-02.ndjson'));
    const expectedRows = (await readFile(join(dir, 'turtles-2018-10-02.ndjson'), 'utf8')).trim().split('\n').length;
    const fetched = await runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', 'zoo', '--dir', dir, '--json'], {
      MYSIMBDP_PASSWORD: DEMO.zoo.password,
    });
    expect(fetched.status).toBe(0);
    expect((JSON.parse(fetched.stdout) as { files: unknown }).files).toEqual([expect.objectContaining({ status: 'ingested', rows: expectedRows })]);
    // ... and a message of the tenant added at runtime goes through its restored stream queue.
    const published = await runCli(
      'clients/ingestmessage.ts',
      ['--tenant', 'kept', '--amqp', `${config.amqp.url}/${config.amqp.vhost}`, '--json'],
      { MYSIMBDP_AMQP_PASSWORD: secret },
      '{"after":"restart"}\n',
    );
    expect(JSON.parse(published.stdout)).toMatchObject({ confirmed: 1 });
    await waitFor(
      'the message of the tenant added at runtime',
      async () => (await client.execute('SELECT body FROM test_tenant_kept.stream_messages')).first() ?? undefined,
      60_000,
      500,
    );
    const recoveredAt = Date.now();

    await recordFaultFigures({
      fault: 'LocalStack (S3, SQS) killed with SIGKILL under npm start supervision',
      downtimeSeconds: Math.round((servingAt - killedAt) / 1000),
      messages: 1,
      inFlightAtFault: 0,
      lost: 0,
      duplicated: 0,
      recoverSeconds: Math.round((recoveredAt - servingAt) / 1000),
      notes:
        "restarted and restored by the supervisor (bucket, notification, every stage's queues, a tenant added at runtime included); messages held in SQS at the kill are lost with LocalStack's memory",
    });
  }, 600_000);
});
