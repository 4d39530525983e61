import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import type cassandra from 'cassandra-driver';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { amqpUrl } from '../../layers/platform/src/amqp/amqpUrl';
import { RabbitMqAdmin } from '../../layers/platform/src/provisioning/RabbitMqAdmin';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { amqpUser, config, connectCassandra, topology, waitFor } from '../helpers/testPlatform';

/**
 * A bridge that crashes after SQS took messages but before it acknowledged
 * them to RabbitMQ: RabbitMQ delivers them again to the next bridge. Messages
 * published without a message id must get the same id both times, or the
 * redelivery writes a second row.
 *
 * To crash at exactly that moment, the first bridge talks to SQS through a
 * proxy that passes its SendMessage requests to LocalStack (which stores the
 * messages) and holds back LocalStack's answers, so the bridge never learns
 * that SQS took them and never acknowledges; then it is killed.
 */
interface HoldingProxy {
  readonly server: Server;
  readonly url: string;
  /** SendMessage requests LocalStack answered and the proxy held back. */
  readonly held: ServerResponse[];
}

async function holdingProxy(target: URL): Promise<HoldingProxy> {
  const held: ServerResponse[] = [];
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const forwarded = request(
        { host: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers: incoming.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            if (String(incoming.headers['x-amz-target']).endsWith('.SendMessage')) {
              held.push(outgoing);
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
            outgoing.end(Buffer.concat(body));
          });
        },
      );
      forwarded.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, held };
}

describe('a bridge crash between SQS and the acknowledgement', () => {
  let client: cassandra.Client;
  let proxy: HoldingProxy;
  let secret: string;
  let crashing: BridgeProcess;
  const admin = new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword);
  const next = new BridgeProcess('test', 'bridge-test-after-crash', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  beforeAll(async () => {
    client = await connectCassandra();
    secret = await addTenant(await tenantsFolder(), 'noids', 'noids-password-1', ['--formats', 'ndjson']);
    proxy = await holdingProxy(new URL(config.aws.endpoint as string));
    crashing = new BridgeProcess('test', 'bridge-test-crashing', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000', AWS_ENDPOINT_URL: proxy.url });
  });

  afterAll(async () => {
    await crashing.kill();
    await next.stop();
    proxy.server.closeAllConnections();
    proxy.server.close();
    await client.shutdown();
  });

  it('writes each message published without an id once, though RabbitMQ delivered it twice', async () => {
    await crashing.start();
    const bodies = Array.from({ length: 20 }, (_, n) => `{"reading":${n}}`);
    const connection = await amqp.connect(amqpUrl(config.amqp.url, amqpUser('noids'), secret, config.amqp.vhost));
    const channel = await connection.createConfirmChannel();
    // No message id, no timestamp, no header: nothing but the content says which message it is.
    for (const body of bodies) channel.publish(topology.amqp([]).exchange, 'noids', Buffer.from(body), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();

    // SQS took them (the stream function writes them), but the bridge never heard back, so RabbitMQ still has them unacknowledged.
    const rows = async (): Promise<Array<{ id: string; body: string }>> =>
      (await client.execute('SELECT message_id, body FROM test_tenant_noids.stream_messages')).rows.map((row) => ({
        id: row.get('message_id') as string,
        body: row.get('body') as string,
      }));
    await waitFor('the first delivery written', async () => ((await rows()).length >= bodies.length ? true : undefined), 60_000, 250);
    expect(proxy.held.length).toBeGreaterThan(0);
    const queue = topology.amqp(['noids']).tenants[0]?.queue as string;
    await crashing.kill();
    await waitFor(
      'RabbitMQ to have them back',
      async () => ((await admin.queueDepth(config.amqp.vhost, queue)) === bodies.length ? true : undefined),
      30_000,
      250,
    );

    // The next bridge forwards them again; the stream function writes them again.
    await next.start();
    await waitFor('the redelivery forwarded', async () => ((await admin.queueDepth(config.amqp.vhost, queue)) === 0 ? true : undefined), 30_000, 250);
    // Written once SQS has nothing left of them: the stream function consumed every message the redelivery forwarded.
    const sqs = createSqsClient(config);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: topology.streamQueue('noids').name }));
    await waitFor(
      'the stream function to consume the redelivery',
      async () => {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
          }),
        );
        return Object.values(Attributes ?? {}).every((count) => count === '0') ? true : undefined;
      },
      60_000,
      250,
    );
    const written = await rows();
    expect(written).toHaveLength(bodies.length);
    expect(written.map((row) => row.body).sort()).toEqual([...bodies].sort());
  });
});
