import { describe, expect, it } from 'vitest';
import { layerBackwardOnArrays, layerForwardOnArrays } from '../../src/kernels/array-workspace';
import type { LayerCellMath } from '../../src/kernels/layer-scaffold';
import {
  finiteDifferenceGradients,
  LAYER_SHAPES,
  type LayerKind,
  randomCase,
  referenceForward,
  stateNamesOf,
  worstError,
} from './layer-reference';

const f32 = (x: Float64Array) => Float32Array.from(x);

/**
 * Tests a layer kind's math on plain arrays (the scaffold with its step) against the float64 reference:
 * forward values, and every gradient against finite differences, with and without probes, on shapes with
 * B = 1, T = 1 and H not a multiple of 4.
 */
export function describeLayerMath(kind: LayerKind, math: LayerCellMath): void {
  describe(`${kind} layer math on plain arrays, against a float64 reference`, () => {
    const names = stateNamesOf(kind);
    for (const probed of [false, true]) {
      it.each(LAYER_SHAPES)(
        `${probed ? 'with' : 'without'} probes, T=%i B=%i H=%i: forward and backward`,
        (steps, batch, hidden) => {
          const c = randomCase(kind, steps, batch, hidden, probed, 100 * steps + 10 * batch + hidden);
          const dims = { steps, batch, hidden };
          const arrays = {
            inputGates: f32(c.inputs.get('inputGates')!),
            weightHhT: f32(c.inputs.get('weightHhT')!),
            ...(c.inputs.has('biasHh') ? { biasHh: f32(c.inputs.get('biasHh')!) } : {}),
            initial: names.map((n) => f32(c.inputs.get(`initial.${n}`)!)),
            ...(probed ? { probes: names.map((n) => f32(c.inputs.get(`probes.${n}`)!)) } : {}),
          };
          const forward = layerForwardOnArrays(math, dims, arrays);
          const expected = referenceForward(c);
          expect(worstError(forward.outputs.data, expected.outputs)).toBeLessThan(1e-6);
          forward.final.forEach((f, k) => {
            expect(worstError(f.data, expected.final[k]!)).toBeLessThan(1e-6);
          });
          const back = layerBackwardOnArrays(math, dims, arrays, forward, f32(c.wOutputs), c.wFinal.map(f32));
          const fd = finiteDifferenceGradients(c);
          expect(worstError(back.dInputGates.data, fd.get('inputGates')!)).toBeLessThan(1e-5);
          expect(worstError(back.dWeightHhT.data, fd.get('weightHhT')!)).toBeLessThan(1e-5);
          if (fd.has('biasHh')) expect(worstError(back.dBiasHh!.data, fd.get('biasHh')!)).toBeLessThan(1e-5);
          else expect(back.dBiasHh).toBeNull();
          names.forEach((n, k) => {
            expect(worstError(back.dInitial[k]!.data, fd.get(`initial.${n}`)!)).toBeLessThan(1e-5);
            if (probed) expect(worstError(back.dProbes![k]!.data, fd.get(`probes.${n}`)!)).toBeLessThan(1e-5);
          });
          if (!probed) expect(back.dProbes).toBeNull();
        },
      );
    }
  });
}
