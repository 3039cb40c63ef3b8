import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backends/select-backend';
import { hasLayerKernel, type LayerKernelDefinition } from '../../src/kernels/layer-kernel';
import {
  finiteDifferenceGradients,
  LAYER_SHAPES,
  type LayerKind,
  randomCase,
  referenceForward,
  stateNamesOf,
  worstError,
} from './layer-reference';

/** A layer op under test: named input tensors in, outputs and final state [h, c?] out. */
export type LayerOp = (inputs: Map<string, tf.Tensor>) => { outputs: tf.Tensor; final: tf.Tensor[] };

/**
 * Tests a whole-layer kernel through tfjs on wasm and cpu: values against the float64 reference and every
 * gradient (tf.grads, probes included) against its finite differences, with and without probes; no leaks.
 */
export function describeLayerKernel(kind: LayerKind, kernel: LayerKernelDefinition, op: LayerOp): void {
  describe.each(['wasm', 'cpu'] as const)(`${kernel.kernelName} on %s`, (backend) => {
    beforeAll(async () => {
      await selectBackend(backend);
    });
    const names = stateNamesOf(kind);
    for (const probed of [false, true]) {
      it.each(LAYER_SHAPES)(
        `${probed ? 'with' : 'without'} probes, T=%i B=%i H=%i: values and all gradients`,
        (steps, batch, hidden) => {
          expect(hasLayerKernel(kernel)).toBe(true);
          const c = randomCase(kind, steps, batch, hidden, probed, 7 * steps + 3 * batch + hidden);
          const before = tf.memory().numTensors;
          const width = kernel.math.gates * hidden;
          const shapes: Record<string, number[]> = {
            inputGates: [steps * batch, width],
            weightHhT: [hidden, width],
            biasHh: [width],
          };
          const keys = [...c.inputs.keys()];
          const xs = keys.map((k) => {
            const v = Float32Array.from(c.inputs.get(k)!);
            return tf.tensor(v, shapes[k] ?? [v.length / hidden, hidden]);
          });
          const wOut = tf.tensor2d(Float32Array.from(c.wOutputs), [steps * batch, hidden]);
          const wFinal = c.wFinal.map((w) => tf.tensor2d(Float32Array.from(w), [batch, hidden]));
          const result = tf.tidy(() => {
            const run = (...args: tf.Tensor[]) => op(new Map(keys.map((k, i) => [k, args[i]!])));
            const out = run(...xs);
            const values = [out.outputs, ...out.final].map((t) => t.dataSync().slice());
            const grads = tf
              .grads((...args: tf.Tensor[]) => {
                const r = run(...args);
                return tf.addN([
                  tf.sum(tf.mul(r.outputs, wOut)),
                  ...r.final.map((f, k) => tf.sum(tf.mul(f, wFinal[k]!))),
                ]);
              })(xs)
              .map((g) => g.dataSync().slice());
            return { values, grads };
          });
          tf.dispose([...xs, wOut, ...wFinal]);
          expect(tf.memory().numTensors).toBe(before);
          const expected = referenceForward(c);
          expect(worstError(result.values[0]!, expected.outputs)).toBeLessThan(2e-6);
          names.forEach((_, k) => {
            expect(worstError(result.values[k + 1]!, expected.final[k]!)).toBeLessThan(2e-6);
          });
          const fd = finiteDifferenceGradients(c);
          keys.forEach((k, i) => {
            expect(worstError(result.grads[i]!, fd.get(k)!), k).toBeLessThan(1e-5);
          });
        },
      );
    }

    it('refuses inputGates of the wrong width, naming the op and the argument', () => {
      const gates = kernel.math.gates;
      const bad = tf.zeros([6, gates * 2 + 1]);
      const inputs = new Map<string, tf.Tensor>([
        ['inputGates', bad],
        ['weightHhT', tf.zeros([2, gates * 2])],
        ['biasHh', tf.zeros([gates * 2])],
        ['initial.h', tf.zeros([3, 2])],
        ['initial.c', tf.zeros([3, 2])],
      ]);
      expect(() => op(inputs)).toThrow(
        new RegExp(`${kernel.opName}: inputGates must be \\[T·B, ${gates === 1 ? '' : gates}H\\]`),
      );
      tf.dispose([...inputs.values()]);
    });
  });
}
