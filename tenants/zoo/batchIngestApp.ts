import type { BatchIngestApp, TableSpec } from '../../layers/platform/src/tenantApp';
import { dayOf, parseReading } from './readingSchema';

/** One row per tracker reading; a (tracker, day) partition holds one day of one tracker. */
export const sensorReadings: TableSpec = {
  name: 'sensor_readings',
  columns: {
    dev_id: 'text',
    day: 'date',
    ts: 'timestamp',
    temperature: 'double',
    humidity: 'double',
    pressure: 'double',
    battery: 'int',
    acceleration: 'double',
    acceleration_x: 'double',
    acceleration_y: 'double',
    acceleration_z: 'double',
  },
  partitionKey: ['dev_id', 'day'],
  clusteringKey: [{ column: 'ts', order: 'ASC' }],
  comment: 'zoo: turtle tracker readings, one row per (tracker, time)',
};

/**
 * The zoo's batch ingest app: CSV or NDJSON files of turtle tracker readings
 * (the Korkeasaari dataset's columns) into `sensor_readings`. The natural key
 * (tracker, time) makes a re-ingestion overwrite rather than duplicate.
 */
const zooBatchIngestApp: BatchIngestApp = {
  name: 'zoo-sensor-readings',
  plan: () => ({
    tables: [sensorReadings],
    toRows(record) {
      const reading = parseReading(record.fields);
      return [
        {
          table: sensorReadings.name,
          values: {
            dev_id: reading['dev-id'],
            day: dayOf(reading.time),
            ts: new Date(reading.time),
            temperature: reading.temperature,
            humidity: reading.humidity,
            pressure: reading.pressure,
            battery: reading.battery,
            acceleration: reading.acceleration,
            acceleration_x: reading.acceleration_x,
            acceleration_y: reading.acceleration_y,
            acceleration_z: reading.acceleration_z,
          },
        },
      ];
    },
  }),
};

export default zooBatchIngestApp;
