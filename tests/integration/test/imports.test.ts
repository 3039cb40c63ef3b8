import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { node } from '../lib/run';

const consumer = inject('consumer');

/** A value each package must export (its main function), checked in both module systems. */
const MAIN_EXPORT: Record<string, string> = {
  '@tbptt/random': 'createPrng',
  '@tbptt/estimators': 'analyzeProfile',
  '@tbptt/datasets': 'batchify',
  '@tbptt/models': 'createModel',
  '@tbptt/core': 'train',
};
const packages = Object.keys(MAIN_EXPORT).filter(
  (name) => JSON.parse(readFileSync(path.join(consumer, 'package.json'), 'utf8')).dependencies[name],
);

describe('the packed packages, installed from tarballs', () => {
  it('are real copies, not workspace links', () => {
    const out = node(consumer, [
      '-e',
      `const fs=require('fs');console.log(JSON.stringify(${JSON.stringify(packages)}.map(n=>fs.lstatSync('node_modules/'+n).isSymbolicLink())))`,
    ]);
    expect(JSON.parse(out)).toEqual(packages.map(() => false));
  });

  it.each(packages)('%s imports from ESM and requires from CJS', (name) => {
    const key = MAIN_EXPORT[name]!;
    writeFileSync(
      path.join(consumer, 'esm-check.mjs'),
      `import * as m from '${name}';\nconsole.log(typeof m.${key});\n`,
    );
    expect(node(consumer, ['esm-check.mjs']).trim()).toBe('function');
    writeFileSync(
      path.join(consumer, 'cjs-check.cjs'),
      `const m = require('${name}');\nconsole.log(typeof m.${key});\n`,
    );
    expect(node(consumer, ['cjs-check.cjs']).trim()).toBe('function');
  });

  it('@tbptt/models registers gradients in Node without @tensorflow/tfjs (ESM and CJS)', () => {
    const script = (imp: string) =>
      `${imp}\nawait selectBackend('cpu');\nconst x = tf.tensor1d([1, 2, 3]);\n` +
      'const g = tf.grad((v) => tf.sum(tf.mul(v, v)))(x);\nconsole.log(JSON.stringify(Array.from(g.dataSync())));\n';
    writeFileSync(
      path.join(consumer, 'grad-esm.mjs'),
      script("import * as tf from '@tensorflow/tfjs-core';\nimport { selectBackend } from '@tbptt/models';"),
    );
    expect(JSON.parse(node(consumer, ['grad-esm.mjs']).trim().split('\n').at(-1)!)).toEqual([2, 4, 6]);
    writeFileSync(
      path.join(consumer, 'grad-cjs.cjs'),
      `(async () => {\n${script("const tf = require('@tensorflow/tfjs-core');\nconst { selectBackend } = require('@tbptt/models');")}})();\n`,
    );
    expect(JSON.parse(node(consumer, ['grad-cjs.cjs']).trim().split('\n').at(-1)!)).toEqual([2, 4, 6]);
    const installed = node(consumer, [
      '-e',
      "console.log(require('fs').existsSync('node_modules/@tensorflow/tfjs'))",
    ]);
    expect(installed.trim()).toBe('false');
  });
});
