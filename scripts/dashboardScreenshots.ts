// Takes the screenshots of the dashboard in docs/operations.md (docs/dashboard-*.png) from
// the platform `npm start` serves, with the demo data loaded (fetchdata and
// ingestmessage, as docs/batch-ingestion.md and docs/stream-ingestion.md show): the tenant view at 1280x800 and at
// 390 px wide, and the operator view. Run: node --import tsx scripts/dashboardScreenshots.ts
import { join } from 'node:path';
import { repoRoot } from '../localstack/paths';
import { localSecrets } from '../localstack/secrets';
import { launchChromium } from '../tests/helpers/browser';

const url = process.env.MYSIMBDP_API_URL ?? 'http://127.0.0.1:3000';
const docs = join(repoRoot, 'docs');
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${url}/`, { waitUntil: 'networkidle0' });
  await page.type('#tenant-id', 'zoo');
  await page.type('#tenant-password', 'zoo-demo-password');
  await page.click('#tenant-login button');
  await page.waitForSelector('#ingestions tbody tr[data-ingestion]');
  // Open the first file with bad rows, so the picture shows them.
  await page.$eval('#ingestions details', (details) => ((details as { open: boolean }).open = true)).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await page.screenshot({ path: join(docs, 'dashboard-tenant.png'), fullPage: true });
  await page.setViewport({ width: 390, height: 844 });
  await page.evaluate('window.scrollTo(0, 0)');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await page.screenshot({ path: join(docs, 'dashboard-tenant-390.png') });
  await page.setViewport({ width: 1280, height: 800 });
  await page.click('#logout');
  await page.type('#operator-password', localSecrets().operatorPassword);
  await page.click('#operator-login button');
  await page.waitForSelector('#tenants tbody tr[data-tenant]');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await page.screenshot({ path: join(docs, 'dashboard-operator.png') });
  console.log(`wrote ${['dashboard-tenant.png', 'dashboard-tenant-390.png', 'dashboard-operator.png'].map((file) => join('docs', file)).join(', ')}`);
} finally {
  await browser.close();
}
