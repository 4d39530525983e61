import type uPlot from 'uplot';
import type { Api } from './api';
import { append, byId, el } from './dom';
import { bytes, count, duration, time } from './format';
import { Poller } from './Poller';
import { TimeChart } from './TimeChart';
import type { Ingestion, IngestionList, MetricSeries, Profile, StreamReport } from './types';
import { UploadPanel } from './UploadPanel';

const REFRESH_MS = 5000;
/** Queue samples kept for the backlog chart: an hour at one per refresh. */
const MAX_QUEUE_SAMPLES = 720;

/** The figures of the window's buckets as dense columns (a bucket without contributions is zero, or no value). */
function columns(series: MetricSeries): {
  x: number[];
  at: (pick: (bucket: MetricSeries['buckets'][number]) => number | null, empty: number | null) => Array<number | null>;
} {
  const step = series.bucketSeconds;
  const first = Math.floor(Date.parse(series.since) / 1000 / step) * step;
  const last = Math.floor(Date.parse(series.until) / 1000 / step) * step;
  const x: number[] = [];
  for (let t = first; t <= last; t += step) x.push(t);
  const byStart = new Map(series.buckets.map((bucket) => [Date.parse(bucket.start) / 1000, bucket]));
  return {
    x,
    at: (pick, empty) =>
      x.map((t) => {
        const bucket = byStart.get(t);
        return bucket ? pick(bucket) : empty;
      }),
  };
}

function tile(label: string, value: string, className = ''): HTMLElement {
  return el('div', { className }, el('dt', {}, label), el('dd', {}, value));
}

function progressOf(record: Ingestion): string {
  const waiting = record.waiting ? ` (${record.waiting.reason})` : '';
  if (record.chunks) {
    const { total, validated, written, failed } = record.chunks;
    return `chunks: ${validated}/${total} validated, ${written}/${total} written${failed ? `, ${failed} failed` : ''}${waiting}`;
  }
  return record.finishedAt ? '' : `${count(record.rows)} rows so far${waiting}`;
}

/**
 * The tenant's view: totals and charts over the window, uploads, and every
 * batch and file with its status, refreshed every few seconds.
 */
export class TenantView {
  private tenant = '';
  private profile: Profile | undefined;
  private readonly poller = new Poller(() => this.refresh(), REFRESH_MS);
  private readonly queueSamples: { x: number[]; backlog: Array<number | null>; dead: Array<number | null> } = { x: [], backlog: [], dead: [] };
  private readonly charts: Record<'volume' | 'speed' | 'messages' | 'latency' | 'queues', TimeChart>;
  readonly uploads: UploadPanel;

  constructor(private readonly api: Api) {
    this.charts = {
      volume: new TimeChart(byId('chart-volume'), [
        { label: 'rows', color: '#1f5f8b', scale: 'rows', format: count },
        { label: 'bytes', color: '#bf5b17', scale: 'bytes', format: bytes },
      ]),
      speed: new TimeChart(byId('chart-speed'), [{ label: 'ms per MiB', color: '#6f42c1' }]),
      messages: new TimeChart(byId('chart-messages'), [
        { label: 'messages', color: '#1a7f37' },
        { label: 'failures', color: '#cf222e' },
      ]),
      latency: new TimeChart(byId('chart-latency'), [
        { label: 'p50', color: '#1f5f8b' },
        { label: 'p95', color: '#bf5b17' },
        { label: 'p99', color: '#cf222e' },
      ]),
      queues: new TimeChart(byId('chart-queues'), [
        { label: 'backlog', color: '#1f5f8b' },
        { label: 'dead letters', color: '#cf222e' },
      ]),
    };
    this.uploads = new UploadPanel(
      api,
      () => this.tenant,
      () => this.profile,
      () => void this.refresh(),
    );
    byId<HTMLSelectElement>('tenant-window').addEventListener('change', () => void this.refresh());
  }

  async open(tenant: string): Promise<void> {
    this.tenant = tenant;
    this.profile = await this.api.call<Profile>('GET', `/tenants/${tenant}/profile`);
    byId('tenant-title').textContent = `${this.profile.displayName} (${tenant})`;
    const { batch } = this.profile;
    byId('profile-summary').textContent =
      `Profile: ${batch.allowedFormats.join(', ')} files up to ${batch.maxFileSize}, ${batch.maxFilesPerBatch} per batch, ` +
      `${batch.maxBadRows} bad row${batch.maxBadRows === 1 ? '' : 's'} tolerated per file.`;
    this.uploads.showRules(this.profile);
    await this.poller.start();
  }

  close(): void {
    this.poller.stop();
  }

