import { datasetTableName, genericBatchIngestApp } from '../../layers/platform/src/ingest/apps/genericBatchIngestApp';
import { uniqueCqlNames } from '../../layers/platform/src/ingest/apps/cqlName';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';

const file = {
  tenant: 'acme',
  batchId: '20261127T203000Z-abcdef',
  fileName: 'Sales 2024.csv',
  format: 'csv' as const,
  existingColumns: () => Promise.resolve(undefined),
};

describe('the generic batch ingest app', () => {
  it('makes header names and file names safe for CQL', () => {
    expect(uniqueCqlNames(['Zip Code', 'zip-code', '2024 total', 'Ünïcode', 'ingest_line'], ['ingest_line'])).toEqual([
      'zip_code',
      'zip_code_2',
      'c_2024_total',
      'unicode',
      'ingest_line_2',
    ]);
    expect(datasetTableName('Sales 2024.csv')).toBe('sales_2024');
    expect(datasetTableName('2024.csv')).toBe('t_2024');
  });

  it('plans a table from the header with conservative types, keyed by file and line', async () => {
    const sample = [
      { position: 2, fields: { 'Zip Code': '00501', Amount: '10', Price: '2.5', When: '2024-01-01' } },
      { position: 3, fields: { 'Zip Code': '10001', Amount: '11', Price: '3', When: '2024-01-02' } },
    ];
    const plan = await genericBatchIngestApp.plan(file, sample);
    expect(plan.tables[0]).toMatchObject({
      name: 'sales_2024',
      columns: { ingest_file: 'text', ingest_part: 'int', ingest_line: 'bigint', zip_code: 'text', amount: 'bigint', price: 'double', when: 'date' },
      partitionKey: ['ingest_file', 'ingest_part'],
      clusteringKey: [{ column: 'ingest_line', order: 'ASC' }],
    });
    expect(plan.toRows(sample[0] as never)).toEqual([
      {
        table: 'sales_2024',
        values: { ingest_file: 'Sales 2024.csv', ingest_part: 0, ingest_line: 2n, zip_code: '00501', amount: 10n, price: 2.5, when: '2024-01-01' },
      },
    ]);
    expect(() => plan.toRows({ position: 9, fields: { 'Zip Code': '1', Amount: 'lots', Price: '1', When: '2024-01-01' } })).toThrow(RecordError);
  });

  it('keeps the types of an existing table, and JSON keys it has not seen', async () => {
    const plan = await genericBatchIngestApp.plan(
      { ...file, fileName: 'events.ndjson', format: 'ndjson', existingColumns: () => Promise.resolve({ amount: 'text' as const }) },
      [{ position: 1, fields: { amount: 5 } }],
    );
    expect(plan.tables[0]?.columns.amount).toBe('text');
    expect(plan.toRows({ position: 2, fields: { amount: 7, late: { x: 1 } } })[0]?.values).toMatchObject({ amount: '7', extra_fields: '{"late":{"x":1}}' });
  });
});

describe('names made safe for CQL', () => {
  it('are never reserved words: a header select,token,from,where and a file select.csv get prefixes', () => {
    expect(uniqueCqlNames(['select', 'token', 'from', 'where', 'Order By'])).toEqual(['c_select', 'c_token', 'c_from', 'c_where', 'order_by']);
    expect(datasetTableName('select.csv')).toBe('t_select');
    expect(datasetTableName('TABLE.json')).toBe('t_table');
  });
});
