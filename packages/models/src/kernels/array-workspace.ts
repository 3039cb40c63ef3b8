import {
  type LayerBackwardOutputs,
  type LayerCellMath,
  type LayerDims,
  type LayerForwardOutputs,
  type LayerWorkspace,
  layerBackward,
  layerForward,
} from './layer-scaffold.js';

/** A plain float32 buffer with its shape. */
export interface PlainBuffer {
  shape: readonly number[];
  data: Float32Array;
}

/**
 * The {@link LayerWorkspace} on plain Float32Arrays, with its products as plain loops (float64 sums, float32
 * results): the layer kernels' math with no backend, for any backend to reuse and for the tests.
 */
export const arrayWorkspace: LayerWorkspace<PlainBuffer> = {
  allocate: (shape) => ({ shape, data: new Float32Array(shape.reduce((a, d) => a * d, 1)) }),
  view: (buffer) => buffer.data,
  matMul(a, b) {
    const [m, k] = a.shape as [number, number];
    const n = b.shape[1]!;
    const out = new Float32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a.data[i * k + p]! * b.data[p * n + j]!;
        out[i * n + j] = sum;
      }
    }
    return { shape: [m, n], data: out };
  },
  transpose(x) {
    const [r, c] = x.shape as [number, number];
    const out = new Float32Array(r * c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x.data[i * c + j]!;
    return { shape: [c, r], data: out };
  },
  release: () => {},
};

/** A layer's inputs as plain arrays (step-major, as the kernels take them). */
export interface LayerArrays {
  /** X [T·B, G·H] */
  inputGates: Float32Array;
  /** W_hhᵀ [H, G·H] */
  weightHhT: Float32Array;
  /** b_hh [G·H] (GRU) */
  biasHh?: Float32Array;
  /** s^k_{−1} [B, H] per state component (h, then c) */
  initial: readonly Float32Array[];
  /** z^k [T·B, H] per state component */
  probes?: readonly Float32Array[];
}

function wrap(data: Float32Array, shape: readonly number[]): PlainBuffer {
  return { shape, data };
}

/** The forward pass of `math` on plain arrays; see layer-scaffold.ts. */
export function layerForwardOnArrays(
  math: LayerCellMath,
  dims: LayerDims,
  x: LayerArrays,
): LayerForwardOutputs<PlainBuffer> {
  const { steps, batch, hidden } = dims;
  const width = math.gates * hidden;
  return layerForward(math, arrayWorkspace, dims, {
    inputGates: wrap(x.inputGates, [steps * batch, width]),
    weightHhT: wrap(x.weightHhT, [hidden, width]),
    ...(x.biasHh != null ? { biasHh: wrap(x.biasHh, [width]) } : {}),
    initial: x.initial.map((s) => wrap(s, [batch, hidden])),
    ...(x.probes != null ? { probes: x.probes.map((z) => wrap(z, [steps * batch, hidden])) } : {}),
  });
}

/**
 * The backward pass of `math` on plain arrays, for the adjoints `dOutputs` [T·B, H] and `dFinal` [B, H] per
 * component of a forward run `forward` on `x`.
 */
export function layerBackwardOnArrays(
  math: LayerCellMath,
  dims: LayerDims,
  x: LayerArrays,
  forward: LayerForwardOutputs<PlainBuffer>,
  dOutputs: Float32Array,
  dFinal: readonly Float32Array[],
): LayerBackwardOutputs<PlainBuffer> {
  const { steps, batch, hidden } = dims;
  return layerBackward(math, arrayWorkspace, dims, {
    dOutputs: wrap(dOutputs, [steps * batch, hidden]),
    dFinal: dFinal.map((d) => wrap(d, [batch, hidden])),
    saved: forward.saved,
    outputs: forward.outputs,
    sequences: forward.sequences,
    carriedH: forward.carriedH,
    initial: x.initial.map((s) => wrap(s, [batch, hidden])),
    weightHhT: wrap(x.weightHhT, [hidden, math.gates * hidden]),
    probed: x.probes != null,
  });
}
