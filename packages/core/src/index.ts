export type { CheckpointFiles } from './checkpoint/checkpoint-io';
export { readCheckpoint, resolveCheckpoint, writeCheckpoint } from './checkpoint/checkpoint-io';
export type {
  AdaptiveTruncationOptions,
  AdaptiveTruncationSettings,
} from './controllers/adaptive-truncation';
export { adaptiveTruncation, adaptiveTruncationSettings } from './controllers/adaptive-truncation';
export { fixedTruncation } from './controllers/fixed-truncation';
export type {
  ControllerState,
  ProfileRequest,
  TruncationChange,
  TruncationContext,
  TruncationController,
  TruncationDecision,
} from './controllers/truncation-controller';
export type { VariableTruncationOptions } from './controllers/variable-truncation';
export { variableTruncation } from './controllers/variable-truncation';
export type { TargetKind } from './internal/loss';
export { meanLoss } from './internal/loss';
export { adadelta } from './optim/adadelta';
export { adam } from './optim/adam';
export { clipByGlobalNorm } from './optim/clip';
export { createOptimizer } from './optim/create-optimizer';
export type { LrScaling } from './optim/lr-scaling';
export { scaledLearningRate } from './optim/lr-scaling';
export type { NamedParameter, Optimizer, OptimizerName, OptimizerSpec } from './optim/optimizer';
export { momentum, sgd } from './optim/sgd';
export type { GradientNormProfileOptions } from './profile/gradient-norm-profile';
export { gradientNormProfile, gradientNormProfileGroups } from './profile/gradient-norm-profile';
export type { DenseStreamOptions } from './streams/dense-stream';
export { denseStream } from './streams/dense-stream';
export type { Stream, StreamWindow } from './streams/stream';
export type { TokenStreamOptions } from './streams/token-stream';
export { tokenStream } from './streams/token-stream';
export type { Evaluation } from './train/evaluate';
export { evaluate } from './train/evaluate';
export type {
  CheckpointEvent,
  EvaluateEvent,
  NonFiniteEvent,
  StepEvent,
  TrainEvent,
  TruncationEvent,
} from './train/events';
export { sampleProfiles } from './train/profile-sampler';
export type { TrainResult } from './train/train';
export { train } from './train/train';
export type { ResolvedTrainConfig, TrainConfig } from './train/train-config';
export { resolveTrainConfig } from './train/train-config';
export type { WindowGradients } from './train/window-gradients';
export { windowGradients } from './train/window-gradients';
export type { WindowPlan, WindowPlanInput, WindowStyle } from './windows/window-plan';
export { planWindow } from './windows/window-plan';
