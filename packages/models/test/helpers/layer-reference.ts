/**
 * An independent float64 reference for the whole-layer kernels: each layer kind's forward pass written
 * directly from PyTorch's equations with plain nested loops (no shared code with src/kernels), and every
 * gradient by central finite differences of that forward pass, so the kernels' hand-written backward passes
 * are checked against nothing they share.
 *
 * Layout as the kernels take it: X [T·B, G·H] step-major, W = W_hhᵀ [H, G·H], states [B, H], probes [T·B, H]
 * added to the state each step carries on (h̃_t = h_t + z_t; the outputs stay h_t).
 */
export type LayerKind = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

export interface LayerCase {
  kind: LayerKind;
  steps: number;
  batch: number;
  hidden: number;
  /** Named inputs in a fixed order (inputGates, weightHhT, biasHh?, initial.h, initial.c?, probes.h?, probes.c?). */
  inputs: Map<string, Float64Array>;
  /** The loss weights: L = Σ wOutputs ⊙ outputs + Σ_k Σ wFinal_k ⊙ final_k. */
  wOutputs: Float64Array;
  wFinal: Float64Array[];
}

const GATES: Record<LayerKind, number> = { lstm: 4, gru: 3, rnn_tanh: 1, rnn_relu: 1 };
const sigma = (x: number) => 1 / (1 + Math.exp(-x));

export function stateNamesOf(kind: LayerKind): string[] {
  return kind === 'lstm' ? ['h', 'c'] : ['h'];
}

/** A small deterministic generator (mulberry32), values in (−scale, scale) rounded to float32. */
function values(count: number, seed: number, scale: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = Math.fround((2 * u - 1) * scale);
  }
  return out;
}

/** A random case; probes (when asked) are random too, so that their use is visible in the forward pass. */
export function randomCase(
  kind: LayerKind,
  steps: number,
  batch: number,
  hidden: number,
  probed: boolean,
  seed: number,
): LayerCase {
  const width = GATES[kind] * hidden;
  const rows = steps * batch;
  const inputs = new Map<string, Float64Array>();
  inputs.set('inputGates', values(rows * width, seed + 1, 1.5));
  inputs.set('weightHhT', values(hidden * width, seed + 2, 0.8));
  if (kind === 'gru') inputs.set('biasHh', values(width, seed + 3, 0.5));
  const names = stateNamesOf(kind);
  names.forEach((n, k) => {
    inputs.set(`initial.${n}`, values(batch * hidden, seed + 4 + k, 0.9));
  });
  if (probed) {
    names.forEach((n, k) => {
      inputs.set(`probes.${n}`, values(rows * hidden, seed + 6 + k, 0.3));
    });
  }
  return {
    kind,
    steps,
    batch,
    hidden,
    inputs,
    wOutputs: values(rows * hidden, seed + 8, 1),
    wFinal: names.map((_, k) => values(batch * hidden, seed + 9 + k, 1)),
  };
}

/** The reference forward pass: outputs h_t [T·B, H] and the final carried state per component [B, H]. */
export function referenceForward(c: LayerCase): { outputs: Float64Array; final: Float64Array[] } {
  const { kind, steps: T, batch: B, hidden: H } = c;
  const G = GATES[kind];
  const x = c.inputs.get('inputGates')!;
  const w = c.inputs.get('weightHhT')!;
  const bias = c.inputs.get('biasHh');
  const zh = c.inputs.get('probes.h');
  const zc = c.inputs.get('probes.c');
  let h = Float64Array.from(c.inputs.get('initial.h')!);
  let cell = kind === 'lstm' ? Float64Array.from(c.inputs.get('initial.c')!) : new Float64Array(0);
  const outputs = new Float64Array(T * B * H);
  for (let t = 0; t < T; t++) {
    const hNext = new Float64Array(B * H);
    const cNext = new Float64Array(cell.length);
    for (let b = 0; b < B; b++) {
      // rec[g] = Σ_j h[b, j] W[j, g]  (+ b_hh[g] for the GRU)
      const rec = new Float64Array(G * H);
      for (let g = 0; g < G * H; g++) {
        let sum = bias?.[g] ?? 0;
        for (let j = 0; j < H; j++) sum += h[b * H + j]! * w[j * G * H + g]!;
        rec[g] = sum;
      }
      const xr = (g: number) => x[(t * B + b) * G * H + g]!;
      for (let j = 0; j < H; j++) {
        let hv: number;
        if (kind === 'lstm') {
          const i = sigma(xr(j) + rec[j]!);
          const f = sigma(xr(H + j) + rec[H + j]!);
          const g = Math.tanh(xr(2 * H + j) + rec[2 * H + j]!);
          const o = sigma(xr(3 * H + j) + rec[3 * H + j]!);
          const cv = f * cell[b * H + j]! + i * g;
          cNext[b * H + j] = cv;
          hv = o * Math.tanh(cv);
        } else if (kind === 'gru') {
          const r = sigma(xr(j) + rec[j]!);
          const z = sigma(xr(H + j) + rec[H + j]!);
          const n = Math.tanh(xr(2 * H + j) + r * rec[2 * H + j]!);
          hv = (1 - z) * n + z * h[b * H + j]!;
        } else {
          const a = xr(j) + rec[j]!;
          hv = kind === 'rnn_tanh' ? Math.tanh(a) : Math.max(0, a);
        }
        hNext[b * H + j] = hv;
        outputs[(t * B + b) * H + j] = hv;
      }
    }
    for (let i = 0; i < B * H; i++) {
      hNext[i]! += zh?.[t * B * H + i] ?? 0;
      if (kind === 'lstm') cNext[i]! += zc?.[t * B * H + i] ?? 0;
    }
    h = hNext;
    cell = cNext;
  }
  return { outputs, final: kind === 'lstm' ? [h, cell] : [h] };
}

/** L = Σ wOutputs ⊙ outputs + Σ_k Σ wFinal_k ⊙ final_k of the reference. */
export function referenceLoss(c: LayerCase): number {
  const { outputs, final } = referenceForward(c);
  let loss = 0;
  for (let i = 0; i < outputs.length; i++) loss += c.wOutputs[i]! * outputs[i]!;
  final.forEach((f, k) => {
    for (let i = 0; i < f.length; i++) loss += c.wFinal[k]![i]! * f[i]!;
  });
  return loss;
}

/** ∂L/∂input for every named input, by central differences (step 1e-6, in float64). */
export function finiteDifferenceGradients(c: LayerCase, eps = 1e-6): Map<string, Float64Array> {
  const grads = new Map<string, Float64Array>();
  for (const [name, value] of c.inputs) {
    const g = new Float64Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const saved = value[i]!;
      value[i] = saved + eps;
      const up = referenceLoss(c);
      value[i] = saved - eps;
      const down = referenceLoss(c);
      value[i] = saved;
      g[i] = (up - down) / (2 * eps);
    }
    grads.set(name, g);
  }
  return grads;
}

/** Worst |a − e| / (1 + |e|). */
export function worstError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`worstError: lengths differ, ${actual.length} and ${expected.length}`);
  }
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  }
  return worst;
}

/** [T, B, H] shapes for the layer tests: B = 1, T = 1, H not a multiple of 4, and ordinary ones. */
export const LAYER_SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 5],
  [4, 1, 3],
  [3, 2, 7],
  [5, 3, 6],
];
