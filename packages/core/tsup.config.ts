import { defineConfig } from 'tsup';
import { browserBuild } from '../../scripts/browser-build';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    platform: 'node',
    // Keep `node:` specifiers (tsup strips them by default): bundlers and readers see what is Node-only.
    removeNodeProtocol: false,
  },
  browserBuild({ 'index.browser': 'src/index.browser.ts' }),
]);
