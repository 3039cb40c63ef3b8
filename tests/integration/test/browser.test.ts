import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const consumer = inject('consumer');
const web = path.join(consumer, 'web');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: Server;
let origin: string;
let browser: BrowserContext;
let userDataDir: string;
const sizes: Record<string, { bytes: number; gzip: number }> = {};

function measure(label: string, file: string): void {
  const bytes = readFileSync(file);
  sizes[label] = { bytes: bytes.byteLength, gzip: gzipSync(bytes).byteLength };
}

beforeAll(async () => {
  rmSync(web, { recursive: true, force: true });
  mkdirSync(path.join(web, 'wasm'), { recursive: true });
  copyFileSync(
    path.join(import.meta.dirname, '../fixtures/browser-entry.mjs'),
    path.join(consumer, 'browser-entry.mjs'),
  );
  // esbuild, browser platform, nothing external: every import (node: ones included) must resolve for browsers.
  await esbuild({
    absWorkingDir: consumer,
    entryPoints: ['browser-entry.mjs'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    outfile: path.join(web, 'bundle.js'),
    logLevel: 'error',
  });
  measure('esbuild (core + models + datasets + estimators, minified)', path.join(web, 'bundle.js'));
  // Each package's browser entry alone.
  for (const name of ['random', 'estimators', 'datasets', 'models', 'core']) {
    const out = path.join(consumer, 'web-sizes', `${name}.js`);
    await esbuild({
      absWorkingDir: consumer,
      stdin: { contents: `export * from '@tbptt/${name}';`, resolveDir: consumer },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      outfile: out,
      logLevel: 'error',
    });
    measure(`@tbptt/${name} alone (esbuild, minified, its dependencies included)`, out);
  }
  // Vite (Rollup), the same entry, no externals.
  writeFileSync(
    path.join(consumer, 'index.html'),
    '<!doctype html><script type="module" src="./browser-entry.mjs"></script>\n',
  );
  await viteBuild({
    root: consumer,
    logLevel: 'error',
    configFile: false,
    build: { outDir: path.join(consumer, 'vite-dist'), emptyOutDir: true, chunkSizeWarningLimit: 10_000 },
  });
  const assets = path.join(consumer, 'vite-dist', 'assets');
  const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
  const viteBytes = js.reduce((n, f) => n + readFileSync(path.join(assets, f)).byteLength, 0);
  const viteGzip = js.reduce((n, f) => n + gzipSync(readFileSync(path.join(assets, f))).byteLength, 0);
  sizes['vite build (all chunks)'] = { bytes: viteBytes, gzip: viteGzip };
  // The wasm binaries, where the README says they are, served from /wasm/.
  const wasmDist = path.join(consumer, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(path.join(wasmDist, f), path.join(web, 'wasm', f));
  }
  writeFileSync(
    path.join(web, 'index.html'),
    '<!doctype html><script type="module" src="/bundle.js"></script>\n',
  );
  server = createServer((req, res) => {
    const file = path.join(web, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const body = readFileSync(file.endsWith('/') ? path.join(file, 'index.html') : file);
      const type = file.endsWith('.wasm')
        ? 'application/wasm'
        : file.endsWith('.js')
          ? 'text/javascript'
          : 'text/html';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  userDataDir = mkdtempSync(path.join(tmpdir(), 'tbptt-chromium-'));
  // A fresh profile (--user-data-dir, which Playwright takes as this argument).
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
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
  await browser?.close();
  server?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  console.log(
    `browser bundle sizes:\n${Object.entries(sizes)
      .map(([k, v]) => `  ${k}: ${(v.bytes / 1024).toFixed(0)} KiB (${(v.gzip / 1024).toFixed(0)} KiB gzip)`)
      .join('\n')}`,
  );
});

/** Opens a fresh page (a fresh tfjs), runs `runTraining(choice, options)` there. */
async function inPage(choice: string, options: Record<string, unknown>) {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
    return await page.evaluate(
      ([c, o]) =>
        (globalThis as unknown as { runTraining: (c: string, o: unknown) => Promise<unknown> }).runTraining(
          c,
          o,
        ),
      [choice, options] as const,
    );
  } finally {
    await page.close();
    expect(errors).toEqual([]);
  }
}

interface PageResult {
  backend: string;
  reports: { backend: string; skipped: { backend: string; installed: boolean; reason: string }[] }[];
  updates: number;
  first: number;
  last: number;
  truncations: number[];
  checkpointBytes: number;
  copy: string;
  lmColumns: number;
}

describe('the browser entries in headless Chromium', () => {
  it.each(['wasm', 'cpu'])(
    'train on %s: the loss falls, K stays in [2, 8], checkpoints in memory',
    async (backend) => {
      const r = (await inPage(backend, { wasmPaths: '/wasm/' })) as PageResult;
      expect(r.backend).toBe(backend);
      expect(r.updates).toBe(60);
      expect(r.last).toBeLessThan(r.first);
      for (const K of r.truncations) {
        expect(K).toBeGreaterThanOrEqual(2);
        expect(K).toBeLessThanOrEqual(8);
      }
      expect(r.checkpointBytes).toBeGreaterThan(1000);
      expect(r.copy).toBe('page-copy/update-000000060');
      expect(r.lmColumns).toBe(2);
    },
  );

  it("'auto' says why it skipped webgpu and webgl (not imported by the page) and runs wasm", async () => {
    const r = (await inPage('auto', { wasmPaths: '/wasm/' })) as PageResult;
    expect(r.backend).toBe('wasm');
    const skipped = r.reports[0]!.skipped;
    expect(skipped.map((s) => [s.backend, s.installed])).toEqual([
      ['webgpu', false],
      ['webgl', false],
    ]);
    expect(skipped[1]!.reason).toMatch(/import '@tensorflow\/tfjs-backend-webgl'/);
  });

  it('wasm without its binaries fails loudly, naming wasmPaths, instead of running on cpu', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true);
      const message = await page.evaluate(() =>
        (globalThis as unknown as { runTraining: (c: string, o: unknown) => Promise<unknown> })
          .runTraining('wasm', { wasmPaths: '/missing/' })
          .then(
            () => 'no error',
            (e: Error) => e.message,
          ),
      );
      expect(message).toMatch(/selectBackend: backend "wasm" could not be initialised/);
      expect(message).toMatch(/wasmPaths/);
    } finally {
      await page.close();
    }
  });
});
