import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const consumer = inject('consumer');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** A TypeScript user of every package: the public types it relies on must resolve and check. */
const SOURCE = `import { adaptiveTruncation, type TrainEvent, type TrainResult, tokenStream, train } from '@tbptt/core';
import { batchify, buildCorpus, copyTask, SYNTHETIC_VOCAB_SIZE, type TokenStream } from '@tbptt/datasets';
import { analyzeProfile, type GradientNormProfile } from '@tbptt/estimators';
import { type BackendReport, createModel, type RecurrentModel, selectBackend } from '@tbptt/models';
import { registerKernelFixes } from '@tbptt/models/kernels';
import { createPrng, type Prng } from '@tbptt/random';

export async function run(): Promise<TrainResult> {
  const reports: BackendReport[] = [];
  await selectBackend('auto', { onReport: (r) => reports.push(r) });
  const rng: Prng = createPrng(1, 'data');
  rng.nextFloat();
  const corpus = buildCorpus({ train: 'a b c', valid: 'a b', test: 'c a' });
  const lm: TokenStream = batchify(corpus.train, 1);
  void lm;
  const model: RecurrentModel = createModel({
    cell: 'lstm', input: 'dense', featureSize: SYNTHETIC_VOCAB_SIZE, hiddenSize: 8, numLayers: 1,
    outputSize: SYNTHETIC_VOCAB_SIZE,
  });
  const profile: GradientNormProfile = { phi: Float64Array.from([1, 0.5, 0.25]), samples: 1, window: 3, averaging: 'norm' };
  analyzeProfile(profile).truncationFor(0.1);
  void registerKernelFixes;
  return train({
    model,
    train: tokenStream(copyTask({ steps: 100, batch: 2, length: 3, seed: 1 }), { oneHot: SYNTHETIC_VOCAB_SIZE }),
    truncation: adaptiveTruncation({ delta: 0.1, preset: 'synthetic' }),
    optimizer: { name: 'adam', learningRate: 0.01 },
    stop: { updates: 1 },
    onEvent: (e: TrainEvent) => void e.type,
  });
}
`;

function check(resolution: 'node16' | 'bundler'): string {
  const dir = path.join(consumer, `ts-${resolution}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'consumer.ts'), SOURCE);
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    lib: ['ES2022', 'DOM'],
    skipLibCheck: false,
    ...(resolution === 'node16'
      ? { module: 'node16', moduleResolution: 'node16' }
      : { module: 'esnext', moduleResolution: 'bundler' }),
  };
  writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
  try {
    return execFileSync(process.execPath, [tsc, '-p', dir], { cwd: consumer, encoding: 'utf8' });
  } catch (error) {
    const e = error as { stdout?: string };
    throw new Error(`tsc (${resolution}) failed:\n${e.stdout}`);
  }
}

describe('a TypeScript consumer', () => {
  it.each(['node16', 'bundler'] as const)(
    'type-checks with %s resolution (and the packages’ own .d.ts)',
    (mode) => {
      expect(check(mode)).toBe('');
    },
  );
});
