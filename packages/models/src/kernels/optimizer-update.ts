import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate, float32View } from './backend-memory.js';
import { simdKernelsFor } from './simd/simd-kernels.js';

/**
 * Fused optimiser updates and the global norm behind gradient clipping, for a training loop's per-update
 * costs: one kernel per parameter instead of 5–12 tfjs ops, and the norm as one pass per gradient with no
 * tensors. On wasm they run this package's SIMD kernels (wasm/tbptt-kernels.c) on the backend's heap; on
 * cpu (and wasm with the SIMD kernels off) the JavaScript loops below, the reference. Every rule first forms
 *
 *     g' = s·g + λθ          (s: the clipping scale, λ: coupled weight decay, PyTorch's `weight_decay`)
 *
 * and moves θ by −lr·u (the rules' u below). New tensors come back (θ', slots'); nothing is updated in place.
 */
export const OPTIMIZER_UPDATE = 'TbpttOptimizerUpdate';
const BACKENDS = ['wasm', 'cpu'];

/** An update rule and its hyperparameters. */
export type OptimizerRule =
  | { rule: 'sgd' }
  /** v ← μv + g'; u = v */
  | { rule: 'momentum'; momentum: number }
  /** m ← β₁m + (1−β₁)g'; v ← β₂v + (1−β₂)g'²; u = (m/c₁)/(√(v/c₂) + ε), c_i = 1 − β_iᵗ */
  | { rule: 'adam'; beta1: number; beta2: number; epsilon: number; step: number }
  /** s ← ρs + (1−ρ)g'²; u = Δ = √(a + ε)/√(s + ε)·g'; a ← ρa + (1−ρ)Δ² */
  | { rule: 'adadelta'; rho: number; epsilon: number };

/** The per-update scalars every rule takes. */
export interface UpdateScalars {
  learningRate: number;
  /** s, the clipping scale (1: no clipping). */
  gradScale: number;
  weightDecay: number;
}

const SLOTS: Record<OptimizerRule['rule'], number> = { sgd: 0, momentum: 1, adam: 2, adadelta: 2 };

type Attrs = OptimizerRule & UpdateScalars;

/** θ', slots' from θ, g, slots with the JavaScript loops (float32 stores, as the SIMD kernels). */
function updateArrays(
  a: Attrs,
  theta: Float32Array,
  g: Float32Array,
  slots: Float32Array[],
  out: Float32Array,
  slotsOut: Float32Array[],
): void {
  const { learningRate: lr, gradScale: s, weightDecay: wd } = a;
  const f = Math.fround;
  const n = theta.length;
  switch (a.rule) {
    case 'sgd':
      for (let i = 0; i < n; i++) out[i] = theta[i]! - lr * f(s * g[i]! + wd * theta[i]!);
      return;
    case 'momentum': {
      const [v] = slots as [Float32Array];
      const [vOut] = slotsOut as [Float32Array];
      for (let i = 0; i < n; i++) {
        const vn = f(a.momentum * v[i]! + f(s * g[i]! + wd * theta[i]!));
        vOut[i] = vn;
        out[i] = theta[i]! - lr * vn;
      }
      return;
    }
    case 'adam': {
      const [m, v] = slots as [Float32Array, Float32Array];
      const [mOut, vOut] = slotsOut as [Float32Array, Float32Array];
      const c1 = 1 - a.beta1 ** a.step;
      const c2 = 1 - a.beta2 ** a.step;
      for (let i = 0; i < n; i++) {
        const gg = f(s * g[i]! + wd * theta[i]!);
        const mn = f(a.beta1 * m[i]! + (1 - a.beta1) * gg);
        const vn = f(a.beta2 * v[i]! + (1 - a.beta2) * gg * gg);
        mOut[i] = mn;
        vOut[i] = vn;
        out[i] = theta[i]! - lr * (mn / c1 / (Math.sqrt(vn / c2) + a.epsilon));
      }
      return;
    }
    case 'adadelta': {
      const [sq, acc] = slots as [Float32Array, Float32Array];
      const [sqOut, accOut] = slotsOut as [Float32Array, Float32Array];
      for (let i = 0; i < n; i++) {
        const gg = f(s * g[i]! + wd * theta[i]!);
        const sn = f(a.rho * sq[i]! + (1 - a.rho) * gg * gg);
        const delta = f((Math.sqrt(acc[i]! + a.epsilon) / Math.sqrt(sn + a.epsilon)) * gg);
        sqOut[i] = sn;
        accOut[i] = f(a.rho * acc[i]! + (1 - a.rho) * delta * delta);
        out[i] = theta[i]! - lr * delta;
      }
      return;
    }
  }
}

