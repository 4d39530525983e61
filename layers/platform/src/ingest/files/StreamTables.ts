import type { TableSpec } from '../../cassandra/TableSpec';
import type { BatchIngestApp } from '../apps/BatchIngestApp';
import { datasetTableName, genericBatchIngestApp } from '../apps/genericBatchIngestApp';
import type { StreamIngestApp } from '../apps/StreamIngestApp';
import { FileRejectedError } from './FileRejectedError';

/** Why a batch file may not go to a table of the tenant's stream. */
export function streamTableReason(table: string): string {
  return `table ${table} is the tenant's stream table; rename the file`;
}

/**
 * The tables a tenant's stream app writes, which its batch files may not
 * take. A batch table of the same name would be made with the batch layout
 * (the generic batch app keys rows by file and line, a stream app by message
 * id), and every stream message would fail to land in it from then on. The
 * names come from the tenant's stream app itself (its `tables`; the generic
 * stream app's `stream_messages` for a tenant without one), loaded as the
 * stream path loads it and kept by the process, so asking costs no call.
 *
 * @example
 * await streamTables.checkPlan('acme', plan.tables); // FileRejectedError for `stream_messages`
 * await streamTables.takenBy('acme', 'stream_messages.csv'); // 'stream_messages'
 */
export class StreamTables {
  constructor(
    private readonly loadStreamApp: (tenant: string) => Promise<StreamIngestApp>,
    private readonly loadBatchApp: (tenant: string) => Promise<BatchIngestApp>,
  ) {}

  private async names(tenant: string): Promise<Set<string>> {
    return new Set((await this.loadStreamApp(tenant)).tables.map((table) => table.name));
  }

  /** Refuses, as an error of the input, a file whose plan would write one of the tenant's stream tables. */
  async checkPlan(tenant: string, tables: ReadonlyArray<Pick<TableSpec, 'name'>>): Promise<void> {
    const reserved = await this.names(tenant);
    const taken = tables.find((table) => reserved.has(table.name));
    if (taken) throw new FileRejectedError(streamTableReason(taken.name));
  }

  /**
   * The stream table a file of this name would take, before it is uploaded:
   * known only for a tenant served by the generic batch app, whose table is
   * the file's name. A tenant's own batch app chooses its tables from the
   * records, so its files are checked when they are planned.
   */
  async takenBy(tenant: string, fileName: string): Promise<string | undefined> {
    if ((await this.loadBatchApp(tenant)) !== genericBatchIngestApp) return undefined;
    const table = datasetTableName(fileName);
    return (await this.names(tenant)).has(table) ? table : undefined;
  }
}
