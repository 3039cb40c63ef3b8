import type { CellType } from '../types';
import type { RecurrentCell } from './cell';
import { gruCell } from './gru-cell';
import { lstmCell } from './lstm-cell';
import { rnnReluCell, rnnTanhCell } from './rnn-cell';

/** The cell for each {@link CellType}. */
export const cells: Readonly<Record<CellType, RecurrentCell>> = Object.freeze({
  lstm: lstmCell,
  gru: gruCell,
  rnn_tanh: rnnTanhCell,
  rnn_relu: rnnReluCell,
});
