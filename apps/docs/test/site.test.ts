/**
 * The built site in a real browser: serve apps/docs/dist on 127.0.0.1 (with the COOP/COEP headers, as a host
 * should) and drive Debian's Chromium through playwright-core. Every page loads without console errors, every
 * internal link resolves (page and anchor), and the demo trains: ≥ 100 updates, K moves from its initial
 * value, the loss falls, tokens/s shows, pause / resume / reset work and reset frees every tensor.
 * Screenshots go to apps/docs/test-output/ for a person to look at.
 *
 * Needs `/usr/bin/chromium` (`apt-get install -y chromium`; TBPTT_CHROMIUM=<path> for another). The site is
 * rebuilt first when dist/ is missing or older than its sources.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../scripts/serve.mjs';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(app, 'dist');
const output = join(app, 'test-output');
const executablePath = process.env.TBPTT_CHROMIUM ?? '/usr/bin/chromium';

/** The newest modification time under `dir` (files only), skipping generated and installed folders. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (/node_modules|[/\\]reference[/\\]api[/\\]|reference[/\\]cli\.md|\.vitepress-cache/.test(path))
      continue;
    latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

function ensureBuilt(): void {
  const index = join(dist, 'index.html');
  const sources = Math.max(newest(join(app, 'docs')), newest(join(app, 'scripts')));
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  console.log('site.test: dist/ is missing or older than docs/; running npm run build');
  const run = spawnSync('npm', ['run', 'build'], { cwd: app, stdio: 'inherit' });
  if (run.status !== 0) throw new Error(`site.test: npm run build exited ${run.status}`);
}

let server: Server;
let base: string;
let context: BrowserContext;
let userDataDir: string;

beforeAll(async () => {
  if (!existsSync(executablePath)) {
    throw new Error(
      `site.test: no Chromium at ${executablePath}; install it with \`apt-get install -y chromium\` or set TBPTT_CHROMIUM`,
    );
  }
  ensureBuilt();
  mkdirSync(output, { recursive: true });
  ({ server, url: base } = await serve({ root: dist }));
  userDataDir = mkdtempSync(join(tmpdir(), 'tbptt-docs-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
});

afterAll(async () => {
  await context?.close();
  await new Promise((resolve) => server?.close(resolve));
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** A page that records console errors and uncaught exceptions. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  // Prefetches cut short by the next navigation are aborted, not failed.
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    if (!reason.includes('ERR_ABORTED')) errors.push(`request failed: ${request.url()} (${reason})`);
  });
  return { page, errors };
}

describe('the built site', () => {
  it('every page loads without console errors and every internal link resolves', async () => {
    const { page, errors } = await openPage();
    const origin = new URL(base).origin;
    const queue = [new URL(base).pathname];
    const seen = new Set(queue);
    /** Links with a fragment: page path → anchors other pages point at. */
    const anchors = new Map<string, Set<string>>();
    const problems: string[] = [];
    const pageIds = new Map<string, Set<string>>();
    while (queue.length > 0) {
      const path = queue.shift()!;
      const response = await page.goto(origin + path, { waitUntil: 'load' });
      if (response?.status() !== 200) {
        problems.push(`${path}: HTTP ${response?.status() ?? 'no response'}`);
        continue;
      }
      await page.waitForLoadState('networkidle');
      const title = await page.title();
      if (/404/.test(title)) problems.push(`${path}: VitePress 404 page`);
      const { links, ids } = await page.evaluate(() => ({
        links: [...document.querySelectorAll('a[href]')].map((a) => (a as HTMLAnchorElement).href),
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
      }));
      pageIds.set(path, new Set(ids));
      for (const href of links) {
        const url = new URL(href);
        if (url.origin !== origin) continue;
        if (url.hash) {
          const set = anchors.get(url.pathname) ?? new Set<string>();
          set.add(decodeURIComponent(url.hash.slice(1)));
          anchors.set(url.pathname, set);
        }
        if (!seen.has(url.pathname)) {
          seen.add(url.pathname);
          queue.push(url.pathname);
        }
      }
      for (const error of errors.splice(0)) problems.push(`${path}: ${error}`);
    }
    for (const [path, wanted] of anchors) {
      const ids = pageIds.get(path);
      if (!ids) continue; // reported above as a failed page
      for (const id of wanted) if (id !== '' && !ids.has(id)) problems.push(`${path}#${id}: no such anchor`);
    }
    await page.close();
    expect(problems).toEqual([]);
    // The crawl reached every section: concepts, guides, the generated API and CLI pages, results, the demo.
    const paths = [...seen];
    for (const expected of [
      '/concepts/adaptive-method',
      '/guides/backends',
      '/reference/cli',
      '/reference/api/',
      '/results/',
      '/demo',
    ]) {
      expect(
        paths.some((p) => p.includes(expected)),
        `crawled ${paths.join(', ')}`,
      ).toBe(true);
    }
    expect(seen.size).toBeGreaterThan(20);
  });

  it('renders the math (KaTeX) on the concept pages', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${base}concepts/adaptive-method.html`, { waitUntil: 'networkidle' });
    expect(await page.locator('.katex').count()).toBeGreaterThan(10);
    expect(await page.locator('.katex-error').count()).toBe(0);
    await page.screenshot({ path: join(output, 'concept-adaptive-method.png'), fullPage: false });
    await page.goto(base, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(output, 'home.png'), fullPage: false });
    expect(errors).toEqual([]);
    await page.close();
  });
});

interface DemoSummary {
  status: string;
  backend?: { name: string; threads: number; simd: boolean; crossOriginIsolated: boolean };
  updates: number;
  truncation?: number;
  initialTruncation?: number;
  truncationChanges: number;
  tokensPerSecond: number;
  lossFirst: number;
  lossLast: number;
  validPoints: number;
  profiles: number;
  error?: string;
}

describe('the demo', () => {
  it('trains on wasm: ≥ 100 updates, K moves, the loss falls, tokens/s shows; pause, resume and reset work', async () => {
    const { page, errors } = await openPage();
    const summary = () =>
      page.evaluate(() =>
        (window as unknown as { __tbpttDemo: { summary(): DemoSummary } }).__tbpttDemo.summary(),
      );
    const tensors = () =>
      page.evaluate(() =>
        (window as unknown as { __tbpttDemo: { liveTensors(): number } }).__tbpttDemo.liveTensors(),
      );
    // Seed 1 with a profile every 10 updates: K leaves its initial 15 at the first estimate.
    await page.goto(`${base}demo.html?backend=wasm&seed=1&refreshEvery=10`, { waitUntil: 'networkidle' });
    await page.waitForFunction(
      () => (window as unknown as { __tbpttDemo?: unknown }).__tbpttDemo !== undefined,
    );
    await page.getByTestId('demo-start').waitFor();
    await expect
      .poll(() => page.getByTestId('demo-backend').textContent(), { timeout: 30_000 })
      .toMatch(/^wasm/);
    const before = await tensors();

    await page.getByTestId('demo-start').click();
    await expect
      .poll(async () => (await summary()).updates, { timeout: 180_000, interval: 1000 })
      .toBeGreaterThanOrEqual(100);
    const running = await summary();
    expect(running.error).toBeUndefined();
    expect(running.status).toBe('running');
    expect(running.backend).toMatchObject({ name: 'wasm', simd: true, crossOriginIsolated: true });
    expect(running.initialTruncation).toBe(15);
    expect(running.truncationChanges).toBeGreaterThanOrEqual(1);
    expect(running.truncation).toBeGreaterThanOrEqual(2);
    expect(running.lossLast).toBeLessThan(running.lossFirst);
    expect(running.profiles).toBeGreaterThanOrEqual(5);
    expect(running.validPoints).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId('demo-tokens-per-second').textContent()).toMatch(/^\d[\d,]*$/);
    expect(await page.getByTestId('demo-k').textContent()).toContain('from 15');
    // Every chart has drawn marks (vega's SVG paths).
    for (const chart of ['loss', 'valid', 'truncation', 'bias', 'profile']) {
      expect(await page.getByTestId(`demo-chart-${chart}`).locator('svg path').count()).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(output, 'demo-training.png'), fullPage: true });
    console.log(
      `demo: ${running.updates} updates, K ${running.initialTruncation} → ${running.truncation} ` +
        `(${running.truncationChanges} changes), loss ${running.lossFirst.toFixed(3)} → ${running.lossLast.toFixed(3)}, ` +
        `${Math.round(running.tokensPerSecond)} tokens/s on ${JSON.stringify(running.backend)}`,
    );

    // Pause: no update runs while paused; resume carries on from the same update count.
    await page.getByTestId('demo-pause').click();
    await expect.poll(async () => (await summary()).status).toBe('paused');
    const paused = (await summary()).updates;
    await page.waitForTimeout(1500);
    expect((await summary()).updates).toBe(paused);
    expect(await page.getByTestId('demo-start').textContent()).toContain('Resume');
    await page.getByTestId('demo-start').click();
    await expect.poll(async () => (await summary()).updates, { timeout: 60_000 }).toBeGreaterThan(paused + 5);
    expect((await summary()).status).toBe('running');

    // Reset: training stops, the counters clear, and every tensor of the run is freed.
    await page.getByTestId('demo-reset').click();
    await expect.poll(async () => (await summary()).status).toBe('idle');
    expect(await page.getByTestId('demo-updates').textContent()).toBe('0');
    expect(await tensors()).toBe(before);
    // And a new run starts from scratch.
    await page.getByTestId('demo-start').click();
    await expect.poll(async () => (await summary()).updates, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('demo-reset').click();
    await expect.poll(async () => (await summary()).status).toBe('idle');
    expect(await tensors()).toBe(before);

    expect(errors).toEqual([]);
    await page.close();
  });
});
