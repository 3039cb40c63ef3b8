import { defineConfig } from 'tsup';
import { browserBuild } from '../../scripts/browser-build';

export default defineConfig([
  {
    // Two entries, one module graph: shared chunks (in CJS too), so that state such as the installed layer
    // kernel or the stock-kernel registry exists once whichever entry a program imports.
    entry: ['src/index.ts', 'src/kernels.ts'],
    format: ['esm', 'cjs'],
    splitting: true,
    // The CJS build is made from split ESM chunks: shim import.meta.url (backends/wasm-binaries.ts reads it).
    shims: true,
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    platform: 'node',
    // Keep `node:` specifiers (tsup strips them by default): bundlers and readers see what is Node-only.
    removeNodeProtocol: false,
    esbuildOptions(options) {
      // backends/wasm-binaries.ts reads import.meta.url only where __filename is absent (the ESM build).
      options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
    },
  },
  // The browser entries share chunks too (one kernel registry whichever a page imports).
  browserBuild(
    { 'index.browser': 'src/index.browser.ts', 'kernels.browser': 'src/kernels.ts' },
    { splitting: true },
  ),
]);
