import cassandra from 'cassandra-driver';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../errors';
import { createTableCql, cqlIdentifier } from './cql';
import type { CqlType, TableSpec } from './TableSpec';

/** A table exists with a primary key other than the one an app asks for. */
export class SchemaConflictError extends InputError {
  override readonly name = 'SchemaConflictError';
  readonly code = 'SCHEMA_CONFLICT';
}

const { dataTypes } = cassandra.types;

function cqlTypeName(type: { code: cassandra.types.dataTypes }): CqlType | undefined {
  switch (type.code) {
    case dataTypes.varchar:
    case dataTypes.text:
    case dataTypes.ascii:
      return 'text';
    case dataTypes.int:
      return 'int';
    case dataTypes.bigint:
      return 'bigint';
    case dataTypes.double:
      return 'double';
    case dataTypes.float:
      return 'float';
    case dataTypes.decimal:
      return 'decimal';
    case dataTypes.boolean:
      return 'boolean';
    case dataTypes.timestamp:
      return 'timestamp';
    case dataTypes.date:
      return 'date';
    case dataTypes.uuid:
      return 'uuid';
    case dataTypes.timeuuid:
      return 'timeuuid';
    case dataTypes.blob:
      return 'blob';
    default:
      return undefined;
  }
}

/** Tables this process has seen every node agree on, per client: a table is checked once per process. */
const agreed = new WeakMap<cassandra.Client, Set<string>>();

/** How long a schema change may take to reach every node before the write goes on anyway (and fails, to be retried). */
const SCHEMA_AGREEMENT_MS = 30_000;

/**
 * Waits until every node of the cluster has the same schema version: a table
 * made a moment ago by this process or by another one may not be known yet to
 * the node that coordinates the first write ("unconfigured table").
 */
export async function untilSchemaAgreement(client: cassandra.Client): Promise<void> {
  const deadline = Date.now() + SCHEMA_AGREEMENT_MS;
  // The driver has the call, its type declarations do not.
  const metadata = client.metadata as unknown as { checkSchemaAgreement(): Promise<boolean> };
  while (!(await metadata.checkSchemaAgreement()) && Date.now() < deadline) await sleep(200);
}

/**
 * Creates a tenant keyspace's tables for an ingest app, and evolves them:
 * missing columns are added, a different primary key is refused. Tables are
 * checked on every call, against the driver's schema metadata: the driver
 * keeps it in memory and drops what a schema change event names, so a check
 * costs no round trip, and a table dropped under a running function (by an
 * operator) is made again instead of being written to as if it were there.
 *
 * @example
 * const schema = new KeyspaceSchema(client, 'tenant_zoo');
 * await schema.ensureTables(plan.tables);
 */
export class KeyspaceSchema {
  constructor(
    private readonly client: cassandra.Client,
    readonly keyspace: string,
  ) {}

  async existingColumns(table: string): Promise<Record<string, CqlType> | undefined> {
    const metadata = await this.client.metadata.getTable(this.keyspace, table);
    if (!metadata) return undefined;
    const columns: Record<string, CqlType> = {};
    for (const column of metadata.columns) columns[column.name] = cqlTypeName(column.type) ?? 'text';
    return columns;
  }

  async ensureTables(tables: readonly TableSpec[]): Promise<void> {
    for (const table of tables) await this.ensureTable(table);
  }

  private async ensureTable(table: TableSpec): Promise<void> {
    const metadata = await this.client.metadata.getTable(this.keyspace, table.name);
    if (!metadata) {
      await this.client.execute(createTableCql(this.keyspace, table));
      await this.agreeOn(table.name, true);
      return;
    }
    await this.agreeOn(table.name, false);
    const wantedKey = [...table.partitionKey, ...(table.clusteringKey ?? []).map((c) => c.column)].join(',');
    const actualKey = [...metadata.partitionKeys, ...metadata.clusteringKeys].map((c) => c.name).join(',');
    if (wantedKey !== actualKey) {
      throw new SchemaConflictError(
        `table ${this.keyspace}.${table.name} already exists with primary key (${actualKey}); this file needs (${wantedKey}): rename the file or drop the table`,
      );
    }
    const present = new Set(metadata.columns.map((c) => c.name));
    for (const [name, type] of Object.entries(table.columns)) {
      if (present.has(name)) continue;
      await this.client
        .execute(`ALTER TABLE ${cqlIdentifier(this.keyspace)}.${cqlIdentifier(table.name)} ADD ${cqlIdentifier(name)} ${type}`)
        .catch((error: Error) => {
          // Another function may have added it a moment ago.
          if (!/already exist|conflicts with an existing column/i.test(error.message)) throw error;
        });
      await this.agreeOn(table.name, true);
    }
  }

  /** Before the first write of this process to a table (or after changing it), every node knows the table as it is. */
  private async agreeOn(table: string, changed: boolean): Promise<void> {
    const seen = agreed.get(this.client) ?? new Set<string>();
    agreed.set(this.client, seen);
    const name = `${this.keyspace}.${table}`;
    if (seen.has(name) && !changed) return;
    await untilSchemaAgreement(this.client);
    seen.add(name);
  }
}
