import { gruLayerMath } from '../gru-layer-impl.js';
import type { LayerCellMath } from '../layer-scaffold.js';
import { lstmLayerMath } from '../lstm-layer-impl.js';
import { rnnReluLayerMath, rnnTanhLayerMath } from '../rnn-layer-impl.js';
import type { SimdKernelExports } from './simd-kernels.js';

/**
 * A layer kind's pointwise step on the SIMD kernels (wasm/tbptt-kernels.c): the same math as the
 * JavaScript step (`*-layer-impl.ts`, the reference), called with the byte addresses of the scaffold's
 * views. Every array the scaffold passes is a view of the wasm heap (`byteOffset` is the tensor's
 * address), so the kernels work in place.
 */
type SimdMathFactory = (k: SimdKernelExports) => LayerCellMath;

const at = (view: Float32Array, base = 0) => view.byteOffset + 4 * base;

const lstm: SimdMathFactory = (k) => ({
  ...lstmLayerMath,
  forwardStep(s) {
    k.lstm_forward_step(
      at(s.inputGates, s.gatesBase),
      at(s.recurrent),
      at(s.previous[1]!, s.previousBase[1]),
      at(s.next[0]!, s.stateBase),
      at(s.next[1]!, s.stateBase),
      at(s.saved, s.savedBase),
      s.batch,
      s.hidden,
    );
  },
  backwardStep(s) {
    k.lstm_backward_step(
      at(s.dOutputs, s.stateBase),
      at(s.carry[0]!),
      at(s.carry[1]!),
      at(s.saved, s.savedBase),
      at(s.previous[1]!, s.previousBase[1]),
      at(s.dInputGates, s.gatesBase),
      at(s.dRecurrent),
      s.batch,
      s.hidden,
    );
  },
});

const gru: SimdMathFactory = (k) => ({
  ...gruLayerMath,
  forwardStep(s) {
    k.gru_forward_step(
      at(s.inputGates, s.gatesBase),
      at(s.recurrent),
      at(s.previous[0]!, s.previousBase[0]),
      at(s.next[0]!, s.stateBase),
      at(s.saved, s.savedBase),
      s.batch,
      s.hidden,
    );
  },
  backwardStep(s) {
    k.gru_backward_step(
      at(s.dOutputs, s.stateBase),
      at(s.carry[0]!),
      at(s.saved, s.savedBase),
      at(s.previous[0]!, s.previousBase[0]),
      at(s.dInputGates, s.gatesBase),
      at(s.dRecurrent),
      s.batch,
      s.hidden,
    );
  },
});

const rnn =
  (base: LayerCellMath, relu: number): SimdMathFactory =>
  (k) => ({
    ...base,
    forwardStep(s) {
      k.rnn_forward_step(
        at(s.inputGates, s.gatesBase),
        at(s.recurrent),
        at(s.next[0]!, s.stateBase),
        s.batch * s.hidden,
        relu,
      );
    },
    backwardStep(s) {
      k.rnn_backward_step(
        at(s.dOutputs, s.stateBase),
        at(s.outputs, s.stateBase),
        at(s.carry[0]!),
        at(s.dInputGates, s.gatesBase),
        at(s.dRecurrent),
        s.batch * s.hidden,
        relu,
      );
    },
  });

const FACTORIES = new Map<LayerCellMath, SimdMathFactory>([
  [lstmLayerMath, lstm],
  [gruLayerMath, gru],
  [rnnTanhLayerMath, rnn(rnnTanhLayerMath, 0)],
  [rnnReluLayerMath, rnn(rnnReluLayerMath, 1)],
]);

const cache = new WeakMap<SimdKernelExports, Map<LayerCellMath, LayerCellMath>>();

/**
 * `math` with its steps on the SIMD kernels `exports`, or `math` itself when it has no SIMD version.
 * The scaffold must hand it heap views only (the wasm workspace does, the carry included).
 */
export function simdLayerMath(math: LayerCellMath, exports: SimdKernelExports): LayerCellMath {
  const factory = FACTORIES.get(math);
  if (factory == null) return math;
  let byMath = cache.get(exports);
  if (byMath == null) {
    byMath = new Map();
    cache.set(exports, byMath);
  }
  let simd = byMath.get(math);
  if (simd == null) {
    simd = factory(exports);
    byMath.set(math, simd);
  }
  return simd;
}
