import type cassandra from 'cassandra-driver';
/** The test stage's chunk size (MYSIMBDP_CHUNK_SIZE in localstack/localEnvironment.ts). */
export const CHUNK = 64 * 1024;

export interface Row {
  readonly note: string;
  readonly amount: bigint;
}

export interface Generated {
  readonly text: string;
  readonly rows: Map<bigint, Row>;
  /** Chunks the cutter must cut the file into. */
  readonly chunks: number;
  /** Rows made to straddle a boundary. */
  readonly straddling: number;
}

/**
 * A file whose records straddle every place the cutter looks for a chunk
 * boundary: at each one, the byte there is inside a record, and for CSV
 * inside a quoted field, on a line break with a doubled quote just before it
 * and a comma just after. `cut` says where the cutter cuts: the end of the
 * first record that reaches `wanted`, the next grid point (a multiple of the
 * chunk size) past the last cut's boundary byte.
 */
export function generate(rows: number, format: 'csv' | 'ndjson' | 'json'): Generated {
  const expected = new Map<bigint, Row>();
  let text = format === 'csv' ? 'id,note,amount\n' : format === 'json' ? '[\n' : '';
  let wanted = CHUNK;
  let chunks = 1;
  let straddling = 0;
  for (let id = 1; id <= rows; id += 1) {
    const amount = BigInt(id * 7);
    const offset = Buffer.byteLength(text);
    const gap = wanted - offset;
    let note = `plain note ${id}`;
    let record: string;
    if (format === 'csv') {
      if (gap > 40 && gap < 400) {
        // `${id},"<filler>""\n,tail",amount`: the quote pair ends at wanted - 1, the line break is at wanted, the comma after it.
        const filler = 'x'.repeat(gap - `${id},"`.length - 2);
        note = `${filler}"\n,tail ${id}`;
        record = `${id},"${filler}""\n,tail ${id}",${amount}\n`;
        straddling += 1;
      } else if (id % 5 === 0) {
        note = `a, "quoted" note\nover two lines ${id}`;
        record = `${id},"a, ""quoted"" note\nover two lines ${id}",${amount}\n`;
      } else {
        record = `${id},${note},${amount}\n`;
      }
    } else {
      const separator = format === 'json' ? (id === 1 ? '  ' : ',\n  ') : '';
      const prefix = `${separator}{"id":${id},"note":"`;
      if (gap > 60 && gap < 400) {
        // The note's escaped quote, comma and braces land on the byte the cutter looks at.
        const filler = 'y'.repeat(gap - prefix.length - 2);
        note = `${filler}","},{"id":0,"note":"[${id}]`;
        straddling += 1;
      }
      record = `${separator}${JSON.stringify({ id, note, amount: Number(amount) })}${format === 'ndjson' ? '\n' : ''}`;
    }
    text += record;
    expected.set(BigInt(id), { note, amount });
    const end = Buffer.byteLength(text);
    // Where the cutter cuts: after a record's line break (CSV, NDJSON), or at the comma before the next element (JSON).
    const boundaryAt = format === 'json' ? end : end - 1;
    if (boundaryAt >= wanted && id < rows) {
      wanted = (Math.floor(boundaryAt / CHUNK) + 1) * CHUNK;
      chunks += 1;
    }
  }
  if (format === 'json') text += '\n]\n';
  return { text, rows: expected, chunks, straddling };
}

/** The rows a straddling file loaded into `keyspace.table`, by id; an id read twice is an error. */
export async function loadedRows(client: cassandra.Client, keyspace: string, table: string): Promise<Map<bigint, Row>> {
  const rows = new Map<bigint, Row>();
  const result = await client.execute(`SELECT id, note, amount FROM ${keyspace}.${table}`, [], { fetchSize: 5000, autoPage: true });
  for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) {
    const id = row.get('id') as bigint;
    if (rows.has(id)) throw new Error(`id ${id} read twice from ${keyspace}.${table}`);
    rows.set(id, { note: row.get('note') as string, amount: row.get('amount') as bigint });
  }
  return rows;
}
