import type { KernelBackend, KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { matMulBias } from '../internal/mat-mul-bias.js';
import { allocate, float32View } from './backend-memory.js';
import { requireSimdKernels, simdKernelsFor } from './simd/simd-kernels.js';

/**
 * A linear layer with its weight in PyTorch's layout, the decoder of every model here:
 *
 *     z [N, O] = x [N, K] · Wᵀ + b          W [O, K] (a tied embedding E [V, H]), b [O] (optional)
 *     ∂x = ∂z · W   [N, O] x [O, K];   ∂W = ∂zᵀ · x   [O, N] x [N, K];   ∂b = 1ᵀ ∂z   [O]
 *
 * On wasm (with this package's SIMD kernels, see `setSimdKernels`) these are three kernels of
 * wasm/tbptt-kernels.c that read W in its own layout on the backend's heap. The tfjs path (the reference,
 * and every other backend) first transposes W into a new [K, O] tensor, which XNNPACK packs afresh on every
 * call, and its products with a word LM's [V, H] weight (V = 33,278: 17 MB) stream the packed weight from
 * memory once per few rows; the forward product and the two of the backward pass then cost ≈ 200 ms of
 * transposes and packing per call whatever N, and run at 2–13 GFLOP/s (bench/decoder-products.ts).
 * The kernels keep a block of W's rows in cache while every row of x meets it, with no copies. Their sums
 * are float32, as the tfjs products', in another order: results agree to float32 rounding. On the threaded
 * build a large call is split between threads by output rows or columns (simd-kernels.ts `split`), with
 * the same result bit for bit.
 */
export const LINEAR = 'TbpttLinear';
export const LINEAR_GRAD_INPUT = 'TbpttLinearGradInput';
export const LINEAR_GRAD_WEIGHT = 'TbpttLinearGradWeight';

/** x [N, K], weight [O, K], bias [O] (optional) -> z [N, O]. */
const forwardKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { x, weight, bias } = inputs as NamedTensorInfoMap;
  const [rows, inner] = x!.shape as [number, number];
  const outer = weight!.shape[0]!;
  const out = allocate(backend, [rows, outer], 'float32');
  const simd = requireSimdKernels(backend, LINEAR);
  const at = (info: TensorInfo) => simd.address(info);
  // Split over z's columns (W's rows), in blocks of the kernel's 32 rows of W.
  simd.split(
    'linear_forward',
    [at(x!), at(weight!), bias ? at(bias) : 0, at(out), rows, inner, outer, bias ? 1 : 0],
    outer,
    32,
    2 * rows * inner * outer,
  );
  return out;
};

/** dy [N, O], weight [O, K] -> dx [N, K]. */
const gradInputKernel: KernelFunc = ({ inputs, backend: anyBackend }) => {
  const backend = anyBackend as KernelBackend;
  const { dy, weight } = inputs as NamedTensorInfoMap;
  const [rows, outer] = dy!.shape as [number, number];
  const inner = weight!.shape[1]!;
  const dx = allocate(backend, [rows, inner], 'float32');
  // The kernel sums over W's rows block by block; with no rows there is no first block to store zeros.
  if (outer === 0) {
    float32View(backend, dx).fill(0);
    return dx;
  }
  const simd = requireSimdKernels(backend, LINEAR_GRAD_INPUT);
  // Split over dx's rows, in groups of the kernel's 4 rows.
  simd.split(
    'linear_backward_input',
    [simd.address(dy!), simd.address(weight!), simd.address(dx), rows, inner, outer],
    rows,
    4,
    2 * rows * inner * outer,
  );
  return dx;
};

/** dy [N, O], x [N, K] -> [dW [O, K], db [O]] (db when attrs.hasBias). */
const gradWeightKernel: KernelFunc = ({ inputs, backend: anyBackend, attrs }) => {
  const backend = anyBackend as KernelBackend;
  const { dy, x } = inputs as NamedTensorInfoMap;
  const hasBias = (attrs as { hasBias: boolean }).hasBias;
  const [rows, outer] = dy!.shape as [number, number];
  const inner = x!.shape[1]!;
  const dw = allocate(backend, [outer, inner], 'float32');
  const db = hasBias ? allocate(backend, [outer], 'float32') : null;
  const simd = requireSimdKernels(backend, LINEAR_GRAD_WEIGHT);
  const at = (info: TensorInfo) => simd.address(info);
  // Split over dW's rows (and db's entries), in groups of the kernel's 4 rows: no part sums into another's.
  simd.split(
    'linear_backward_weight',
    [at(dy!), at(x!), at(dw), db ? at(db) : 0, rows, inner, outer, db ? 1 : 0],
    outer,
    4,
    2 * rows * inner * outer,
  );
  return db ? [dw, db] : [dw];
};

