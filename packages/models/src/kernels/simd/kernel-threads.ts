// `-node` resolves to the browser variant in the browser build (scripts/browser-build.ts).
import { startKernelWorker } from './kernel-workers-node';

/**
 * This package's own kernels on several threads, for tfjs-backend-wasm's threaded build (whose XNNPACK
 * splits only its own products): a small pool of workers, each with an instance of the kernels'
 * shared-memory module on the backend's own `WebAssembly.Memory` (the same heap, no copies).
 *
 * A call is split into parts of its output — rows of z, dx and the softmax outputs, rows of dW (columns
 * of z) — each computed by the kernel's `<kernel>_part` export exactly as the whole kernel computes it, so
 * that the result is bit-identical to one thread's and no thread sums into another's output. The calling
 * thread publishes the job, claims parts itself, and waits until every claimed part is done; the parts
 * are claimed one at a time from a shared counter, so a worker that wakes late (a loaded machine) takes
 * fewer parts instead of holding the call up.
 *
 * Control block (an Int32Array on its own SharedArrayBuffer):
 *
 *     [TICKET]     unclaimed parts of the current job (0: none; STOPPED: the pool is shut down).
 *                  Workers sleep in Atomics.wait while it is 0; a part is claimed by decrementing it
 *                  with compare-and-swap: part index = PARTS − (the value claimed).
 *     [COMPLETED]  parts done; the caller waits for it to reach PARTS.
 *     [FAILED]     1 when a part threw on a worker.
 *     [KERNEL] [TOTAL] [PART] [PARTS] [ARGC]   the job: kernel index, output length, part length,
 *                  part count, argument count; the arguments as float64 from byte ARGS_BYTE_OFFSET.
 *     [WORKER_PARTS]  parts the workers have run since the pool started (for tests and benchmarks).
 *     [READY]      workers that have instantiated the module and serve jobs.
 *     [NOT_STARTED]  workers whose module would not instantiate (they never claim a part).
 *     [SPIN_MICROS]  how long an idle worker polls TICKET before it sleeps, and the caller polls
 *                  COMPLETED before it blocks, in microseconds ({@link KernelThreads.spinMicros}).
 *
 * The caller writes a job only when the previous one is complete (every part claimed and done), and
 * publishes it by storing TICKET last; a worker reads the fields only after a successful claim, so it
 * never mixes two jobs.
 *
 * The caller blocks in Atomics.wait for the last parts where it can (Node, and workers); on a browser's
 * main thread, where Atomics.wait throws, it spins on Atomics.load instead. The spin is bounded by the
 * parts workers have claimed and not finished (never more than one part each), and the call is
 * synchronous either way, so it blocks the main thread no longer than one thread doing the whole call would.
 *
 * A worker that dies (terminated, out of memory) while it holds a part would leave the caller waiting
 * forever: the part is never counted, and running it again is unsafe (the layer loops' parts update their
 * carried state in place, so a half-run part cannot be repeated). So the caller waits in slices and gives
 * up when no part has finished for {@link KernelThreadsOptions.stallMs}: the pool stops (its workers are
 * terminated; the backend's kernels run on one thread from then on) and the call throws, naming the kernel.
 */

/** The kernels with a `<kernel>_part` export (wasm/tbptt-kernels.c, "Parts of kernels, for threads"). */
export const SPLIT_KERNELS = [
  'linear_forward',
  'linear_backward_input',
  'linear_backward_weight',
  'softmax_ce_forward',
  'softmax_ce_backward',
  'lstm_layer_forward',
  'lstm_layer_backward_rows',
  'gru_layer_forward',
  'gru_layer_backward_rows',
  'rnn_layer_forward',
  'rnn_layer_backward_rows',
  'layer_recurrent_grad',
  'layer_input_forward',
  'layer_input_grad_weight',
  'layer_input_grad_input',
] as const;
export type SplitKernel = (typeof SPLIT_KERNELS)[number];

