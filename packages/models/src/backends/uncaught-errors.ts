/** The process events whose handlers a backend must not take over. */
const EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

type Listener = (...args: unknown[]) => void;

/** The part of Node's `process` used here (absent in browsers). */
interface ProcessEvents {
  listeners(event: string): Listener[];
  removeListener(event: string, listener: Listener): unknown;
}

/**
 * Emscripten's Node glue (tfjs-backend-wasm's `tf-backend-wasm.node.js`, threaded or not) installs
 * `process.on('uncaughtException', ex => { if (!(ex instanceof ExitStatus)) throw ex })` and
 * `process.on('unhandledRejection', reason => { throw reason })` when the wasm module is instantiated. Rethrowing
 * inside a handler is an internal failure in Node: every later uncaught error of the user's own code is then
 * reported with the handler's minified source (tens of KB), blamed on the backend, and exits with code 7 instead
 * of Node's usual message, stack and exit code 1. (tfjs's own `_dispose` means to remove them but its filter is
 * always false.)
 *
 * Runs `load` (which may instantiate such a module) and then removes the `uncaughtException` /
 * `unhandledRejection` listeners that appeared during it and look like emscripten's (their source rethrows, or
 * tests `ExitStatus`); listeners anyone else added meanwhile stay. The backend's own errors still surface: they
 * are thrown or rejected as before, now reported by Node itself. No-op outside Node.
 */
export async function withoutEmscriptenHandlers<T>(load: () => Promise<T>): Promise<T> {
  const proc = (globalThis as { process?: ProcessEvents }).process;
  if (typeof proc?.listeners !== 'function' || typeof proc.removeListener !== 'function') return load();
  const before = new Map(EVENTS.map((event) => [event, new Set(proc.listeners(event))]));
  try {
    return await load();
  } finally {
    for (const event of EVENTS) {
      for (const listener of proc.listeners(event)) {
        if (!before.get(event)!.has(listener) && isEmscriptenHandler(listener)) {
          proc.removeListener(event, listener);
        }
      }
    }
  }
}

/** Emscripten's handlers: rethrow what they get (`throw ex` / `throw reason`), or test for its `ExitStatus`. */
function isEmscriptenHandler(listener: Listener): boolean {
  const source = Function.prototype.toString.call(listener);
  return /ExitStatus|\bthrow\s+(ex|reason|e)\b/.test(source) && source.length < 400;
}