let enabled = true;

/**
 * Turns the SIMD linear kernels off ({@link linear} takes the tfjs path, the reference) or back on; for
 * comparisons, benchmarks and tests. `setSimdKernels(false)` turns them off too.
 */
export function setLinearKernel(on: boolean): void {
  enabled = on;
}

/** True when the active backend runs the SIMD kernels (registering them on first use). */
export function useLinearKernel(): boolean {
  if (!enabled || tf.getBackend() !== 'wasm' || simdKernelsFor(tf.backend()) == null) return false;
  if (tf.getKernel(LINEAR, 'wasm') == null) {
    tf.registerKernel({ kernelName: LINEAR, backendName: 'wasm', kernelFunc: forwardKernel });
    tf.registerKernel({ kernelName: LINEAR_GRAD_INPUT, backendName: 'wasm', kernelFunc: gradInputKernel });
    tf.registerKernel({ kernelName: LINEAR_GRAD_WEIGHT, backendName: 'wasm', kernelFunc: gradWeightKernel });
  }
  return true;
}

function checkArguments(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined): void {
  const problem =
    x?.rank !== 2 || x.dtype !== 'float32'
      ? `x must be float32 [N, K], got ${x?.dtype} [${x?.shape?.join(', ')}]`
      : weight?.rank !== 2 || weight.dtype !== 'float32' || weight.shape[1] !== x.shape[1]
        ? `weight must be float32 [O, K] with K = ${x.shape[1]} (x's columns), got ${weight?.dtype} [${weight?.shape?.join(', ')}]`
        : bias !== undefined &&
            (bias.rank !== 1 || bias.dtype !== 'float32' || bias.shape[0] !== weight.shape[0])
          ? `bias must be float32 [O] with O = ${weight.shape[0]} (weight's rows), got ${bias.dtype} [${bias.shape.join(', ')}]`
          : null;
  if (problem !== null) throw new Error(`linear: ${problem}`);
}

/**
 * The tfjs path, the reference: x Wᵀ + b as tfjs issues it ([O, K] -> [K, O];  [N, K] x [K, O] (+ [O])).
 */
export function linearReference(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  checkArguments(x, weight, bias);
  return tf.tidy(() =>
    bias !== undefined
      ? matMulBias(x, tf.transpose(weight) as tf.Tensor2D, bias)
      : tf.matMul(x, tf.transpose(weight) as tf.Tensor2D),
  );
}

/**
 * z = x Wᵀ + b: x [N, K], weight [O, K] (PyTorch's `nn.Linear` layout), bias [O] or none; differentiable
 * in all of them. On wasm the SIMD kernels above, elsewhere {@link linearReference}.
 */
export function linear(x: tf.Tensor2D, weight: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D {
  if (!useLinearKernel()) return linearReference(x, weight, bias);
  checkArguments(x, weight, bias);
  const hasBias = bias !== undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, w] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([xs, w]);
    const inputs: tf.NamedTensorMap = hasBias
      ? { x: xs, weight: w, bias: args[2] as tf.Tensor }
      : { x: xs, weight: w };
    const value = tf.engine().runKernel(LINEAR, inputs) as tf.Tensor2D;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xSaved, wSaved] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dx = tf.engine().runKernel(LINEAR_GRAD_INPUT, { dy, weight: wSaved }) as tf.Tensor;
      const weightGrads = tf.engine().runKernel(
        LINEAR_GRAD_WEIGHT,
        { dy, x: xSaved },
        {
          hasBias,
        },
      ) as unknown as tf.Tensor[];
      return [dx, ...weightGrads];
    };
    return { value, gradFunc };
  });
  return (hasBias ? op(x, weight, bias) : op(x, weight)) as tf.Tensor2D;
}
