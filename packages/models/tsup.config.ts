import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  esbuildOptions(options) {
    // backends/wasm-binaries.ts reads import.meta.url only where __filename is absent (the ESM build).
    options.logOverride = { ...options.logOverride, 'empty-import-meta': 'silent' };
  },
});
