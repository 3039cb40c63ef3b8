import { cells } from '../cells/cells';
import type { ModelSpec } from '../types';

/**
 * Names of the recurrent state components in state order: LSTM ['l0.h', 'l0.c', 'l1.h', 'l1.c', …],
 * GRU and RNN ['l0.h', 'l1.h', …].
 */
export function stateComponents(spec: Pick<ModelSpec, 'cell' | 'numLayers'>): string[] {
  const cell = cells[spec.cell];
  if (cell === undefined) {
    throw new Error(
      `stateComponents: spec.cell must be one of ${Object.keys(cells).join(', ')}, got ${spec.cell}`,
    );
  }
  const names: string[] = [];
  for (let l = 0; l < spec.numLayers; l++) {
    names.push(`l${l}.h`);
    if (cell.stateCount === 2) names.push(`l${l}.c`);
  }
  return names;
}
