import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { LAYER_KERNELS } from './fused-layer-run.js';
import {
  registerKernelFixes,
  STOCK_KERNELS_REPLACED,
  unregisterKernelFixes,
} from './register-kernel-fixes.js';
import { stockKernel } from './replace-kernel.js';
import { checkWasmBackendInternals, PINNED_WASM_BACKEND_VERSION } from './wasm-internals.js';

describe('registerKernelFixes (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => {
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm');
  });

  it("'replace' replaces the listed stock kernels, and unregisterKernelFixes puts the very same configs back", () => {
    const replaced = STOCK_KERNELS_REPLACED.wasm;
    const stock = replaced.map((name) => stockKernel(name, 'wasm'));
    replaced.forEach((name, i) => {
      expect(stock[i]).toBeDefined();
      expect(tf.getKernel(name, 'wasm')).not.toBe(stock[i]);
    });
    unregisterKernelFixes('wasm');
    replaced.forEach((name, i) => {
      expect(tf.getKernel(name, 'wasm')).toBe(stock[i]);
    });
    // wasm has no stock UnsortedSegmentSum: unregistering removes it.
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeUndefined();
    registerKernelFixes('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')).not.toBe(stock[0]);
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it("'own-only' replaces no stock kernel, and still adds the layer kernels and the missing segment sum", () => {
    unregisterKernelFixes('wasm');
    const before = STOCK_KERNELS_REPLACED.wasm.map((name) => tf.getKernel(name, 'wasm'));
    registerKernelFixes('wasm', { kernels: 'own-only' });
    STOCK_KERNELS_REPLACED.wasm.forEach((name, i) => {
      expect(tf.getKernel(name, 'wasm'), name).toBe(before[i]);
    });
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    for (const kernel of Object.values(LAYER_KERNELS)) {
      expect(tf.getKernel(kernel.kernelName, 'wasm')).toBeDefined();
    }
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm');
  });

  it('is idempotent and honours its options; refuses an unknown mode', () => {
    registerKernelFixes('wasm');
    const wrapped = tf.getKernel('BatchMatMul', 'wasm');
    registerKernelFixes('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(wrapped);
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm', { transposingMatMul: false });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stockKernel('BatchMatMul', 'wasm'));
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm');
    expect(() => registerKernelFixes('wasm', { kernels: 'all' as never })).toThrow(
      /registerKernelFixes: options.kernels must be "replace" or "own-only", got "all"/,
    );
  });
});

describe('the wasm backend internals check', () => {
  it('passes on the installed backend, which is the pinned version', async () => {
    await selectBackend('wasm');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    expect(wasm.version_wasm).toBe(PINNED_WASM_BACKEND_VERSION);
    expect(() => checkWasmBackendInternals(tf.engine().registry.wasm!)).not.toThrow();
  });

  it('names the missing fields, the pinned version and the fix', () => {
    const fake = { wasm: { HEAPU8: { buffer: new ArrayBuffer(8) } }, makeOutput() {}, disposeData() {} };
    expect(() => checkWasmBackendInternals(fake as unknown as tf.KernelBackend)).toThrow(
      new RegExp(
        `lacks the internals .*\\(dataIdMap.get/has, incRef\\(\\)\\); @tbptt/models is built against exactly ` +
          `${PINNED_WASM_BACKEND_VERSION.replace(/\./g, '\\.')}\\. Install that version`,
      ),
    );
  });

  it('matches the exact version package.json pins', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.dependencies['@tensorflow/tfjs-backend-wasm']).toBe(PINNED_WASM_BACKEND_VERSION);
  });
});
