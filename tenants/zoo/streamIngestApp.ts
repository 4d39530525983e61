import { RecordError, type StreamIngestApp, type TableSpec } from '../../layers/platform/src/tenantApp';
import { dayOf, parseReading } from './readingSchema';

/** Live readings, keyed by message id within a (tracker, day), so a redelivery overwrites itself. */
export const liveReadings: TableSpec = {
  name: 'live_readings',
  columns: {
    dev_id: 'text',
    day: 'date',
    ts: 'timestamp',
    message_id: 'text',
    temperature: 'double',
    humidity: 'double',
    battery: 'int',
    published_at: 'timestamp',
    written_at: 'timestamp',
  },
  partitionKey: ['dev_id', 'day'],
  clusteringKey: [
    { column: 'ts', order: 'ASC' },
    { column: 'message_id', order: 'ASC' },
  ],
  comment: 'zoo: live tracker readings from the message stream',
};

/** The zoo's stream ingest app: one JSON reading per message into `live_readings`. */
const zooStreamIngestApp: StreamIngestApp = {
  name: 'zoo-live-readings',
  tables: [liveReadings],
  toRows(message) {
    if (typeof message.body !== 'object' || message.body === null) throw new RecordError('the message is not a JSON object');
    const reading = parseReading(message.body);
    return [
      {
        table: liveReadings.name,
        values: {
          dev_id: reading['dev-id'],
          day: dayOf(reading.time),
          ts: new Date(reading.time),
          message_id: message.messageId,
          temperature: reading.temperature,
          humidity: reading.humidity,
          battery: reading.battery,
          published_at: message.publishedAt,
          written_at: new Date(),
        },
      },
    ];
  },
};

export default zooStreamIngestApp;