const TICKET = 0;
const COMPLETED = 1;
const FAILED = 2;
const KERNEL = 3;
const TOTAL = 4;
const PART = 5;
const PARTS = 6;
const ARGC = 7;
const WORKER_PARTS = 8;
const READY = 9;
const NOT_STARTED = 10;
const SPIN_MICROS = 11;
const ARGS_BYTE_OFFSET = 64;
const MAX_ARGS = 16;
const STOPPED = -1;
const CONTROL_BYTES = ARGS_BYTE_OFFSET + 8 * MAX_ARGS;

/** Parts per thread of a split call: a few, so that a worker that starts late still takes a share. */
export const PARTS_PER_THREAD = 4;

/** The most parts of one call (the ticket counts them down). */
const MAX_PARTS = 64;

/** How much longer than the shortest possible the longest thread's share of a split call may be. */
const SPAN_TOLERANCE = 1.1;

/**
 * Rows per part of a call over `total` rows in multiples of `grain` on `threads` threads. Parts are claimed
 * in turn, so with equal threads the longest thread runs ⌈parts / threads⌉ of them; the size is the one
 * nearest {@link PARTS_PER_THREAD} parts per thread among those whose longest share is within
 * {@link SPAN_TOLERANCE} of the shortest any part size gives. (A count of parts fixed in advance splits few
 * rows unevenly: 20 batch rows in 5 parts of 4 give one of 2 threads 12 rows; 10 parts of 2 give 10 each.)
 */
export function partRowsFor(
  total: number,
  grain: number,
  threads: number,
  partsPerThread = PARTS_PER_THREAD,
): number {
  const units = Math.max(1, Math.ceil(total / grain));
  const wanted = Math.min(MAX_PARTS, threads * partsPerThread);
  const first = Math.ceil(units / MAX_PARTS);
  // The longest share: thread 0's ⌈parts / threads⌉ parts, the last of them the short last part when
  // the count leaves it to thread 0.
  const span = (m: number) => {
    const rows = m * grain;
    const parts = Math.ceil(total / rows);
    const most = Math.ceil(parts / threads);
    return (parts - 1) % threads === 0 ? (most - 1) * rows + (total - (parts - 1) * rows) : most * rows;
  };
  let shortest = Number.POSITIVE_INFINITY;
  for (let m = first; m <= units; m++) shortest = Math.min(shortest, span(m));
  let best = units * grain;
  let bestGap = Number.POSITIVE_INFINITY;
  for (let m = first; m <= units; m++) {
    if (span(m) > shortest * SPAN_TOLERANCE) continue;
    const gap = Math.abs(Math.ceil(total / (m * grain)) - wanted);
    if (gap < bestGap) {
      best = m * grain;
      bestGap = gap;
    }
  }
  return best;
}

/** How long {@link startKernelThreads} waits for its workers to serve jobs (they need not: see below). */
const READY_TIMEOUT_MS = 10_000;

/**
 * How long a split call waits with no part finishing before it declares a worker dead (the default of
 * {@link KernelThreadsOptions.stallMs}). A part is a few milliseconds of work; a minute covers a worker
 * descheduled on a machine loaded far beyond its cores.
 */
export const STALL_MS = 60_000;

/** How long one Atomics.wait of a waiting caller lasts before it looks at the clock. */
const WAIT_SLICE_MS = 100;

/**
 * How long an idle worker polls for the next job before it sleeps, and a caller polls for the last parts
 * before it blocks (the default of {@link KernelThreadsOptions.spinMicros}). A training step makes a split
 * call every fraction of a millisecond, so the workers stay awake through a step and sleep between runs;
 * waking a sleeping one costs a futex wake, and on a virtual machine the wake of a halted vCPU. Measured
 * with bench/step-threads.ts on the 2-core machine, quiet (issue 12): the copy step 0.85–0.94× and the
 * word-LM step 0.94× the time of the same splits sleeping at once, for 1–2 ms more CPU time per copy step.
 */
export const DEFAULT_SPIN_MICROS = 500;

/** Options of {@link startKernelThreads}. */
export interface KernelThreadsOptions {
  /** A split call waiting this long with no part finishing stops the pool and throws (default {@link STALL_MS}). */
  stallMs?: number;
  /** Polling before sleeping, in microseconds (default {@link DEFAULT_SPIN_MICROS}; 0: sleep at once). */
  spinMicros?: number;
  /** Starts one worker (default: the platform's, kernel-workers-node.ts / kernel-workers-browser.ts). */
  startWorker?: (init: KernelWorkerInit) => Promise<KernelWorkerHandle | null>;
}

