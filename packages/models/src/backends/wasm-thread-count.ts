/** The most threads the threaded-SIMD build can use: it pre-creates 8 pthread workers, XNNPACK caps at 8. */
export const MAX_WASM_THREADS = 8;

/** Checks a thread count; `label` names the function and argument in the error (e.g. `'f: threads'`). */
export function checkWasmThreads(threads: unknown, label: string): number {
  if (
    typeof threads !== 'number' ||
    !Number.isInteger(threads) ||
    threads < 1 ||
    threads > MAX_WASM_THREADS
  ) {
    throw new Error(
      `${label} must be an integer from 1 to ${MAX_WASM_THREADS}, got ${JSON.stringify(threads)}; ` +
        'use 1 (the default, single-threaded) or the number of cores.',
    );
  }
  return threads;
}

/** The thread count the registered 'wasm' factory gives: 1 for the stock factory in Node. */
let registeredThreads = 1;

/** The thread count the registered (or active) `'wasm'` backend was set up with by this package. */
export function wasmThreads(): number {
  return registeredThreads;
}

/** Records the thread count of the 'wasm' factory this package registered (wasm-threads.ts). */
export function setWasmThreads(threads: number): void {
  registeredThreads = threads;
}
