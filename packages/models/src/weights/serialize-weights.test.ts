import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { createModel } from '../model/create-model';
import type { ModelSpec, RecurrentModel } from '../types';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { loadWeights, saveWeights } from './save-weights';
import { deserializeWeights, serializeWeights } from './serialize-weights';

let folder = '';
beforeAll(async () => {
  await useCpuBackend();
  folder = await mkdtemp(join(tmpdir(), 'tbptt-weights-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const spec: ModelSpec = {
  cell: 'gru',
  input: 'embedding',
  vocabSize: 6,
  embeddingSize: 3,
  hiddenSize: 4,
  numLayers: 2,
  outputSize: 5,
};

function logits(model: RecurrentModel): number[] {
  return tf.tidy(() =>
    Array.from(
      model.forward(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), model.initialState(2)).logits.dataSync(),
    ),
  );
}

describe('serializeWeights / deserializeWeights', () => {
  it('round-trips a model through memory with PyTorch names, shapes and the spec in the metadata', () => {
    const a = createModel({ ...spec, seed: 1, init: 'pytorch' });
    const b = createModel({ ...spec, seed: 2 });
    const file = serializeWeights(a);
    const { tensors, metadata } = decodeSafetensors(file);
    expect([...tensors.keys()]).toEqual([...a.namedVariables.keys()]);
    expect(tensors.get('rnn.weight_ih_l0')!.shape).toEqual([12, 3]);
    expect(JSON.parse(metadata['tbptt.spec']!)).toEqual(a.spec);
    expect(logits(b)).not.toEqual(logits(a));
    const before = tf.memory().numTensors;
    deserializeWeights(b, file);
    expect(tf.memory().numTensors).toBe(before);
    expect(logits(b)).toEqual(logits(a));
    a.dispose();
    b.dispose();
  });

  it('writes decoder.weight for tied models and checks it on load', () => {
    const tied = createModel({ ...spec, embeddingSize: 4, vocabSize: 5, tieWeights: true, init: 'pytorch' });
    const { tensors } = decodeSafetensors(serializeWeights(tied));
    expect(tensors.get('decoder.weight')).toEqual(tensors.get('encoder.weight'));
    const other = createModel({ ...tied.spec, seed: 4 });
    deserializeWeights(other, serializeWeights(tied));
    expect(logits(other)).toEqual(logits(tied));
    const changed = new Map(tensors);
    changed.set('decoder.weight', { shape: [5, 4], data: new Float32Array(20) });
    expect(() => deserializeWeights(other, encodeSafetensors(changed))).toThrow(
      /ties decoder.weight to encoder.weight, but the weights hold a different decoder.weight/,
    );
    tied.dispose();
    other.dispose();
  });

  it('names the tensor and both shapes on a mismatch, and leaves the model unchanged', () => {
    const small = createModel(spec);
    const wide = createModel({ ...spec, hiddenSize: 5 });
    const before = logits(small);
    expect(() => deserializeWeights(small, serializeWeights(wide))).toThrow(
      /deserializeWeights: tensor rnn.weight_ih_l0 has shape \[15, 3\] in the weights but \[12, 3\] in the model/,
    );
    expect(logits(small)).toEqual(before);
    const lstm = createModel({ ...spec, cell: 'lstm', numLayers: 1 });
    expect(() => deserializeWeights(small, serializeWeights(lstm))).toThrow(
      /the weights do not fit this model \(gru, 2 layers, embedding input\): missing rnn.weight_ih_l1/,
    );
    const dense = createModel({
      ...spec,
      input: 'dense',
      featureSize: 6,
      vocabSize: undefined,
      embeddingSize: undefined,
    } as ModelSpec);
    expect(() => deserializeWeights(dense, serializeWeights(small))).toThrow(/unexpected encoder.weight/);
    for (const m of [small, wide, lstm, dense]) m.dispose();
  });
});

describe('saveWeights / loadWeights', () => {
  it('saves atomically (no temporary file left) and loads back', async () => {
    const a = createModel({ ...spec, seed: 5, init: 'pytorch' });
    const b = createModel(spec);
    const path = join(folder, 'model.safetensors');
    await saveWeights(a, path);
    await saveWeights(a, path);
    expect(await readdir(folder)).toEqual(['model.safetensors']);
    await loadWeights(b, path);
    expect(logits(b)).toEqual(logits(a));
    a.dispose();
    b.dispose();
  });

  it('reports a truncated or missing file with its path', async () => {
    const a = createModel(spec);
    const path = join(folder, 'truncated.safetensors');
    const bytes = new Uint8Array(serializeWeights(a));
    await writeFile(path, bytes.subarray(0, bytes.length - 10));
    await expect(loadWeights(a, path)).rejects.toThrow(
      /loadWeights: .*truncated.safetensors: .*the file is truncated/,
    );
    await expect(loadWeights(a, join(folder, 'absent.safetensors'))).rejects.toThrow(
      /loadWeights: could not read .*absent.safetensors/,
    );
    await expect(saveWeights(a, join(folder, 'no-such-dir', 'x.safetensors'))).rejects.toThrow(
      /saveWeights: could not write/,
    );
    expect((await readFile(path)).length).toBe(bytes.length - 10);
    a.dispose();
  });
});
