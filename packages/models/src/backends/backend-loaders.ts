/** A TensorFlow.js backend this package can run on. */
export type BackendName = 'wasm' | 'cpu' | 'tensorflow' | 'webgl' | 'webgpu';

/** A backend package's module, or a function that imports it (`() => import('@tensorflow/tfjs-backend-webgl')`). */
export type BackendModule = object | (() => Promise<unknown>);

/** What a loader needs from `selectBackend`'s options. */
export interface LoadOptions {
  threads: number | undefined;
  wasmPaths: string | Record<string, string> | undefined;
  modules: Partial<Record<'webgl' | 'webgpu', BackendModule>>;
}

/**
 * How one runtime obtains the backends: Node (`backend-loaders-node.ts`: wasm binaries from node_modules,
 * threads, tfjs-node) or browsers (`backend-loaders-browser.ts`: `wasmPaths`, webgl / webgpu from the page's
 * own import). `selectBackend` is the same code around either.
 */
export interface BackendLoaders {
  /** The order `'auto'` tries. */
  autoOrder: readonly BackendName[];
  /** Imports the package that registers `name` with tfjs (and configures it); throws when it is absent. */
  load(name: BackendName, options: LoadOptions): Promise<void>;
  /** After `tf.setBackend(name)` succeeded: checks what was asked for holds (wasm threads in Node). */
  verify(name: BackendName, options: LoadOptions): Promise<void>;
  /** How to get the backend, for error messages. */
  howToGet(name: BackendName): string;
}

/** Imports a module by a name the bundler and the type checker must not follow: optional peers may be absent. */
export async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}