  async refresh(): Promise<void> {
    if (!this.tenant) return;
    const hours = byId<HTMLSelectElement>('tenant-window').value;
    const [series, list, stream] = await Promise.all([
      this.api.call<MetricSeries>('GET', `/tenants/${this.tenant}/metrics?hours=${hours}`),
      this.api.call<IngestionList>('GET', `/tenants/${this.tenant}/ingestions?limit=200`),
      this.api.call<StreamReport>('GET', `/tenants/${this.tenant}/stream-report?hours=1`),
    ]).catch(() => [undefined, undefined, undefined] as const);
    if (!series || !list || !stream) return;
    this.showTiles(series, stream);
    this.showCharts(series, stream);
    this.showIngestions(list.ingestions);
    byId('status').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
  }

  private showTiles(series: MetricSeries, stream: StreamReport): void {
    const t = series.totals;
    byId('tenant-tiles').replaceChildren(
      tile('Files ingested', count(t.files)),
      tile('Rows', count(t.rows)),
      tile('Bytes', bytes(t.bytes)),
      tile('Bad rows', count(t.badRows), t.badRows ? 'bad' : ''),
      tile('Files rejected', count(t.rejectedFiles), t.rejectedFiles ? 'bad' : ''),
      tile('Files failed', count(t.failedFiles), t.failedFiles ? 'bad' : ''),
      tile('Stream messages', count(t.messages)),
      tile('Stream failures', count(t.streamFailures), t.streamFailures ? 'bad' : ''),
      tile('Latency p95', t.latencyMs.p95 === null ? '–' : `${t.latencyMs.p95} ms`),
      tile('Stream backlog', count(stream.queue.backlog)),
      tile('Dead letters', count(stream.deadLetterQueue.messages), stream.deadLetterQueue.messages ? 'bad' : ''),
    );
  }

  private showCharts(series: MetricSeries, stream: StreamReport): void {
    const { x, at } = columns(series);
    const range = [Date.parse(series.since) / 1000, Date.parse(series.until) / 1000] as const;
    this.charts.volume.update([x, at((b) => b.rows, 0), at((b) => b.bytes, 0)], range);
    this.charts.speed.update([x, at((b) => b.msPerMiB, null)], range);
    this.charts.messages.update([x, at((b) => b.messages, 0), at((b) => b.streamFailures, 0)], range);
    this.charts.latency.update([x, at((b) => b.latencyMs.p50, null), at((b) => b.latencyMs.p95, null), at((b) => b.latencyMs.p99, null)], range);
    const samples = this.queueSamples;
    samples.x.push(Math.floor(Date.now() / 1000));
    samples.backlog.push(stream.queue.backlog);
    samples.dead.push(stream.deadLetterQueue.messages);
    for (const column of [samples.x, samples.backlog, samples.dead]) column.splice(0, Math.max(0, column.length - MAX_QUEUE_SAMPLES));
    const now = samples.x[samples.x.length - 1] ?? 0;
    // The samples so far, on at least the last ten minutes.
    this.charts.queues.update([samples.x, samples.backlog, samples.dead] as uPlot.AlignedData, [Math.min(samples.x[0] ?? now, now - 600), now]);
  }

  private showIngestions(ingestions: readonly Ingestion[]): void {
    const body = byId('ingestions').querySelector('tbody') as HTMLTableSectionElement;
    const rows: HTMLElement[] = [];
    let batch: string | undefined;
    for (const record of ingestions) {
      if (record.batchId !== batch) {
        batch = record.batchId;
        rows.push(el('tr', { className: 'batch' }, el('th', { colspan: 8, scope: 'colgroup' }, `Batch ${record.batchId}`)));
      }
      const file = el('td', { className: 'file' }, record.fileName, record.reason ? el('div', { className: 'reason' }, record.reason) : null);
      if (record.badRowSamples.length) {
        const list = el('ul', {});
        for (const sample of record.badRowSamples) append(list, el('li', {}, sample));
        const shown = record.badRowSamples.length < record.badRows ? ` (the first ${record.badRowSamples.length})` : '';
        append(file, el('details', {}, el('summary', {}, `Bad rows: line and reason${shown}`), list));
      }
      rows.push(
        el(
          'tr',
          { 'data-ingestion': record.id },
          file,
          el('td', {}, el('span', { className: `badge ${record.status}` }, record.status)),
          el('td', { className: 'num' }, count(record.rows)),
          el('td', { className: 'num' }, count(record.badRows)),
          el('td', { className: 'num', title: record.textBytes === null ? '' : `${bytes(record.textBytes)} of text once decompressed` }, bytes(record.bytes)),
          el('td', { className: 'num' }, duration(record.durationMs)),
          el('td', {}, progressOf(record)),
          el('td', {}, time(record.startedAt)),
        ),
      );
    }
    if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: 8, className: 'muted' }, 'No ingestion yet: upload a file above, or with fetchdata.')));
    // Keep the bad-row lists a reader opened across refreshes.
    const open = new Set(
      [...body.querySelectorAll('tr[data-ingestion] details[open]')].map((details) => details.closest('tr')?.getAttribute('data-ingestion')),
    );
    body.replaceChildren(...rows);
    for (const id of open) body.querySelector(`tr[data-ingestion="${CSS.escape(id ?? '')}"] details`)?.setAttribute('open', '');
  }
}
