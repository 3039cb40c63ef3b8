import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useCpuBackend } from '../../test/helpers/cpu-backend';
import { gruPointwise } from './gru-pointwise';
import { lstmPointwise } from './lstm-pointwise';
import { rnnPointwise } from './rnn-pointwise';

beforeAll(useCpuBackend);

const B = 2;
const H = 3;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const values = (count: number, scale: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => scale * Math.sin(1.7 * i + offset));

describe('pointwise cell updates match their equations, element by element', () => {
  it('lstm: gate order i, f, g, o', () => {
    const gates = values(B * 4 * H, 2);
    const cPrev = values(B * H, 1, 0.3);
    const { h, c } = lstmPointwise(tf.tensor2d(gates, [B, 4 * H]), tf.tensor2d(cPrev, [B, H]));
    const hv = h.dataSync();
    const cv = c.dataSync();
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        const a = (block: number) => gates[b * 4 * H + block * H + k]!;
        const cNew = sigmoid(a(1)) * cPrev[b * H + k]! + sigmoid(a(0)) * Math.tanh(a(2));
        expect(cv[b * H + k]).toBeCloseTo(cNew, 6);
        expect(hv[b * H + k]).toBeCloseTo(sigmoid(a(3)) * Math.tanh(cNew), 6);
      }
    }
  });

  it('gru: gate order r, z, n with r applied to W_hn h + b_hn', () => {
    const gx = values(B * 3 * H, 1.5);
    const gh = values(B * 3 * H, 1.5, 2);
    const hPrev = values(B * H, 0.9, 1);
    const { h } = gruPointwise(
      tf.tensor2d(gx, [B, 3 * H]),
      tf.tensor2d(gh, [B, 3 * H]),
      tf.tensor2d(hPrev, [B, H]),
    );
    const hv = h.dataSync();
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < H; k++) {
        const x = (block: number) => gx[b * 3 * H + block * H + k]!;
        const y = (block: number) => gh[b * 3 * H + block * H + k]!;
        const r = sigmoid(x(0) + y(0));
        const z = sigmoid(x(1) + y(1));
        const n = Math.tanh(x(2) + r * y(2));
        expect(hv[b * H + k]).toBeCloseTo((1 - z) * n + z * hPrev[b * H + k]!, 6);
      }
    }
  });

  it('rnn: tanh and relu', () => {
    const a = values(B * H, 2);
    const tanh = rnnPointwise(tf.tensor2d(a, [B, H]), 'tanh').h.dataSync();
    const relu = rnnPointwise(tf.tensor2d(a, [B, H]), 'relu').h.dataSync();
    a.forEach((v, i) => {
      expect(tanh[i]).toBeCloseTo(Math.tanh(v), 6);
      expect(relu[i]).toBeCloseTo(Math.max(0, v), 6);
    });
  });
});
