import { adadelta } from './adadelta';
import { adam } from './adam';
import type { NamedParameter, Optimizer, OptimizerSpec } from './optimizer';
import { momentum, sgd } from './sgd';

/** Builds the optimiser an {@link OptimizerSpec} names, over the given parameters. */
export function createOptimizer(spec: OptimizerSpec, parameters: readonly NamedParameter[]): Optimizer {
  const weightDecay = spec.weightDecay ?? 0;
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) {
    throw new Error(
      `createOptimizer: optimizer.weightDecay must be a finite number ≥ 0, got ${spec.weightDecay}`,
    );
  }
  switch (spec.name) {
    case 'sgd':
      return sgd(parameters, { weightDecay });
    case 'momentum':
      return momentum(parameters, {
        weightDecay,
        ...(spec.momentum === undefined ? {} : { momentum: spec.momentum }),
      });
    case 'adam':
      return adam(parameters, {
        weightDecay,
        ...(spec.beta1 === undefined ? {} : { beta1: spec.beta1 }),
        ...(spec.beta2 === undefined ? {} : { beta2: spec.beta2 }),
        ...(spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }),
      });
    case 'adadelta':
      return adadelta(parameters, {
        weightDecay,
        ...(spec.rho === undefined ? {} : { rho: spec.rho }),
        ...(spec.epsilon === undefined ? {} : { epsilon: spec.epsilon }),
      });
    default:
      throw new Error(
        `createOptimizer: optimizer.name must be 'sgd', 'momentum', 'adam' or 'adadelta', got ${JSON.stringify((spec as { name: unknown }).name)}`,
      );
  }
}
