export type { CheckpointFiles } from './checkpoint/checkpoint-io';
export {
  prepareCheckpointDir,
  readCheckpoint,
  resolveCheckpoint,
  writeCheckpoint,
} from './checkpoint/checkpoint-io';
export { lockCheckpointDir } from './checkpoint/checkpoint-lock';
export type { AdaptivePreset, AdaptivePresetName } from './controllers/adaptive-presets';
export { ADAPTIVE_PRESETS } from './controllers/adaptive-presets';
export type {
  AdaptiveTruncation,
  AdaptiveTruncationOptions,
  AdaptiveTruncationSettings,
} from './controllers/adaptive-truncation';
export { adaptiveTruncation, adaptiveTruncationSettings } from './controllers/adaptive-truncation';
export { fixedTruncation } from './controllers/fixed-truncation';
export type {
  AdaptiveTruncationState,
  ControllerState,
  FixedTruncationState,
  ProfileRequest,
  TruncationContext,
  TruncationController,
  TruncationDecision,
  TruncationEstimate,
  VariableTruncationState,
} from './controllers/truncation-controller';
export type { VariableTruncationOptions } from './controllers/variable-truncation';
export { variableTruncation } from './controllers/variable-truncation';
export { adadelta } from './optim/adadelta';
export { adam } from './optim/adam';
export type { ClipOptions } from './optim/clip';
export { clipByGlobalNorm, globalNorm } from './optim/clip';
export { createOptimizer } from './optim/create-optimizer';
export type {
  Chain,
  ChainState,
  GradientTransformation,
  NamedParameter,
  TransformState,
  UpdateContext,
} from './optim/gradient-transformation';
export { applyUpdates, chain } from './optim/gradient-transformation';
export type { LearningRateScaling } from './optim/learning-rate';
export { scaleByLearningRate, scaledLearningRate } from './optim/learning-rate';
export type { Optimizer, OptimizerName, OptimizerSpec } from './optim/optimizer';
export { DEFAULT_LEARNING_RATES } from './optim/optimizer';
export { momentum, sgd } from './optim/sgd';
export {
  gapDensityMean,
  gapNegativeLogDensity,
  integratedIntensity,
} from './point-process/gap-density';
export {
  gapNegativeLogDensityRows,
  POINT_PROCESS_EXTRA_COLUMNS,
  pointProcessLoss,
} from './point-process/point-process-loss';
export type { PointProcessMetrics } from './point-process/point-process-metrics';
export type { GradientNormProfileOptions } from './profile/gradient-norm-profile';
export { gradientNormProfile, gradientNormProfileGroups } from './profile/gradient-norm-profile';
export type { DenseStreamOptions } from './streams/dense-stream';
export { denseStream } from './streams/dense-stream';
export type { PointProcessLayout } from './streams/point-process-stream';
export { pointProcessStream } from './streams/point-process-stream';
export type { Stream, StreamShape, StreamWindow } from './streams/stream';
export type { PairedTokenLayout, TokenLayout, TokenStreamOptions } from './streams/token-stream';
export { tokenStream } from './streams/token-stream';
export type { EvaluateOptions, Evaluation } from './train/evaluate';
export { evaluate } from './train/evaluate';
export type {
  BiasEvent,
  CheckpointEvent,
  CheckpointFailedEvent,
  EstimateEvent,
  EvaluateEvent,
  LearningRateEvent,
  NonFiniteEvent,
  StepEvent,
  TrainEvent,
  TruncationEvent,
} from './train/events';
export { sampleProfiles } from './train/profile-sampler';
export type { TrainResult } from './train/train';
export { train, yieldToEventLoop } from './train/train';
export type { ResolvedTrainConfig, TrainConfig } from './train/train-config';
export { resolveTrainConfig } from './train/train-config';
export type { TrainState } from './train/train-state';
export type { StopReason, Trainer } from './train/trainer';
export { createTrainer } from './train/trainer';
export type { WindowGradients } from './train/window-gradients';
export { windowGradients } from './train/window-gradients';
export type { WindowPlan, WindowPlanInput, WindowStyle } from './windows/window-plan';
export { planWindow } from './windows/window-plan';