/** A started worker, as the platform's starter returns it. */
export interface KernelWorkerHandle {
  terminate(): void;
}

/** What a worker is started with (Node: `workerData`; browsers: its first message). */
export interface KernelWorkerInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  kernels: readonly string[];
}

type PartFunction = (...args: number[]) => void;

/** A pool of kernel workers on one backend's memory (see the file comment). */
export interface KernelThreads {
  /** Threads that run a split call: the caller and the workers that serve jobs. */
  readonly threads: number;
  /**
   * Runs `kernel` over the output rows [0, total) in parts of a multiple of `grain` rows, on the caller and
   * the workers; returns when every part is done. `args` are the whole kernel's arguments. With
   * `callerTakesParts` false the caller only waits, and the workers run every part (for tests).
   * `partsPerThread` (default {@link PARTS_PER_THREAD}): how many parts per thread the rows are cut into.
   */
  run(
    kernel: SplitKernel,
    args: readonly number[],
    total: number,
    grain: number,
    callerTakesParts?: boolean,
    partsPerThread?: number,
  ): void;
  /** How long idle threads poll before sleeping, in microseconds; settable while the pool runs. */
  spinMicros: number;
  /** Parts the workers (not the caller) have run so far. */
  readonly workerParts: number;
  /** True once stopped: by {@link stop}, or after a call gave up on a dead worker. */
  readonly stopped: boolean;
  /** Stops the workers (the pool cannot be used afterwards). */
  stop(): void;
}

function checkSpin(micros: number): number {
  if (!Number.isInteger(micros) || micros < 0 || micros > 1_000_000) {
    throw new Error(`kernel-threads: spinMicros must be an integer from 0 to 1000000, got ${micros}`);
  }
  return micros;
}

/** True when this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `threads − 1` kernel workers on `memory` (a shared memory) with the shared-memory kernel module,
 * and returns the pool; `exports` are the caller's own instance of the same module. Null when workers
 * cannot be started here (no worker API, or not cross-origin isolated in a browser).
 */
