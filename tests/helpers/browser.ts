import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { logFile, repoRoot } from '../../localstack/paths';
import { aptInstall } from '../../localstack/process/run';

export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = join(repoRoot, 'test-artifacts');

/** Debian's Chromium, installed with apt-get when missing (as root, like RabbitMQ); puppeteer-core downloads no browser. */
export async function ensureChromium(): Promise<void> {
  if (!existsSync(CHROMIUM)) await aptInstall(['chromium', 'fonts-dejavu-core'], logFile('chromium-install'));
}

/**
 * A headless Chromium with a fresh profile (puppeteer's own temporary one,
 * removed when the browser closes). Background networking, component
 * updates and sync are off: the browser talks to the platform and LocalStack
 * on 127.0.0.1 and to nothing else.
 */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  await mkdir(ARTIFACTS, { recursive: true });
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What a page does that it must not: script errors, alerts, Content-Security-Policy violations. */
export interface PageFaults {
  readonly errors: string[];
  readonly dialogs: string[];
  readonly cspViolations: string[];
}

/** A new page whose faults are collected (CSP violations through the document's own event). */
export async function watchedPage(browser: Browser): Promise<{ page: Page; faults: PageFaults }> {
  const page = await browser.newPage();
  const faults: PageFaults = { errors: [], dialogs: [], cspViolations: [] };
  page.on('pageerror', (error) => faults.errors.push((error as Error).message));
  page.on('dialog', (dialog) => {
    faults.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) faults.cspViolations.push(message.text());
  });
  await page.exposeFunction('reportCspViolation', (text: string) => faults.cspViolations.push(text));
  await page.evaluateOnNewDocument(
    "document.addEventListener('securitypolicyviolation', (event) => window.reportCspViolation(event.violatedDirective + ' ' + event.blockedURI));",
  );
  return { page, faults };
}
