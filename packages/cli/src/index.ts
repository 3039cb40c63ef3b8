export { EXIT, RunError, UsageError } from './errors';
export type { TrainOptions } from './options/train-options';
export { TRAIN_DEFAULTS, TRAIN_FLAGS } from './options/train-options';
export type { TruncationSpec } from './options/truncation-spec';
export { formatTruncation, parseTruncation } from './options/truncation-spec';
export { main } from './program';
export type { RunEvent, RunInfo, RunResult } from './run-events';
