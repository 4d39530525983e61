/**
 * CQL's reserved keywords: not legal as a table or column name unless quoted.
 * The list Cassandra 5.0 refuses (tried one by one against a node), with the
 * few more other CQL servers reserve (default, for, keyspaces, mbean, mbeans,
 * replace, unset), so a name the platform makes is legal on each of them.
 */
export const CQL_RESERVED_WORDS: ReadonlySet<string> = new Set(
  `add allow alter and apply asc authorize batch begin by columnfamily create default delete desc describe drop entries execute for from
   full grant if in index infinity insert into is keyspace keyspaces limit materialized mbean mbeans modify nan norecursive not null of on
   or order primary rename replace revoke schema select set table to token truncate unlogged unset update use using view where with`.split(/\s+/),
);
