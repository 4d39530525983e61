import cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestionStore, type IngestionRecord } from '../../layers/platform/src/ingest/files/IngestionStore';
import { ServiceUnavailableError } from '../../layers/platform/src/errors';
import { classifyFailure } from '../../layers/platform/src/failures/serviceFailure';
import { CassandraCluster } from '../../localstack/services/CassandraCluster';
import { recordFaultFigures } from '../helpers/faultFigures';
import { processingRecord } from '../unit/fakes/processingRecord';
import { config, connectCassandra, topology } from '../helpers/testPlatform';

/**
 * The file decision and finish are lightweight transactions at LOCAL_SERIAL.
 * Two invocations (two clients, as two function instances) race to finish
 * each of many files while a node of three is killed: a transaction whose
 * coordinator dies is tried again, as the platform does, and finds the file
 * finished. Every file ends finished, and no file is finished twice.
 */
const FILES = 150;
const AT_ONCE = 12;
const cluster = new CassandraCluster();

/** A file of tenant zoo as its chunks leave it: processing, every chunk written, about to be finished. */
function fileRecord(batchId: string, index: number): IngestionRecord {
  const now = new Date();
  return processingRecord({
    batchId,
    ingestionId: `${batchId}-${String(index).padStart(10, '0')}`,
    fileName: `f${index}.csv`,
    objectKey: `tenants/zoo/incoming/${batchId}/f${index}.csv`,
    startedAt: now,
    updatedAt: now,
    phase: 'writing',
    chunksTotal: 2,
  });
}

describe('lightweight transactions on a cluster that loses a node', () => {
  let clients: cassandra.Client[] = [];

  beforeAll(async () => {
    if (config.cassandra.contactPoints.length !== 3)
      throw new Error('the cluster tests run on three nodes: MYSIMBDP_CASSANDRA_NODES=3 npm test -- --selectProjects cluster');
    clients = await Promise.all([connectCassandra(), connectCassandra()]);
  });

  afterAll(async () => {
    await cluster.start(() => undefined);
    await Promise.all(clients.map((client) => client.shutdown()));
  });

  it('finishes every file exactly once while two invocations race and a node dies', async () => {
    const [first, second] = clients.map((client) => new IngestionStore(client, topology.platformKeyspace)) as [IngestionStore, IngestionStore];
    const batchId = `20261203T000000Z-${randomUUID().slice(0, 6)}`;
    const records = Array.from({ length: FILES }, (_, index) => fileRecord(batchId, index));
    for (const record of records) await first.create(record);

    let retried = 0;
    /** Finishes the file as an invocation does: an outage is waited out and the transaction tried again. */
    const finish = async (store: IngestionStore, record: IngestionRecord): Promise<boolean> => {
      for (;;) {
        try {
          return await store.transition(record, record.version, ['processing'], { status: 'ingested', finishedAt: new Date() }, 'writing');
        } catch (error) {
          if (!(classifyFailure(error) instanceof ServiceUnavailableError)) throw error;
          retried += 1;
          await sleep(200);
        }
      }
    };

    const applied = new Map<string, number>();
    let killedAt = 0;
    for (let start = 0; start < FILES; start += AT_ONCE) {
      if (start >= FILES / 3 && !killedAt) {
        // The node dies while a group of races is in flight.
        void cluster.node(2).kill();
        killedAt = Date.now();
      }
      const group = records.slice(start, start + AT_ONCE);
      await Promise.all(
        group.flatMap((record) =>
          [first, second].map(async (store) => {
            if (await finish(store, record)) applied.set(record.ingestionId, (applied.get(record.ingestionId) ?? 0) + 1);
          }),
        ),
      );
    }
    await cluster.node(2).start();

    const finished = await clients[0]?.execute(
      `SELECT ingestion_id, status FROM ${topology.platformKeyspace}.ingestions WHERE tenant = ? AND batch_id = ?`,
      ['zoo', batchId],
      { consistency: cassandra.types.consistencies.all, fetchSize: 1000 },
    );
    expect(finished?.rows.map((row) => row.get('status') as string)).toEqual(records.map(() => 'ingested'));
    expect([...applied.values()].filter((count) => count > 1)).toEqual([]);
    await recordFaultFigures({
      fault:
        'One Cassandra node of three killed while two invocations raced to finish each of 150 files (lightweight transactions at LOCAL_SERIAL, `tests/cluster/lightweightTransactions.test.ts`)',
      downtimeSeconds: Math.round((Date.now() - killedAt) / 1000),
      messages: FILES,
      inFlightAtFault: AT_ONCE,
      lost: FILES - (finished?.rows.length ?? 0),
      duplicated: [...applied.values()].filter((count) => count > 1).length,
      recoverSeconds: 0,
      notes: `every file finished once (${applied.size} finishes seen applied by their caller, the rest applied by a try whose answer was lost with its coordinator); ${retried} tries waited out`,
    });
  }, 600_000);
});
