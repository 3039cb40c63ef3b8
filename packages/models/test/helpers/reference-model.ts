import type { RecurrentModel } from '../../src/types';

/**
 * An independent float64 implementation of the models' forward pass: plain loops over numbers, PyTorch's
 * equations written out gate by gate, weights read from the model's PyTorch-named variables. No dropout.
 */
export interface ReferenceResult {
  /** logits[t][b][o] */
  logits: number[][][];
  /** finalState[j][b][k] in state order */
  finalState: number[][][];
}

type Matrix = number[][];

function toMatrix(values: ArrayLike<number>, rows: number, cols: number): Matrix {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: cols }, (_, c) => values[r * cols + c]!),
  );
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** W x + b for W [R, C], x [C]. */
function affine(weight: Matrix, x: readonly number[], bias: readonly number[]): number[] {
  return weight.map((row, r) => row.reduce((s, w, c) => s + w * x[c]!, bias[r]!));
}

export function referenceForward(
  model: RecurrentModel,
  /** embedding: ids[t][b]; dense: features[t][b][f] */
  inputs: number[][] | number[][][],
  /** state[j][b][k] */
  state: number[][][],
): ReferenceResult {
  const spec = model.spec;
  const H = spec.hiddenSize;
  const read = (name: string): { values: Float32Array; shape: number[] } => {
    const v =
      model.namedVariables.get(name) ??
      (name === 'decoder.weight' ? model.namedVariables.get('encoder.weight') : undefined);
    if (v === undefined) throw new Error(`reference: no variable ${name}`);
    return { values: v.dataSync() as Float32Array, shape: v.shape };
  };
  const matrix = (name: string): Matrix => {
    const { values, shape } = read(name);
    return toMatrix(values, shape[0]!, shape[1]!);
  };
  const vector = (name: string): number[] => Array.from(read(name).values);
  const steps = inputs.length;
  const batch = inputs[0]!.length;
  // x[t][b] = input vector of layer 0
  let x: number[][][] = [];
  if (spec.input === 'embedding') {
    const encoder = matrix('encoder.weight');
    x = (inputs as number[][]).map((row) => row.map((id) => [...encoder[id]!]));
  } else {
    x = (inputs as number[][][]).map((row) => row.map((f) => [...f]));
  }
  const perLayer = spec.cell === 'lstm' ? 2 : 1;
  const finalState: number[][][] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    const wih = matrix(`rnn.weight_ih_l${l}`);
    const whh = matrix(`rnn.weight_hh_l${l}`);
    const bih = vector(`rnn.bias_ih_l${l}`);
    const bhh = vector(`rnn.bias_hh_l${l}`);
    const h = state[l * perLayer]!.map((r) => [...r]);
    const c = spec.cell === 'lstm' ? state[l * perLayer + 1]!.map((r) => [...r]) : [];
    const out: number[][][] = [];
    for (let t = 0; t < steps; t++) {
      const outStep: number[][] = [];
      for (let b = 0; b < batch; b++) {
        const gx = affine(wih, x[t]![b]!, bih);
        const gh = affine(whh, h[b]!, bhh);
        const next: number[] = [];
        if (spec.cell === 'lstm') {
          for (let k = 0; k < H; k++) {
            const i = sigmoid(gx[k]! + gh[k]!);
            const f = sigmoid(gx[H + k]! + gh[H + k]!);
            const g = Math.tanh(gx[2 * H + k]! + gh[2 * H + k]!);
            const o = sigmoid(gx[3 * H + k]! + gh[3 * H + k]!);
            c[b]![k] = f * c[b]![k]! + i * g;
            next.push(o * Math.tanh(c[b]![k]!));
          }
        } else if (spec.cell === 'gru') {
          for (let k = 0; k < H; k++) {
            const r = sigmoid(gx[k]! + gh[k]!);
            const z = sigmoid(gx[H + k]! + gh[H + k]!);
            const n = Math.tanh(gx[2 * H + k]! + r * gh[2 * H + k]!);
            next.push((1 - z) * n + z * h[b]![k]!);
          }
        } else {
          for (let k = 0; k < H; k++) {
            const a = gx[k]! + gh[k]!;
            next.push(spec.cell === 'rnn_tanh' ? Math.tanh(a) : Math.max(0, a));
          }
        }
        h[b] = next;
        outStep.push([...next]);
      }
      out.push(outStep);
    }
    finalState.push(h);
    if (spec.cell === 'lstm') finalState.push(c);
    x = out;
  }
  const decW = matrix('decoder.weight');
  const decB = vector('decoder.bias');
  const logits = x.map((row) => row.map((hv) => affine(decW, hv, decB)));
  return { logits, finalState };
}
