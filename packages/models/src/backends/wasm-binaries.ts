/**
 * The folder (with a trailing separator) that holds `@tensorflow/tfjs-backend-wasm`'s `.wasm` binaries,
 * resolved from this package's own location the way Node resolves the dependency, so that the wasm
 * backend loads them from `node_modules` even when the calling code has been bundled or moved.
 * Node only (imports `node:module` lazily, so browser bundles never see it).
 */
export async function wasmBinaryFolder(): Promise<string> {
  const { dirname, join, sep } = await import('node:path');
  const require = await packageRequire();
  // The package has no `exports` map, so its package.json is resolvable; its binaries sit in dist/.
  const packageJson = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return join(dirname(packageJson), 'dist') + sep;
}

/**
 * A `require` that resolves from this package's own location: the CJS build has `__filename`, the ESM
 * build `import.meta.url` (empty in CJS, hence the guard); else the working directory. Node only.
 */
export async function packageRequire(): Promise<NodeJS.Require> {
  const { createRequire } = await import('node:module');
  const { join } = await import('node:path');
  const from =
    typeof __filename === 'string'
      ? __filename
      : typeof import.meta.url === 'string'
        ? import.meta.url
        : join(process.cwd(), 'index.js');
  return createRequire(from);
}
