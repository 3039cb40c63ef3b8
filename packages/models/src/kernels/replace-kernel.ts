import type { KernelConfig } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';

/** Kernels as tfjs registered them before this package replaced them (undefined: there was none). */
const stockKernels = new Map<string, KernelConfig | undefined>();

const keyOf = (kernelName: string, backendName: string) => `${backendName}/${kernelName}`;

/**
 * The kernel tfjs (or the backend package) registered for `kernelName` on `backendName`, before any
 * replacement by this package; undefined when there was none.
 */
export function stockKernel(kernelName: string, backendName: string): KernelConfig | undefined {
  const key = keyOf(kernelName, backendName);
  return stockKernels.has(key) ? stockKernels.get(key) : tf.getKernel(kernelName, backendName);
}

/**
 * Registers `config` in place of the current kernel of the same name and backend, remembering the stock
 * one. `makeConfig` receives the stock kernel (to wrap it) and is called once per backend: replacing is
 * idempotent. The stock kernel's setup function is kept, so this works before or after the backend starts.
 */
export function replaceKernel(
  kernelName: string,
  backendName: string,
  makeConfig: (stock: KernelConfig | undefined) => KernelConfig,
): void {
  const key = keyOf(kernelName, backendName);
  if (stockKernels.has(key)) return;
  const stock = tf.getKernel(kernelName, backendName);
  stockKernels.set(key, stock);
  const config = makeConfig(stock);
  if (stock != null) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ ...config, setupFunc: config.setupFunc ?? stock?.setupFunc });
}

/** Puts the stock kernel back (for tests and benchmarks that compare against it). */
export function restoreStockKernel(kernelName: string, backendName: string): void {
  const key = keyOf(kernelName, backendName);
  if (!stockKernels.has(key)) return;
  const stock = stockKernels.get(key);
  stockKernels.delete(key);
  tf.unregisterKernel(kernelName, backendName);
  if (stock != null) tf.registerKernel(stock);
}
