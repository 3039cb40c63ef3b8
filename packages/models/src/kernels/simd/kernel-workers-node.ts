import type { KernelWorkerHandle, KernelWorkerInit } from './kernel-threads.js';
import { KERNEL_WORKER_SOURCE } from './kernel-worker-source.js';

/**
 * Node: starts one kernel worker (`worker_threads`, the script from source with `{ eval: true }`), unref'd
 * so that it never keeps Node from exiting (it only ever works inside a synchronous kernel call).
 */
export async function startKernelWorker(init: KernelWorkerInit): Promise<KernelWorkerHandle | null> {
  const { Worker } = await import('node:worker_threads');
  // The script is CommonJS: drop an inherited --input-type=module (a `node --input-type=module -e` host).
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  const worker = new Worker(KERNEL_WORKER_SOURCE, { eval: true, workerData: init, execArgv });
  worker.unref();
  // An error in the script itself (not in a part, which the script catches): the pool's caller does
  // the work alone from then on; report it rather than crash the process.
  worker.on('error', (error) => console.warn(`@tbptt/models: a kernel worker stopped: ${error.message}`));
  return worker;
}
