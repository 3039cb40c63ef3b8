import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { allocate, float32View, int32View } from '../kernels/backend-memory';
import { simdKernelsFor } from '../kernels/simd/simd-kernels';

/**
 * Softmax cross-entropy as two kernels on the backend's own memory (wasm, cpu), for the LM-sized case where
 * the op chain (max, sub, exp, sum, div, gather; oneHot, sub, mul) makes 6–9 passes over [N, O] and wasm's
 * scalar exp dominates. Forward: two passes per row (max; exp, sum and probabilities); backward: one.
 *
 *     forward  (logits [N, O], targets [N]) -> rowLoss [N] = log Σ_o e^{z_no} − z_n,y_n,  p [N, O] = softmax(z)
 *     backward (p [N, O], targets [N], rowScale [N]) -> ∂ [N, O] = (p − onehot(y)) ⊙ rowScale[:, None]
 */
export const SOFTMAX_CE = 'TbpttSoftmaxCrossEntropy';
export const SOFTMAX_CE_GRAD = 'TbpttSoftmaxCrossEntropyGrad';
const BACKENDS = ['wasm', 'cpu'];

const LOG2E = Math.LOG2E;
const LN2 = Math.LN2;
/** 2^k for k in [−127, 128], indexed by k + 127. */
const POWERS_OF_TWO = Float64Array.from({ length: 256 }, (_, k) => 2 ** (k - 127));

/**
 * e^x for x ≤ 0 (the shifted logits), relative error ≈ 2e-7 (float32 rounding): x = k ln2 + r with
 * |r| ≤ ln2/2, e^r by its degree-6 Taylor polynomial, 2^k from a table. About 3x faster than Math.exp.
 */
function expNonPositive(x: number): number {
  if (x < -87) return 0;
  const k = Math.floor(x * LOG2E + 0.5); // (Math.round is several times slower on negative numbers in V8)
  const r = x - k * LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720))))));
  return p * POWERS_OF_TWO[k + 127]!;
}

function input(inputs: NamedTensorInfoMap, name: string, kernel: string): TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`${kernel}: missing input "${name}"`);
  return info;
}

/**
 * Throws unless every label is a class id in [0, classes): a label ≥ classes would read the next row's
 * logits (a silently wrong loss), a negative one the previous row's. `caller` names the function.
 */
export function checkLabelRange(caller: string, labels: ArrayLike<number>, classes: number): void {
  for (let n = 0; n < labels.length; n++) {
    const label = labels[n]!;
    if (!(label >= 0 && label < classes)) {
      throw new Error(
        `${caller}: labels[${n}] = ${label} is not a class id of logits with ${classes} classes ` +
          `(expected 0 ≤ label < ${classes}); check that the model's outputSize covers every target ` +
          `(the vocabulary size, for a language model)`,
      );
    }
  }
}

const forwardKernel: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const logitsInfo = input(inputs, 'logits', SOFTMAX_CE);
  const targetsInfo = input(inputs, 'targets', SOFTMAX_CE);
  const [rows, classes] = logitsInfo.shape as [number, number];
  // Before any allocation: nothing to free when it throws.
  checkLabelRange(
    (attrs as { caller?: string }).caller ?? SOFTMAX_CE,
    int32View(backend, targetsInfo),
    classes,
  );
  const lossInfo = allocate(backend, [rows], 'float32');
  const probabilitiesInfo = allocate(backend, [rows, classes], 'float32');
  const simd = simdKernelsFor(backend);
  if (simd != null) {
    const at = (info: TensorInfo) => simd.address(info);
    // Split over rows on the threaded build. Work: an element takes as long as ≈ 70 operations of the
    // decoder's products (exp, float64 sum, normalisation; bench/kernel-threads.ts).
    simd.split(
      'softmax_ce_forward',
      [at(logitsInfo), at(targetsInfo), at(lossInfo), at(probabilitiesInfo), rows, classes],
      rows,
      1,
      70 * rows * classes,
    );
    return [lossInfo, probabilitiesInfo];
  }
  // Views after the last allocation (a wasm heap growth detaches earlier ones).
  const z = float32View(backend, logitsInfo);
  const targets = int32View(backend, targetsInfo);
  const loss = float32View(backend, lossInfo);
  const p = float32View(backend, probabilitiesInfo);
  for (let n = 0; n < rows; n++) {
    const start = n * classes;
    const end = start + classes;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = start; i < end; i++) if (z[i]! > max) max = z[i]!;
    let sum = 0;
    for (let i = start; i < end; i++) {
      const e = expNonPositive(z[i]! - max);
      p[i] = e;
      sum += e;
    }
    const inverse = 1 / sum;
    for (let i = start; i < end; i++) p[i]! *= inverse;
    const target = targets[n]!;
    loss[n] = Math.log(sum) - (z[start + target]! - max);
  }
  return [lossInfo, probabilitiesInfo];
};

const backwardKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const pInfo = input(inputs, 'probabilities', SOFTMAX_CE_GRAD);
  const targetsInfo = input(inputs, 'targets', SOFTMAX_CE_GRAD);
  const scaleInfo = input(inputs, 'rowScale', SOFTMAX_CE_GRAD);
  const [rows, classes] = pInfo.shape as [number, number];
  const gradInfo = allocate(backend, [rows, classes], 'float32');
  const simd = simdKernelsFor(backend);
  if (simd != null) {
    const at = (info: TensorInfo) => simd.address(info);
    // Split over rows on the threaded build. Work: memory-bound, an element takes as long as ≈ 6
    // operations of the decoder's products (bench/kernel-threads.ts).
    simd.split(
      'softmax_ce_backward',
      [at(pInfo), at(targetsInfo), at(scaleInfo), at(gradInfo), rows, classes],
      rows,
      1,
      6 * rows * classes,
    );
    return gradInfo;
  }
  const p = float32View(backend, pInfo);
  const targets = int32View(backend, targetsInfo);
  const scale = float32View(backend, scaleInfo);
  const grad = float32View(backend, gradInfo);
  for (let n = 0; n < rows; n++) {
    const start = n * classes;
    const s = scale[n]!;
    for (let i = start; i < start + classes; i++) grad[i] = p[i]! * s;
    grad[start + targets[n]!]! -= s;
  }
  return gradInfo;
};

let enabled = true;

/** Turns the kernels off (the op-chain path is used) or back on; for comparisons and benchmarks. */
export function setSoftmaxCrossEntropyKernel(on: boolean): void {
  enabled = on;
}

/** True when the active backend can run the kernels (registering them on first use). */
export function useSoftmaxCrossEntropyKernel(): boolean {
  if (!enabled) return false;
  const backend = tf.getBackend();
  if (!BACKENDS.includes(backend)) return false;
  if (tf.getKernel(SOFTMAX_CE, backend) == null) {
    tf.registerKernel({ kernelName: SOFTMAX_CE, backendName: backend, kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: SOFTMAX_CE_GRAD, backendName: backend, kernelFunc: backwardKernel });
  }
  return true;
}

/** Runs the forward kernel: [rowLoss [N], probabilities [N, O]]; throws naming `caller` on a label out of range. */
export function softmaxCrossEntropyForward(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  caller: string,
): [tf.Tensor1D, tf.Tensor2D] {
  return tf.engine().runKernel(SOFTMAX_CE, { logits, targets }, { caller }) as unknown as [
    tf.Tensor1D,
    tf.Tensor2D,
  ];
}

/** Runs the backward kernel: (p − onehot(y)) ⊙ rowScale[:, None], [N, O]. */
export function softmaxCrossEntropyBackward(
  probabilities: tf.Tensor2D,
  targets: tf.Tensor1D,
  rowScale: tf.Tensor1D,
): tf.Tensor2D {
  return tf.engine().runKernel(SOFTMAX_CE_GRAD, { probabilities, targets, rowScale }, {}) as tf.Tensor2D;
}
