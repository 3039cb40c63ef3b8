import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/select-backend.js';
import { lstmPointwise } from '../cells/lstm-pointwise.js';
import { getPointwiseKernels } from '../cells/pointwise-kernels.js';
import { fusedLstmPointwise } from './lstm-cell-kernel.js';
import { registerKernelFixes, unregisterKernelFixes } from './register-kernel-fixes.js';
import { stockKernel } from './replace-kernel.js';

describe('registerKernelFixes (wasm)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(() => {
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm');
  });

  it('replaces the stock kernels, and unregisterKernelFixes puts the very same configs back', () => {
    const replaced = ['BatchMatMul', '_FusedMatMul', 'Identity', 'Slice', 'Unpack', 'Sum'];
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

  it('is idempotent and honours its options', () => {
    registerKernelFixes('wasm');
    const wrapped = tf.getKernel('BatchMatMul', 'wasm');
    registerKernelFixes('wasm');
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(wrapped);
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm', { transposingMatMul: false, fusedCells: false });
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(stockKernel('BatchMatMul', 'wasm'));
    expect(getPointwiseKernels().lstm).toBe(lstmPointwise);
    unregisterKernelFixes('wasm');
    registerKernelFixes('wasm');
    expect(getPointwiseKernels().lstm).toBe(fusedLstmPointwise);
  });
});
