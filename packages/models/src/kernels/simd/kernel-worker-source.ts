/**
 * The script of a kernel worker (kernel-threads.ts), as source text: Node starts it with
 * `new Worker(source, { eval: true, workerData })`, a browser from a Blob URL and one message. Plain
 * JavaScript that runs as a CommonJS script (Node) and as a classic worker script (browsers).
 *
 * The worker instantiates the kernels' shared-memory module on the backend's own `WebAssembly.Memory`
 * (the same memory, no copy), then serves jobs from the control block forever: it polls the ticket word
 * for the pool's spin time, then blocks in `Atomics.wait` on it until a job is published, claims parts by
 * compare-and-swap, runs `<kernel>_part(...args, lo, hi)` for each, and counts it done. The layout and the protocol are
 * described in kernel-threads.ts, whose constants these mirror.
 */
export const KERNEL_WORKER_SOURCE = `'use strict';
const TICKET = 0, COMPLETED = 1, FAILED = 2, KERNEL = 3, TOTAL = 4, PART = 5, PARTS = 6, ARGC = 7;
const WORKER_PARTS = 8, READY = 9, NOT_STARTED = 10, SPIN_MICROS = 11;
const ARGS_BYTE_OFFSET = 64, MAX_ARGS = 16, STOPPED = -1;

function serve(init) {
  const control = new Int32Array(init.control);
  let parts;
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
    parts = init.kernels.map((name) => instance.exports[name + '_part']);
  } catch (error) {
    // Counted, so that the caller stops waiting for this worker; it never claims a part.
    Atomics.add(control, NOT_STARTED, 1);
    throw error;
  }
  const args = new Float64Array(init.control, ARGS_BYTE_OFFSET, MAX_ARGS);
  Atomics.add(control, READY, 1);
  for (;;) {
    const ticket = Atomics.load(control, TICKET);
    if (ticket === STOPPED) return;
    if (ticket === 0) {
      // Poll for a while before sleeping: a sleeping thread's core may idle, and waking it (on a virtual
      // machine, a halted vCPU) can take longer than a part's work.
      const spin = Atomics.load(control, SPIN_MICROS);
      if (spin > 0) {
        const until = performance.now() + spin / 1000;
        while (Atomics.load(control, TICKET) === 0 && performance.now() < until);
      }
      // Returns at once when a job came in meanwhile (the word is no longer 0).
      Atomics.wait(control, TICKET, 0);
      continue;
    }
    // A part is claimed while the job still has unclaimed parts, so the job's fields read after the
    // claim are that job's: the caller rewrites them only after every claimed part is done.
    if (Atomics.compareExchange(control, TICKET, ticket, ticket - 1) !== ticket) continue;
    const parts_ = control[PARTS], part = control[PART], total = control[TOTAL];
    const lo = (parts_ - ticket) * part;
    const hi = Math.min(lo + part, total);
    try {
      const a = Array.from(args.subarray(0, control[ARGC]));
      parts[control[KERNEL]](...a, lo, hi);
    } catch (error) {
      Atomics.store(control, FAILED, 1);
    }
    Atomics.add(control, WORKER_PARTS, 1);
    if (Atomics.add(control, COMPLETED, 1) + 1 === parts_) Atomics.notify(control, COMPLETED);
  }
}

const threads = typeof require === 'function' ? require('node:worker_threads') : null;
if (threads != null && threads.workerData != null) serve(threads.workerData);
else self.onmessage = (event) => serve(event.data);
`;