export async function startKernelThreads(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  exports: Record<string, unknown>,
  threads: number,
  options: KernelThreadsOptions = {},
): Promise<KernelThreads | null> {
  const { stallMs = STALL_MS, startWorker = startKernelWorker, spinMicros = DEFAULT_SPIN_MICROS } = options;
  if (threads < 2 || typeof SharedArrayBuffer === 'undefined') return null;
  const controlBuffer = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(controlBuffer);
  control[SPIN_MICROS] = checkSpin(spinMicros);
  const args = new Float64Array(controlBuffer, ARGS_BYTE_OFFSET, MAX_ARGS);
  const init: KernelWorkerInit = { module, memory, control: controlBuffer, kernels: SPLIT_KERNELS };
  const workers: KernelWorkerHandle[] = [];
  for (let i = 1; i < threads; i++) {
    const worker = await startWorker(init);
    if (worker == null) break;
    workers.push(worker);
  }
  if (workers.length === 0) return null;
  // Wait (yielding: a browser starts workers from its event loop) until the workers serve jobs, so that
  // the first calls are split too. Correctness does not depend on it: parts nobody else claims, the
  // caller runs itself.
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const settled = () => Atomics.load(control, READY) + Atomics.load(control, NOT_STARTED);
  while (settled() < workers.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (Atomics.load(control, NOT_STARTED) === workers.length) {
    for (const worker of workers) worker.terminate();
    return null;
  }
  const parts = SPLIT_KERNELS.map((name) => exports[`${name}_part`] as PartFunction);
  const blocking = canBlock();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    Atomics.store(control, TICKET, STOPPED);
    Atomics.notify(control, TICKET);
    for (const worker of workers) worker.terminate();
  };
  /** partRowsFor's answers by total and grain (a training run repeats a few shapes). */
  const partSizes = new Map<string, number>();

  /** Claims and runs parts until none is left; returns the first error of a part run here. */
  const work = (
    part: PartFunction,
    values: readonly number[],
    partRows: number,
    count: number,
    total: number,
  ) => {
    let failure: unknown;
    for (;;) {
      const ticket = Atomics.load(control, TICKET);
      if (ticket <= 0) return failure;
      if (Atomics.compareExchange(control, TICKET, ticket, ticket - 1) !== ticket) continue;
      const lo = (count - ticket) * partRows;
      try {
        // After a failure the remaining claimed parts are only counted (the call throws anyway).
        if (failure === undefined) part(...values, lo, Math.min(lo + partRows, total));
      } catch (error) {
        failure = error;
      }
      Atomics.add(control, COMPLETED, 1);
    }
  };

  return {
    get threads() {
      return 1 + Atomics.load(control, READY);
    },
    get workerParts() {
      return Atomics.load(control, WORKER_PARTS);
    },
    get stopped() {
      return stopped;
    },
    get spinMicros() {
      return Atomics.load(control, SPIN_MICROS);
    },
    set spinMicros(micros: number) {
      Atomics.store(control, SPIN_MICROS, checkSpin(micros));
    },
    run(kernel, values, total, grain, callerTakesParts = true, partsPerThread = PARTS_PER_THREAD) {
      if (stopped) throw new Error(`kernel-threads: ${kernel} called on a stopped pool`);
      if (values.length > MAX_ARGS) {
        throw new Error(`kernel-threads: ${kernel} has ${values.length} arguments, at most ${MAX_ARGS} fit`);
      }
      const index = SPLIT_KERNELS.indexOf(kernel);
      const part = parts[index]!;
      const key = `${total} ${grain} ${partsPerThread}`;
      let partRows = partSizes.get(key);
      if (partRows == null) {
        partRows = partRowsFor(total, grain, workers.length + 1, partsPerThread);
        if (partSizes.size > 256) partSizes.clear();
        partSizes.set(key, partRows);
      }
      const count = Math.ceil(total / partRows);
      if (count < 2 && callerTakesParts) {
        part(...values, 0, total);
        return;
      }
      if (!callerTakesParts && Atomics.load(control, READY) === 0) {
        throw new Error(
          `kernel-threads: ${kernel} with callerTakesParts false needs a worker that serves jobs`,
        );
      }
      control[KERNEL] = index;
      control[TOTAL] = total;
      control[PART] = partRows;
      control[PARTS] = count;
      control[ARGC] = values.length;
      for (let i = 0; i < values.length; i++) args[i] = values[i]!;
      Atomics.store(control, COMPLETED, 0);
      Atomics.store(control, FAILED, 0);
      Atomics.store(control, TICKET, count);
      Atomics.notify(control, TICKET);
      const failure = callerTakesParts ? work(part, values, partRows, count, total) : undefined;
      // The last parts are the workers' (at most one each): poll for them a while before blocking.
      const spin = Atomics.load(control, SPIN_MICROS);
      if (spin > 0 && Atomics.load(control, COMPLETED) !== count) {
        const until = performance.now() + spin / 1000;
        while (Atomics.load(control, COMPLETED) !== count && performance.now() < until);
      }
      let seen = -1;
      let since = 0;
      for (;;) {
        const done = Atomics.load(control, COMPLETED);
        if (done === count) break;
        const now = performance.now();
        if (done !== seen) {
          seen = done;
          since = now;
        } else if (now - since > stallMs) {
          stop();
          throw new Error(
            `kernel-threads: ${kernel}: ${count - done} of its ${count} parts did not finish within ` +
              `${(stallMs / 1000).toFixed(1)} s: a kernel worker has stopped (it died or hangs), and ` +
              "this call's outputs are incomplete. Its kernel threads are now off (every later call runs " +
              'on one thread); run again, and if it recurs, train with { threads: 1 }',
          );
        }
        if (blocking) Atomics.wait(control, COMPLETED, done, WAIT_SLICE_MS);
      }
      if (failure !== undefined) throw failure;
      if (Atomics.load(control, FAILED) !== 0) {
        throw new Error(
          `kernel-threads: ${kernel} failed on a worker thread (a part of its ${total} output rows); ` +
            'the same call on one thread (setKernelThreads(false)) shows the error',
        );
      }
    },
    stop,
  };
}
