import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BackendChoice, type BackendReport, selectBackend } from './select-backend.js';

describe('selectBackend', () => {
  it('activates wasm and cpu, and registers gradients and the kernel fixes', async () => {
    expect(await selectBackend('cpu')).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getKernel('UnsortedSegmentSum', 'cpu')).toBeDefined();
    expect(await selectBackend('wasm')).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getGradient('BatchMatMul')).toBeDefined();
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
  });

  it("'auto' in Node picks tensorflow when @tensorflow/tfjs-node loads, else wasm", async () => {
    let nativeAvailable = true;
    try {
      const name = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ name);
    } catch {
      nativeAvailable = false;
    }
    expect(await selectBackend('auto')).toBe(nativeAvailable ? 'tensorflow' : 'wasm');
  });

  it('an unavailable backend says how to get it', async () => {
    let nativeAvailable = true;
    try {
      const name = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ name);
    } catch {
      nativeAvailable = false;
    }
    if (!nativeAvailable) {
      await expect(selectBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node/);
    }
    // No WebGL in Node.
    await expect(selectBackend('webgl')).rejects.toThrow(/selectBackend: backend "webgl"/);
    await expect(selectBackend('webgpu')).rejects.toThrow(/navigator\.gpu|not available/);
  });

  it("reports which backend runs and why 'auto' skipped the ones before it", async () => {
    let nativeAvailable = true;
    try {
      const name = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ name);
    } catch {
      nativeAvailable = false;
    }
    if (nativeAvailable) return;
    const reports: BackendReport[] = [];
    expect(await selectBackend('auto', { onReport: (r) => reports.push(r) })).toBe('wasm');
    expect(reports).toHaveLength(1);
    expect(reports[0]!.backend).toBe('wasm');
    expect(reports[0]!.skipped.map((s) => [s.backend, s.installed])).toEqual([['tensorflow', false]]);
    expect(reports[0]!.skipped[0]!.reason).toMatch(/npm install @tensorflow\/tfjs-node/);
  });

  it('rejects an unknown name, naming the argument and the value', async () => {
    await expect(selectBackend('tpu' as BackendChoice)).rejects.toThrow(/choice must be .* got "tpu"/);
  });
});
