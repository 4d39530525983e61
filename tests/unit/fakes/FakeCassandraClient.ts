import cassandra from 'cassandra-driver';
import { Readable } from 'node:stream';
import type { CqlType, TableSpec } from '../../../layers/platform/src/cassandra/TableSpec';

/** One statement the client was asked to run: an execute, or one member of a batch. */
export interface CqlStatement {
  readonly query: string;
  readonly params: readonly unknown[];
  readonly options: cassandra.QueryOptions | undefined;
}

/** A row as the fake returns it: its columns by name, read with `get`, as the driver's rows are. */
export type FakeRowValues = Readonly<Record<string, unknown>>;

type Answer = (statement: CqlStatement) => readonly FakeRowValues[] | undefined;

const TYPE_CODES: Partial<Record<CqlType, number>> = {
  text: cassandra.types.dataTypes.text,
  int: cassandra.types.dataTypes.int,
  bigint: cassandra.types.dataTypes.bigint,
  double: cassandra.types.dataTypes.double,
  float: cassandra.types.dataTypes.float,
  decimal: cassandra.types.dataTypes.decimal,
  boolean: cassandra.types.dataTypes.boolean,
  timestamp: cassandra.types.dataTypes.timestamp,
  date: cassandra.types.dataTypes.date,
  uuid: cassandra.types.dataTypes.uuid,
  timeuuid: cassandra.types.dataTypes.timeuuid,
  blob: cassandra.types.dataTypes.blob,
};

function row(values: FakeRowValues): cassandra.types.Row {
  return {
    ...values,
    get: (name: string | number) => values[String(name)],
    keys: () => Object.keys(values),
    values: () => Object.values(values),
  } as unknown as cassandra.types.Row;
}

function resultSet(values: readonly FakeRowValues[]): cassandra.types.ResultSet {
  const rows = values.map(row);
  return {
    rows,
    rowLength: rows.length,
    first: () => rows[0] ?? null,
    [Symbol.asyncIterator]: () => Readable.from(rows)[Symbol.asyncIterator](),
  } as unknown as cassandra.types.ResultSet;
}

/**
 * A cassandra-driver client that runs nothing: it records every statement
 * (query, parameters, options), answers a statement with the rows a test set
 * for statements like it (none by default, `[applied]: true` for a
 * conditional one), keeps table metadata for the schema checks, and fails
 * the statements a test says fail.
 */
export class FakeCassandraClient {
  /** Every statement, in order; a batch's members one by one. */
  readonly statements: CqlStatement[] = [];
  /** Each batch, as its members. */
  readonly batches: CqlStatement[][] = [];
  private readonly answers: Answer[] = [];
  private readonly tables = new Map<string, TableSpec>();
  private failure: ((statement: CqlStatement) => Error | undefined) | undefined;

  /** Answers statements whose query matches `pattern` with `rows` (the latest answer set wins). */
  answer(pattern: RegExp, rows: readonly FakeRowValues[] | ((statement: CqlStatement) => readonly FakeRowValues[] | undefined)): void {
    this.answers.unshift((statement) => (pattern.test(statement.query) ? (typeof rows === 'function' ? rows(statement) : rows) : undefined));
  }

  /** Fails every statement `failure` returns an error for (undefined: runs it). */
  failWhen(failure: ((statement: CqlStatement) => Error | undefined) | undefined): void {
    this.failure = failure;
  }

  /** A table that exists, as the driver's schema metadata describes it. */
  defineTable(keyspace: string, table: TableSpec): void {
    this.tables.set(`${keyspace}.${table.name}`, table);
  }

  /** Statements whose query matches. */
  matching(pattern: RegExp): CqlStatement[] {
    return this.statements.filter((statement) => pattern.test(statement.query));
  }

  readonly metadata = {
    getTable: (keyspace: string, name: string): Promise<cassandra.metadata.TableMetadata | undefined> => {
      const table = this.tables.get(`${keyspace}.${name}`);
      if (!table) return Promise.resolve(undefined);
      const column = (columnName: string) => ({
        name: columnName,
        type: { code: TYPE_CODES[table.columns[columnName] as CqlType] ?? cassandra.types.dataTypes.text },
      });
      return Promise.resolve({
        name,
        columns: Object.keys(table.columns).map(column),
        partitionKeys: table.partitionKey.map(column),
        clusteringKeys: (table.clusteringKey ?? []).map((clustering) => column(clustering.column)),
      } as unknown as cassandra.metadata.TableMetadata);
    },
    /** How many times a caller asked whether every node has the same schema (one node: always). */
    agreementChecks: 0,
    checkSchemaAgreement: (): Promise<boolean> => {
      this.metadata.agreementChecks += 1;
      return Promise.resolve(true);
    },
  };

  private run(statement: CqlStatement): cassandra.types.ResultSet {
    this.statements.push(statement);
    const error = this.failure?.(statement);
    if (error) throw error;
    for (const answer of this.answers) {
      const rows = answer(statement);
      if (rows) return resultSet(rows);
    }
    return resultSet(/ IF /.test(statement.query) ? [{ '[applied]': true }] : []);
  }

  execute(query: string, params?: cassandra.ArrayOrObject, options?: cassandra.QueryOptions): Promise<cassandra.types.ResultSet> {
    try {
      return Promise.resolve(this.run({ query, params: (params as unknown[] | undefined) ?? [], options }));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  batch(queries: Array<{ query: string; params?: cassandra.ArrayOrObject }>, options?: cassandra.QueryOptions): Promise<cassandra.types.ResultSet> {
    const members = queries.map(({ query, params }) => ({ query, params: (params as unknown[] | undefined) ?? [], options }));
    this.batches.push(members);
    try {
      let result = resultSet([]);
      for (const member of members) result = this.run(member);
      return Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  stream(query: string, params?: cassandra.ArrayOrObject, options?: cassandra.QueryOptions): Readable {
    try {
      return Readable.from(this.run({ query, params: (params as unknown[] | undefined) ?? [], options }).rows);
    } catch (error) {
      return new Readable({
        read() {
          this.destroy(error as Error);
        },
      });
    }
  }

  /** This fake, where the driver's client is taken. */
  asClient(): cassandra.Client {
    return this as unknown as cassandra.Client;
  }
}
