/** CQL column types the platform's ingest apps write. */
export type CqlType =
  | 'text'
  | 'int'
  | 'bigint'
  | 'double'
  | 'float'
  | 'decimal'
  | 'boolean'
  | 'timestamp'
  | 'date'
  | 'uuid'
  | 'timeuuid'
  | 'blob'
  | 'list<text>'
  | 'map<text, text>';

export interface ClusteringColumn {
  readonly column: string;
  readonly order: 'ASC' | 'DESC';
}

/**
 * A table an ingest app writes: columns in order, partition key, clustering
 * key. The primary key is what makes a re-ingestion write no duplicate rows.
 *
 * @example
 * const readings: TableSpec = {
 *   name: 'sensor_readings',
 *   columns: { dev_id: 'text', day: 'date', ts: 'timestamp', temperature: 'double' },
 *   partitionKey: ['dev_id', 'day'],
 *   clusteringKey: [{ column: 'ts', order: 'ASC' }],
 * };
 */
export interface TableSpec {
  readonly name: string;
  readonly columns: Readonly<Record<string, CqlType>>;
  readonly partitionKey: readonly string[];
  readonly clusteringKey?: readonly ClusteringColumn[];
  readonly comment?: string;
}

/** One row for one table, values by column name. */
export interface TableRow {
  readonly table: string;
  readonly values: Readonly<Record<string, unknown>>;
}
