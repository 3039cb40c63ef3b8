/**
 * Stands in for Node's built-in modules (fs, path, crypto, os, buffer, module, worker_threads) in the browser
 * bundle of the demo. The packages import them only for what a browser page never does (checkpoint files,
 * corpus downloads, the Node wasm loader); every function here throws if it is ever called, naming itself.
 * Until the packages ship browser entry points (the packaging issue), the site's Vite config aliases those
 * module names to this file.
 */
function unavailable(name: string): () => never {
  return () => {
    throw new Error(
      `${name}: Node's built-in modules are not available in the browser build of the docs demo; ` +
        'checkpoints, corpus files and downloads need Node',
    );
  };
}

export const createHash = unavailable('crypto.createHash');
export const randomBytes = unavailable('crypto.randomBytes');
export const existsSync = unavailable('fs.existsSync');
export const mkdirSync = unavailable('fs.mkdirSync');
export const readdirSync = unavailable('fs.readdirSync');
export const readFileSync = unavailable('fs.readFileSync');
export const renameSync = unavailable('fs.renameSync');
export const rmSync = unavailable('fs.rmSync');
export const statfsSync = unavailable('fs.statfsSync');
export const statSync = unavailable('fs.statSync');
export const writeFileSync = unavailable('fs.writeFileSync');
export const closeSync = unavailable('fs.closeSync');
export const openSync = unavailable('fs.openSync');
export const writeSync = unavailable('fs.writeSync');
export const readdir = unavailable('fs/promises.readdir');
export const readFile = unavailable('fs/promises.readFile');
export const writeFile = unavailable('fs/promises.writeFile');
export const mkdir = unavailable('fs/promises.mkdir');
export const open = unavailable('fs/promises.open');
export const rename = unavailable('fs/promises.rename');
export const rm = unavailable('fs/promises.rm');
export const stat = unavailable('fs/promises.stat');
export const join = unavailable('path.join');
export const resolve = unavailable('path.resolve');
export const dirname = unavailable('path.dirname');
export const basename = unavailable('path.basename');
export const sep = '/';
export const hostname = unavailable('os.hostname');
export const homedir = unavailable('os.homedir');
export const isUtf8 = unavailable('buffer.isUtf8');
export const createRequire = unavailable('module.createRequire');
export const Worker = unavailable('worker_threads.Worker');
/** tsup's ESM shim computes `__filename` from `import.meta.url` at import time: answer, do not throw. */
export const fileURLToPath = (url: string | URL): string => String(url);
export const pathToFileURL = (path: string): URL => new URL(path, 'file:///');
export default {};
