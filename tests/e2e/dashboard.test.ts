import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { ARTIFACTS, launchChromium, watchedPage, type PageFaults } from '../helpers/browser';
import { DEMO } from '../helpers/demoTenants';
import { api, apiUrl, config, login, runCli, waitFor } from '../helpers/testPlatform';

const HEADER = 'time,readable_time,acceleration,acceleration_x,acceleration_y,acceleration_z,battery,humidity,pressure,temperature,dev-id';
/** Reaches the page inside a bad row's reason: it must show as this text, never as markup. */
const MARKUP = '<img src=x onerror=alert(2)>';
const HOSTILE_NAME = '<img src=x onerror=alert(1)>.csv';

function readingLine(n: number, temperature: string | number): string {
  const time = Date.UTC(2026, 10, 20, 12, 0, 0) + n * 1000;
  return [time, new Date(time).toISOString(), '1.0', '0.1', '0.2', '0.9', 3000 - n, 60, '1010.5', temperature, 'dashboard-turtle'].join(',');
}

/** The text of every element matching `selector`. */
function texts(page: Page, selector: string): Promise<string[]> {
  return page.$$eval(selector, (elements) => elements.map((element) => (element as { textContent: string | null }).textContent ?? ''));
}

/** Each series' sum, as the chart in `#<id>` draws it. */
async function chartSums(page: Page, id: string): Promise<number[]> {
  const sums = await page.$eval(`#${id}`, (element) => (element as { getAttribute(name: string): string | null }).getAttribute('data-sums'));
  return JSON.parse(sums ?? '[]') as number[];
}

/** The status badge of the upload of `name` in the page's upload list. */
async function badgeOf(page: Page, name: string): Promise<string | undefined> {
  const rows = await page.$$eval('#upload-list li', (items) =>
    items.map((item) => {
      const text = (selector: string) =>
        (item as { querySelector(s: string): { textContent: string | null } | null }).querySelector(selector)?.textContent ?? '';
      return [text('.name'), text('.badge')];
    }),
  );
  return rows.find(([file]) => file === name)?.[1];
}

function expectNoFaults(faults: PageFaults): void {
  expect(faults.errors).toEqual([]);
  expect(faults.dialogs).toEqual([]);
  expect(faults.cspViolations).toEqual([]);
}

