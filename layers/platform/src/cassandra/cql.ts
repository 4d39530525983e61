import { CQL_RESERVED_WORDS } from './cqlReservedWords';
import type { TableSpec } from './TableSpec';

const SAFE_IDENTIFIER = /^[a-z][a-z0-9_]{0,47}$/;

/**
 * Returns the identifier when it is a plain lower-case CQL name that is not a
 * reserved word, and throws otherwise. The platform only ever creates such
 * names, so nothing user-given reaches a CQL statement unchecked.
 */
export function cqlIdentifier(name: string): string {
  if (!SAFE_IDENTIFIER.test(name)) throw new RangeError(`"${name}" is not a safe CQL identifier`);
  if (CQL_RESERVED_WORDS.has(name)) throw new RangeError(`"${name}" is a reserved CQL word and cannot name a table or column`);
  return name;
}

/** Escapes a string literal for the few statements that cannot bind values (DDL). */
export function cqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export function createTableCql(keyspace: string, table: TableSpec): string {
  const columns = Object.entries(table.columns).map(([name, type]) => `${cqlIdentifier(name)} ${type}`);
  const partition = `(${table.partitionKey.map(cqlIdentifier).join(', ')})`;
  const clustering = (table.clusteringKey ?? []).map((c) => cqlIdentifier(c.column));
  const primaryKey = [partition, ...clustering].join(', ');
  const options: string[] = [];
  if (table.clusteringKey?.length) {
    options.push(`CLUSTERING ORDER BY (${table.clusteringKey.map((c) => `${cqlIdentifier(c.column)} ${c.order}`).join(', ')})`);
  }
  if (table.comment) options.push(`comment = ${cqlString(table.comment)}`);
  const withClause = options.length ? ` WITH ${options.join(' AND ')}` : '';
  return `CREATE TABLE IF NOT EXISTS ${cqlIdentifier(keyspace)}.${cqlIdentifier(table.name)} (${columns.join(', ')}, PRIMARY KEY (${primaryKey}))${withClause}`;
}

export function insertCql(keyspace: string, table: TableSpec): string {
  const names = Object.keys(table.columns).map(cqlIdentifier);
  return `INSERT INTO ${cqlIdentifier(keyspace)}.${cqlIdentifier(table.name)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
}

/**
 * Whether a statement changes the schema or the roles (CREATE, ALTER, DROP,
 * TRUNCATE, GRANT, REVOKE): such a statement is never sent twice by the
 * driver on its own. A second DROP that finds the keyspace gone is refused for
 * want of a permission the first one took with it, and a second CREATE races
 * the first one's schema change.
 */
export function isSchemaStatement(query: string | undefined): boolean {
  return /^\s*(CREATE|ALTER|DROP|TRUNCATE|GRANT|REVOKE)\b/i.test(query ?? '');
}
