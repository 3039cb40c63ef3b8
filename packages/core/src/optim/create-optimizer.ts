import { adadelta } from './adadelta';
import { adam } from './adam';
import type { Optimizer, OptimizerSpec } from './optimizer';
import { momentum, sgd } from './sgd';

const NAMES = ['sgd', 'momentum', 'adam', 'adadelta'] as const;

/** Builds the optimiser an {@link OptimizerSpec} names; an {@link Optimizer} object is returned as it is. */
export function createOptimizer(spec: OptimizerSpec | Optimizer): Optimizer {
  if (typeof spec !== 'object' || spec === null) {
    throw new Error(
      `createOptimizer: optimizer must be a spec like { name: 'sgd' } or an optimiser, got ${String(spec)}`,
    );
  }
  if ('update' in spec && typeof spec.update === 'function') return spec;
  const s = spec as OptimizerSpec;
  const common = {
    ...(s.learningRate === undefined ? {} : { learningRate: s.learningRate }),
    ...(s.weightDecay === undefined ? {} : { weightDecay: s.weightDecay }),
  };
  switch (s.name) {
    case 'sgd':
      return sgd(common);
    case 'momentum':
      return momentum({ ...common, ...(s.momentum === undefined ? {} : { momentum: s.momentum }) });
    case 'adam':
      return adam({
        ...common,
        ...(s.beta1 === undefined ? {} : { beta1: s.beta1 }),
        ...(s.beta2 === undefined ? {} : { beta2: s.beta2 }),
        ...(s.epsilon === undefined ? {} : { epsilon: s.epsilon }),
      });
    case 'adadelta':
      return adadelta({
        ...common,
        ...(s.rho === undefined ? {} : { rho: s.rho }),
        ...(s.epsilon === undefined ? {} : { epsilon: s.epsilon }),
      });
    default:
      throw new Error(
        `createOptimizer: optimizer.name must be one of ${NAMES.map((n) => `'${n}'`).join(', ')}, got ${JSON.stringify((s as { name: unknown }).name)}`,
      );
  }
}
