/**
 * Writes src/backends/generated/tfjs-gradients.js: tfjs-core's `register_all_gradients` (every gradient
 * function tfjs has) as one ES module that imports `@tensorflow/tfjs-core` by its public API.
 *
 * Why: tfjs-core's Node build registers no gradients, and its ES files (`dist/register_all_gradients.js`,
 * `dist/gradients/*.js`) cannot be loaded by Node (extensionless imports in a CommonJS-typed package).
 * `@tensorflow/tfjs` works around it by shipping a second copy of tfjs-core's code; here the gradient files
 * are bundled and each of their imports of a tfjs-core internal module is replaced by the same value from
 * the public API (`tf.mul`, `tf.backend_util.getReductionAxes`, `tf.engine()` …), so the user's one tfjs-core
 * (its engine and registries) is used. Only the few internal helpers with no public equivalent (the pooling
 * and convolution backprop ops, `convertToTensor`) are inlined from tfjs-core's sources.
 *
 * Run by `npm run build`, `test` and `typecheck` (pre-scripts); the output is not committed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
const coreDist = path.dirname(require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js'));
const coreVersion = require('@tensorflow/tfjs-core/package.json').version;
const outDir = path.join(here, '..', 'src', 'backends', 'generated');

/** Public namespaces of tfjs-core that re-export internal modules' functions. */
const NAMESPACES = ['backend_util', 'util', 'slice_util', 'tensor_util', 'kernel_impls', 'broadcast_util'];
/** Internal values with a public equivalent under another name. */
const SPECIAL = { ENGINE: 'tf.engine()', getGlobalTensorClass: '() => tf.Tensor' };

/** Where `name` is in tfjs-core's public API, as an expression over `tf`; undefined when it is not. */
function publicExpression(name) {
  if (name in SPECIAL) return SPECIAL[name];
  if (name in tf) return `tf.${name}`;
  for (const ns of NAMESPACES) if (tf[ns] != null && name in tf[ns]) return `tf.${ns}.${name}`;
  return undefined;
}

const exportCache = new Map();
/** Every name an internal module exports (following its `export *`). */
async function exportNames(file) {
  if (!exportCache.has(file)) {
    const result = await build({
      entryPoints: [file],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      logLevel: 'silent',
    });
    exportCache.set(file, Object.values(result.metafile.outputs)[0].exports);
  }
  return exportCache.get(file);
}

/** The names `importer` takes from `specifier` (all of them for a namespace import or `export *`). */
async function importedNames(importer, specifier, file) {
  const source = readFileSync(importer, 'utf8');
  const pattern = /(?:import|export)\s*(\{[^}]*\}|\*\s+as\s+\w+|\*)\s*from\s*'([^']+)'/g;
  const names = [];
  let found = false;
  for (const [, what, from] of source.matchAll(pattern)) {
    if (from !== specifier) continue;
    found = true;
    if (what.startsWith('{')) {
      for (const part of what.slice(1, -1).split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0];
        if (name) names.push(name);
      }
    } else names.push(...(await exportNames(file)));
  }
  if (!found) throw new Error(`bundle-gradients: cannot parse the import of ${specifier} in ${importer}`);
  return [...new Set(names)].sort();
}

const inlined = new Map();
const publicApi = {
  name: 'tfjs-core-public-api',
  setup(b) {
    b.onResolve({ filter: /^\./ }, async (args) => {
      if (!args.importer.startsWith(coreDist)) return undefined;
      const file = `${path.resolve(args.resolveDir, args.path)}.js`;
      if (file.startsWith(path.join(coreDist, 'gradients') + path.sep)) return { path: file };
      const names = await importedNames(args.importer, args.path, file);
      const missing = names.filter((n) => publicExpression(n) === undefined);
      if (missing.length === 0) {
        return { path: `${file}?${names.join(',')}`, namespace: 'tfjs-public', pluginData: names };
      }
      inlined.set(path.relative(coreDist, file), missing);
      return { path: file };
    });
    b.onLoad({ filter: /.*/, namespace: 'tfjs-public' }, (args) => ({
      contents: [
        "import * as tf from '@tensorflow/tfjs-core';",
        ...args.pluginData.map((n) => `export const ${n} = ${publicExpression(n)};`),
      ].join('\n'),
      resolveDir: coreDist,
      loader: 'js',
    }));
  },
};

mkdirSync(outDir, { recursive: true });
await build({
  entryPoints: [path.join(coreDist, 'register_all_gradients.js')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  external: ['@tensorflow/tfjs-core'],
  plugins: [publicApi],
  outfile: path.join(outDir, 'tfjs-gradients.js'),
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  banner: {
    js:
      `// Generated by scripts/bundle-gradients.mjs from @tensorflow/tfjs-core ${coreVersion} ` +
      '(Apache-2.0, Copyright Google LLC): its gradient functions over its public API. Do not edit.',
  },
  logLevel: 'warning',
});
writeFileSync(
  path.join(outDir, 'tfjs-gradients.d.ts'),
  '// Generated by scripts/bundle-gradients.mjs: registers every tfjs gradient as an import side effect.\nexport {};\n',
);
if (process.argv.includes('--verbose')) {
  for (const [file, names] of inlined) console.log(`inlined ${file}: ${names.join(', ')}`);
}
