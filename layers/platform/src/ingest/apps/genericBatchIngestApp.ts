import type { BatchFile, BatchIngestApp, BatchIngestPlan, CqlType, SourceRecord, TableSpec } from '../../tenantApp';
import { fileStem } from '../../uploads/fileName';
import { cqlName, uniqueCqlNames } from './cqlName';
import { jsonText } from '../records/jsonText';
import { cqlValue } from './cqlValue';
import { inferColumnType } from './inferColumnType';

/** Rows per partition: keeps partitions small (a few MB) whatever the file size. */
export const ROWS_PER_PARTITION = 10_000;

const FILE_COLUMN = 'ingest_file';
const PART_COLUMN = 'ingest_part';
const LINE_COLUMN = 'ingest_line';
const EXTRA_COLUMN = 'extra_fields';
const META_COLUMNS = [FILE_COLUMN, PART_COLUMN, LINE_COLUMN, EXTRA_COLUMN];

/** The table a file goes to: its name without extension, made safe for CQL. */
export function datasetTableName(fileName: string): string {
  const stem = fileStem(fileName);
  return cqlName(stem, 't_');
}

/**
 * The generic batch ingest app, for tenants without their own: one table per
 * dataset (the file name without extension), columns from the file's header
 * (or the JSON keys of the first records) made safe for CQL, types inferred
 * conservatively from the first records, and every row loaded. A file whose
 * format says its columns and their types (Parquet) gets its table from them
 * instead: every column, typed as the file types it.
 *
 * Rows are keyed by (file, line), so re-ingesting a file overwrites its rows
 * instead of adding duplicates. Values that do not fit their column's type
 * are bad rows. JSON keys first seen after the sampled records are kept, as
 * JSON, in `extra_fields`.
 *
 * @example
 * const plan = await genericBatchIngestApp.plan(file, sample);
 * plan.tables[0].name; // 'weather_2024'
 */
export const genericBatchIngestApp: BatchIngestApp = {
  name: 'generic',
  async plan(file: BatchFile, sample: readonly SourceRecord[]): Promise<BatchIngestPlan> {
    const rawNames: string[] = file.columns ? file.columns.map((column) => column.name) : [];
    const seen = new Set<string>(rawNames);
    for (const record of file.columns ? [] : sample) {
      for (const name of Object.keys(record.fields)) {
        if (!seen.has(name)) {
          seen.add(name);
          rawNames.push(name);
        }
      }
    }
    const names = uniqueCqlNames(rawNames, META_COLUMNS);
    const tableName = datasetTableName(file.fileName);
    const existing = await file.existingColumns(tableName);
    const columns: Record<string, CqlType> = { [FILE_COLUMN]: 'text', [PART_COLUMN]: 'int', [LINE_COLUMN]: 'bigint' };
    const typed: Array<{ raw: string; name: string; type: CqlType }> = [];
    rawNames.forEach((raw, index) => {
      const name = names[index] as string;
      const type = existing?.[name] ?? file.columns?.[index]?.type ?? inferColumnType(sample.map((record) => record.fields[raw]));
      columns[name] = type;
      typed.push({ raw, name, type });
    });
    // A CSV header or a Parquet schema names every column; JSON keys first seen after the sample are extras.
    const keepsExtras = file.format !== 'csv' && !file.columns;
    if (keepsExtras) columns[EXTRA_COLUMN] = 'text';
    const table: TableSpec = {
      name: tableName,
      columns,
      partitionKey: [FILE_COLUMN, PART_COLUMN],
      clusteringKey: [{ column: LINE_COLUMN, order: 'ASC' }],
      comment: `generic ingest of ${file.fileName}`,
    };
    const known = new Set(rawNames);
    return {
      tables: [table],
      toRows(record) {
        const values: Record<string, unknown> = {
          [FILE_COLUMN]: file.fileName,
          [PART_COLUMN]: Math.floor(record.position / ROWS_PER_PARTITION),
          [LINE_COLUMN]: BigInt(record.position),
        };
        for (const column of typed) values[column.name] = cqlValue(record.fields[column.raw], column.type, column.name);
        if (keepsExtras) {
          const extras = Object.entries(record.fields).filter(([key]) => !known.has(key));
          values[EXTRA_COLUMN] = extras.length ? jsonText(Object.fromEntries(extras)) : null;
        }
        return [{ table: tableName, values }];
      },
    };
  },
};
