import { type Api, ApiError } from './api';
import { byId, el } from './dom';
import { bytes, count } from './format';
import { Poller } from './Poller';
import type { PlatformOverview } from './types';

const REFRESH_MS = 5000;

type TenantRow = PlatformOverview['tenants'][number];

/** The tenant's chunk invocations in use of its limit, and its chunk tasks queued. */
function chunkShare(tenant: TenantRow): HTMLElement {
  if (!tenant.chunks) return el('td', { className: 'muted' }, 'unknown');
  const { inFlight, limit, queued } = tenant.chunks;
  return el('td', { className: 'num' }, `${count(inFlight)} / ${count(limit)}`, el('div', { className: 'reason' }, `${count(queued)} queued`));
}

function usage(used: number | null, limit: number | null, format: (value: number) => string): HTMLElement {
  if (used === null || limit === null) return el('td', { className: 'muted' }, 'no daily quota');
  return el(
    'td',
    {},
    `${format(used)} / ${format(limit)}`,
    el('meter', { min: 0, max: limit, value: used, high: limit * 0.8, 'aria-label': `${format(used)} of ${format(limit)}` }),
  );
}

/**
 * The operator's view: the services' health, the batch dead-letter queue,
 * and every tenant's status, usage against its daily quota, failures and
 * dead letters, with a button to enable or disable it.
 */
export class OperatorView {
  private readonly poller = new Poller(() => this.refresh(), REFRESH_MS);

  constructor(private readonly api: Api) {
    byId<HTMLSelectElement>('operator-window').addEventListener('change', () => void this.refresh());
  }

  async open(): Promise<void> {
    await this.poller.start();
  }

  close(): void {
    this.poller.stop();
  }

  async refresh(): Promise<void> {
    const hours = byId<HTMLSelectElement>('operator-window').value;
    let overview: PlatformOverview;
    try {
      overview = await this.api.call<PlatformOverview>('GET', `/operator/tenants?hours=${hours}`);
    } catch (error) {
      byId('status').textContent = `Could not read the platform's state: ${(error as Error).message}`;
      return;
    }
    const health = Object.entries(overview.health.services).map(([name, service]) =>
      el(
        'div',
        { className: service.status },
        el('dt', {}, name),
        el('dd', {}, `${service.status} (${service.latencyMs} ms)`),
        service.error ? el('dd', { className: 'reason' }, service.error) : null,
      ),
    );
    const batchDead = overview.batchDeadLetterQueue.messages;
    health.push(el('div', { className: batchDead ? 'bad' : '' }, el('dt', {}, 'batch dead letters'), el('dd', {}, count(batchDead))));
    byId('health').replaceChildren(...health);
    const body = byId('tenants').querySelector('tbody') as HTMLTableSectionElement;
    body.replaceChildren(...overview.tenants.map((tenant) => this.row(tenant)));
    byId('status').textContent = `Updated ${new Date().toLocaleTimeString('en-GB')}`;
  }

  private row(tenant: TenantRow): HTMLElement {
    const next = tenant.status === 'active' ? 'disabled' : 'active';
    const button = el(
      'button',
      { type: 'button', className: 'secondary', 'data-tenant': tenant.tenant },
      tenant.status === 'active' ? `Disable ${tenant.tenant}` : `Enable ${tenant.tenant}`,
    );
    button.addEventListener('click', () => void this.setStatus(tenant.tenant, next, button));
    return el(
      'tr',
      { 'data-tenant': tenant.tenant },
      el('th', { scope: 'row' }, tenant.tenant, el('div', { className: 'reason' }, tenant.displayName)),
      el('td', {}, el('span', { className: `badge ${tenant.status}` }, tenant.status)),
      usage(tenant.usage.files, tenant.usage.maxFiles, count),
      usage(tenant.usage.bytes, tenant.usage.maxBytes, bytes),
      el('td', { className: 'num' }, count(tenant.window.files)),
      el('td', { className: 'num' }, count(tenant.window.rejectedFiles)),
      el('td', { className: 'num' }, count(tenant.window.failedFiles)),
      chunkShare(tenant),
      el('td', { className: 'num' }, count(tenant.stream.backlog)),
      el('td', { className: 'num' }, count(tenant.stream.deadLetters)),
      el('td', {}, button),
    );
  }

  private async setStatus(tenant: string, status: 'active' | 'disabled', button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    let message: string;
    try {
      const change = await this.api.call<{ status: string; amqp: { updated: boolean; reason?: string } }>('POST', `/operator/tenants/${tenant}/status`, {
        status,
      });
      message = `Tenant ${tenant} is now ${change.status}${change.amqp.updated ? ' (RabbitMQ updated)' : `; RabbitMQ not updated: ${change.amqp.reason ?? ''}`}`;
    } catch (error) {
      message = `Could not change tenant ${tenant}: ${error instanceof ApiError ? error.message : (error as Error).message}`;
    }
    await this.refresh();
    byId('operator-message').textContent = message;
    byId('tenants').querySelector<HTMLButtonElement>(`button[data-tenant="${tenant}"]`)?.focus();
  }
}