const kernelFunc: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const a = attrs as unknown as Attrs;
  const named = inputs as NamedTensorInfoMap;
  const slotCount = SLOTS[a.rule];
  const theta = named.theta!;
  const grad = named.grad!;
  const slots = Array.from({ length: slotCount }, (_, k) => named[`slot${k}`]!);
  const shape = [...theta.shape];
  const out = allocate(backend, shape, 'float32');
  const slotsOut = slots.map(() => allocate(backend, shape, 'float32'));
  const n = shape.reduce((p, d) => p * d, 1);
  const simd = simdKernelsFor(backend);
  if (simd != null) {
    const at = (info: TensorInfo) => simd.address(info);
    const k = simd.exports;
    const { learningRate: lr, gradScale: s, weightDecay: wd } = a;
    switch (a.rule) {
      case 'sgd':
        k.sgd_update(at(theta), at(grad), at(out), n, lr, s, wd);
        break;
      case 'momentum':
        k.momentum_update(
          at(theta),
          at(grad),
          at(slots[0]!),
          at(out),
          at(slotsOut[0]!),
          n,
          lr,
          s,
          wd,
          a.momentum,
        );
        break;
      case 'adam':
        k.adam_update(
          at(theta),
          at(grad),
          at(slots[0]!),
          at(slots[1]!),
          at(out),
          at(slotsOut[0]!),
          at(slotsOut[1]!),
          n,
          lr,
          s,
          wd,
          a.beta1,
          a.beta2,
          1 - a.beta1 ** a.step,
          1 - a.beta2 ** a.step,
          a.epsilon,
        );
        break;
      case 'adadelta':
        k.adadelta_update(
          at(theta),
          at(grad),
          at(slots[0]!),
          at(slots[1]!),
          at(out),
          at(slotsOut[0]!),
          at(slotsOut[1]!),
          n,
          lr,
          s,
          wd,
          a.rho,
          a.epsilon,
        );
        break;
    }
    return [out, ...slotsOut];
  }
  const view = (info: TensorInfo) => float32View(backend, info);
  updateArrays(a, view(theta), view(grad), slots.map(view), view(out), slotsOut.map(view));
  return [out, ...slotsOut];
};

/** True when the active backend runs {@link optimizerUpdate} as one kernel (wasm, cpu); registers it on first use. */
export function hasOptimizerUpdate(): boolean {
  const backend = tf.getBackend();
  if (!BACKENDS.includes(backend)) return false;
  if (tf.getKernel(OPTIMIZER_UPDATE, backend) == null) {
    tf.registerKernel({ kernelName: OPTIMIZER_UPDATE, backendName: backend, kernelFunc });
  }
  return true;
}

/**
 * One optimiser update of one float32 parameter as one kernel (check {@link hasOptimizerUpdate} first):
 * returns θ' and the new slots (momentum: [v]; adam: [m, v]; adadelta: [square_avg, acc_delta]), new
 * tensors owned by the caller. Throws naming the argument on a shape or slot-count mismatch.
 */
export function optimizerUpdate(
  rule: OptimizerRule,
  scalars: UpdateScalars,
  theta: tf.Tensor,
  grad: tf.Tensor,
  slots: readonly tf.Tensor[],
): { theta: tf.Tensor; slots: tf.Tensor[] } {
  const expected = SLOTS[rule.rule];
  if (expected == null)
    throw new Error(
      `optimizerUpdate: rule must be sgd, momentum, adam or adadelta, got ${String(rule.rule)}`,
    );
  if (slots.length !== expected) {
    throw new Error(`optimizerUpdate: ${rule.rule} takes ${expected} slot(s), got ${slots.length}`);
  }
  for (const [name, t] of [['grad', grad], ...slots.map((s, k) => [`slots[${k}]`, s] as const)] as const) {
    if (t.dtype !== 'float32' || t.size !== theta.size || theta.dtype !== 'float32') {
      throw new Error(
        `optimizerUpdate: ${name} must be float32 of theta's shape [${theta.shape}], got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  const inputs: tf.NamedTensorMap = { theta, grad };
  slots.forEach((s, k) => {
    inputs[`slot${k}`] = s;
  });
  const outs = tf.engine().runKernel(OPTIMIZER_UPDATE, inputs, {
    ...rule,
    ...scalars,
  } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { theta: outs[0]!, slots: outs.slice(1) };
}

/**
 * Σ_i Σ_j x_ij² over float32 tensors, as a number (float64 sums): one pass per tensor on the backend's
 * memory (wasm: the SIMD kernel; cpu: a loop), tfjs ops elsewhere. ‖g‖₂ = √ of it. Non-finite exactly when
 * an entry is.
 */
export function sumOfSquares(tensors: readonly tf.Tensor[]): number {
  const name = tf.getBackend();
  const backend = tf.backend();
  const direct = BACKENDS.includes(name) && tensors.every((t) => t.dtype === 'float32');
  if (!direct) {
    const total = tf.tidy(() => tf.addN(tensors.map((t) => tf.sum(tf.square(t)))));
    const value = total.dataSync()[0]!;
    total.dispose();
    return value;
  }
  const simd = name === 'wasm' ? simdKernelsFor(backend) : null;
  let sum = 0;
  for (const t of tensors) {
    if (simd != null) {
      sum += simd.exports.sum_squares(simd.address(t), t.size);
    } else {
      const x = float32View(backend, t);
      for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
    }
  }
  return sum;
}