describe('the dashboard in a real browser (Debian Chromium, puppeteer-core)', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    // Demo ingestions to see, as a tenant would have made them with fetchdata, and a few stream messages.
    const run = await runCli('clients/fetchdata.ts', ['--api', apiUrl, '--tenant', 'zoo', '--dir', 'clients/demo-input/zoo', '--json', '--timeout', '180'], {
      MYSIMBDP_PASSWORD: DEMO.zoo.password,
    });
    expect(run.stderr).toBe('');
    const lines = (await readFile('clients/demo-input/streams/zoo-live-readings.ndjson', 'utf8')).trim().split('\n').slice(0, 30);
    const sent = await api('POST', '/tenants/zoo/messages', { messages: lines.map((line) => ({ body: JSON.parse(line) as unknown })) }, await login('zoo'));
    expect(sent.status).toBe(202);
    dir = await mkdtemp(join(tmpdir(), 'dashboard-upload-'));
    await writeFile(join(dir, 'dashboard-upload.csv'), [HEADER, ...Array.from({ length: 25 }, (_, n) => readingLine(n, 20 + n / 10))].join('\n'));
    await writeFile(join(dir, 'dashboard-too-bad.csv'), [HEADER, ...Array.from({ length: 8 }, (_, n) => readingLine(100 + n, MARKUP))].join('\n'));
    await writeFile(join(dir, HOSTILE_NAME), [HEADER, readingLine(200, 21)].join('\n'));
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    // Whatever happened in the operator test, the shop tenant is served again.
    const operator = await api('POST', '/operator/login', { password: config.auth.operatorPassword });
    await api('POST', '/operator/tenants/shop/status', { status: 'active' }, operator.body.token as string);
  });

  it('serves the page with a Content-Security-Policy that allows nothing inline', async () => {
    const response = await fetch(`${apiUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:4566");
    expect(csp).not.toContain('unsafe-inline');
    expect((await fetch(`${apiUrl}/dashboard/app.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${apiUrl}/dashboard/nothing.js`)).status).toBe(404);
  });

  it('logs a tenant in by keyboard, shows its ingestions with bad rows, uploads through the page and follows each file', async () => {
    const { page, faults } = await watchedPage(browser);
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${apiUrl}/`, { waitUntil: 'networkidle0' });
    // Every field has a label.
    const unlabelled = await page.$$eval('input:not([type=hidden]):not([hidden]), select', (fields) =>
      fields
        .filter((field) => ((field as unknown as { labels: { length: number } | null }).labels?.length ?? 0) === 0)
        .map((field) => (field as { id: string }).id),
    );
    expect(unlabelled).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-login.png') });

    await page.focus('#tenant-id');
    await page.keyboard.type('zoo');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO.zoo.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#ingestions tbody tr[data-ingestion]', { timeout: 30_000 });
    expect(await texts(page, '#who')).toEqual(['tenant zoo']);
    const files = await texts(page, '#ingestions td.file');
    expect(files.some((text) => text.startsWith('turtles-2018-10-01.csv'))).toBe(true);
    expect(files.some((text) => text.startsWith('turtles-2018-10-03-some-bad-rows.csv2 bad rows skipped'))).toBe(true);
    const samples = await texts(page, '#ingestions details li');
    expect(samples).toEqual(expect.arrayContaining(['line 13: temperature: "n/a" is not a number', 'line 41: expected 11 fields, found 6']));
    await waitFor('the stream messages in the chart', async () => ((await chartSums(page, 'chart-messages'))[0] ?? 0) >= 30 || undefined, 60_000);
    const [rowsBefore = 0] = await chartSums(page, 'chart-volume');

    const input = await page.$('#file-input');
    await input?.uploadFile(join(dir, 'dashboard-upload.csv'), join(dir, 'dashboard-too-bad.csv'), join(dir, HOSTILE_NAME));
    // The page refuses the unsafe name itself, and shows it as text.
    await waitFor('the page to refuse the unsafe name', async () => ((await badgeOf(page, HOSTILE_NAME)) === 'refused' ? true : undefined), 10_000);
    expect((await texts(page, '#upload-list .message')).join('\n')).toContain(`file name "${HOSTILE_NAME}" may only use letters`);
    // The others go through the presigned POST to S3 and are followed to their outcome.
    await waitFor('the upload to be ingested', async () => ((await badgeOf(page, 'dashboard-upload.csv')) === 'ingested' ? true : undefined), 120_000);
    await waitFor('the bad file to be rejected', async () => ((await badgeOf(page, 'dashboard-too-bad.csv')) === 'rejected' ? true : undefined), 120_000);
    const messages = (await texts(page, '#upload-list .message')).join('\n');
    expect(messages).toContain('25 rows, 0 bad');
    expect(messages).toContain(`more than 5 bad rows (the tenant's maxBadRows); nothing was written. First: line 2: temperature: "${MARKUP}" is not a number`);
    // The table and the chart follow.
    await waitFor(
      'the table to list the upload',
      async () => ((await texts(page, '#ingestions td.file')).some((text) => text.startsWith('dashboard-upload.csv')) ? true : undefined),
      30_000,
    );
    await waitFor(
      'the rows chart to count the upload',
      async () => (((await chartSums(page, 'chart-volume'))[0] ?? 0) >= rowsBefore + 25 ? true : undefined),
      30_000,
    );
    expect((await texts(page, '#ingestions .reason')).join('\n')).toContain(`"${MARKUP}" is not a number`);
    // Tenant strings stayed text: no element was made from them, no script ran.
    expect(await page.$$('#main img')).toHaveLength(0);
    expectNoFaults(faults);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-tenant.png'), fullPage: true });

    await page.setViewport({ width: 390, height: 844 });
    await waitFor('the page to fit 390 px', async () => ((await page.evaluate('document.documentElement.scrollWidth')) as number) <= 390 || undefined, 10_000);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-tenant-390.png'), fullPage: true });
    await page.close();
  });

  it('shows the operator every tenant and its health, and enables and disables a tenant', async () => {
    const { page, faults } = await watchedPage(browser);
    await page.setViewport({ width: 1280, height: 800 });
    await page.goto(`${apiUrl}/`, { waitUntil: 'networkidle0' });
    await page.type('#operator-password', 'not the password');
    await page.click('#operator-login button');
    await waitFor(
      'the wrong password to be refused',
      async () => ((await texts(page, '#operator-login-error'))[0] === 'wrong operator password' ? true : undefined),
      10_000,
    );
    await page.$eval('#operator-password', (field) => {
      (field as { value: string }).value = '';
    });
    await page.type('#operator-password', config.auth.operatorPassword);
    await page.click('#operator-login button');
    await page.waitForSelector('#tenants tbody tr[data-tenant="shop"]', { timeout: 30_000 });
    expect(await texts(page, '#health dt')).toEqual(expect.arrayContaining(['s3', 'sqs', 'cassandra', 'rabbitmq', 'batch dead letters']));
    const zoo = (await texts(page, '#tenants tr[data-tenant="zoo"] td')).slice(0, 1);
    expect(zoo).toEqual(['active']);

    await page.click('#tenants button[data-tenant="shop"]');
    await waitFor(
      'shop to show as disabled',
      async () => ((await texts(page, '#tenants tr[data-tenant="shop"] .badge'))[0] === 'disabled' ? true : undefined),
      20_000,
    );
    expect(await texts(page, '#operator-message')).toEqual(['Tenant shop is now disabled (RabbitMQ updated)']);
    await waitFor(
      'shop logins to be refused',
      async () => ((await api('POST', '/auth/login', { tenant: 'shop', password: DEMO.shop.password })).status === 403 ? true : undefined),
      30_000,
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-operator.png'), fullPage: true });

    await page.click('#tenants button[data-tenant="shop"]');
    await waitFor(
      'shop to show as active',
      async () => ((await texts(page, '#tenants tr[data-tenant="shop"] .badge'))[0] === 'active' ? true : undefined),
      20_000,
    );
    await waitFor(
      'shop logins to work again',
      async () => ((await api('POST', '/auth/login', { tenant: 'shop', password: DEMO.shop.password })).status === 200 ? true : undefined),
      30_000,
    );
    expectNoFaults(faults);
    await page.close();
  });
});
