import type { KernelWorkerHandle, KernelWorkerInit } from './kernel-threads.js';
import { KERNEL_WORKER_SOURCE } from './kernel-worker-source.js';

/**
 * Browsers: starts one kernel worker (a Web Worker from a Blob URL), or none where a shared memory cannot
 * be passed to it (the page is not cross-origin isolated, or there is no Worker).
 */
export async function startKernelWorker(init: KernelWorkerInit): Promise<KernelWorkerHandle | null> {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: typeof Worker };
  if (g.Worker == null || g.crossOriginIsolated !== true) return null;
  const url = URL.createObjectURL(new Blob([KERNEL_WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new g.Worker(url);
  worker.onerror = (event) =>
    console.warn(`@tbptt/models: a kernel worker stopped: ${event.message ?? 'error'}`);
  worker.postMessage(init);
  return {
    terminate() {
      worker.terminate();
      // Kept until now: the worker may fetch its script after the constructor returns.
      URL.revokeObjectURL(url);
    },
  };
}
