import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Debian's Chromium driven by playwright-core (no browser download). One browser per test
 * file; the tests of a file share one page, so a journey reads top to bottom.
 */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const RESULTS_DIR = path.join(ROOT, 'test-results');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** a PNG of the page into test-results/<name>.png; answers the file */
  screenshot(name: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A browser, a context with the app's base URL, and one page. Console errors are collected. */
export async function openBrowser(baseURL: string, opts: { viewport?: { width: number; height: number } } = {}): Promise<BrowserSession & { consoleErrors: string[] }> {
  const browser = await launchBrowser();
  const context = await browser.newContext({ baseURL, viewport: opts.viewport ?? { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return {
    browser,
    context,
    page,
    consoleErrors,
    async screenshot(name) {
      try {
        fs.mkdirSync(RESULTS_DIR, { recursive: true });
        const file = path.join(RESULTS_DIR, `${name.replace(/[^a-z0-9._-]+/gi, '-')}.png`);
        await page.screenshot({ path: file, fullPage: true });
        return file;
      } catch {
        return null;
      }
    },
    async close() {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

/**
 * Wraps a test body so a failure leaves a full-page screenshot in test-results/ (named after
 * the file and the test) before the error propagates.
 */
export function withScreenshot(session: () => BrowserSession | undefined, file: string, name: string, body: () => Promise<void>) {
  return async () => {
    try {
      await body();
    } catch (err) {
      const s = session();
      const shot = s ? await s.screenshot(`${path.basename(file).replace(/\.test\.ts$/, '')}--${name}`) : null;
      if (shot && err instanceof Error) err.message += `\n  screenshot: ${path.relative(process.cwd(), shot)}`;
      throw err;
    }
  };
}

/**
 * `step(name, body)`: a test of a journey (the tests of a file share one page and run in
 * order) that keeps a screenshot when it fails.
 */
export function journeySteps(session: () => BrowserSession | undefined, file: string) {
  return (name: string, body: () => Promise<void>): void => {
    void test(name, withScreenshot(session, file, name, body));
  };
}

/** Signs in through the sign-in page and waits for the app shell. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/**
 * Builds web/dist when its sources changed (scripts/ensure-web.mjs), once across test files
 * running in parallel: a lock folder keeps two builds from writing web/dist at once. Call it
 * before starting the server, which serves the files present when it starts.
 */
export function ensureWebBuilt() {
  const lock = path.join(ROOT, 'node_modules', '.tandem-web-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error('ensureWebBuilt: timed out waiting for another build');
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'ensure-web.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`the web build failed (exit ${r.status})`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The input whose visible label is exactly `label` (a required field's label ends in " *"). */
export function field(scope: Page | Locator, label: string) {
  return scope.getByLabel(new RegExp(`^${escapeRe(label)}( \\*)?$`));
}

/** Picks an option of a Mantine Select by its label, typing `search` first when given. */
export async function selectOption(scope: Page | Locator, label: string, option: string | RegExp, search?: string) {
  const page = 'page' in scope ? scope.page() : scope;
  const input = scope.getByRole('combobox', { name: new RegExp(`^${escapeRe(label)}( \\*)?$`) });
  await input.click();
  if (search !== undefined) await input.fill(search);
  await page.getByRole('option', { name: option }).first().click();
}
