import type { RecurrentModel } from '@tbptt/models';
import type { Stream } from '../streams/stream';
import type { ResolvedTrainConfig } from './train-config';

/** The model's input width: vocabulary size (embedding) or feature count (dense). */
export function modelInputWidth(model: RecurrentModel): number {
  return model.spec.input === 'embedding' ? model.spec.vocabSize : model.spec.featureSize;
}

/**
 * Checks, before the first update, that every stream fits the model — id inputs below the vocabulary size, dense
 * inputs of the model's width, class targets below the number of outputs, real targets of its width — and that
 * every profile window (the adaptive controller's, bias monitoring's) fits in the training stream.
 */
export function checkRunFits(c: ResolvedTrainConfig): void {
  const { model } = c;
  const { spec } = model;
  const width = modelInputWidth(model);
  const splits: [string, Stream | undefined][] = [
    ['train', c.train],
    ['valid', c.valid],
    ['test', c.test],
  ];
  for (const [name, stream] of splits) {
    if (!stream) continue;
    const shape = stream.describe();
    if (spec.input === 'embedding') {
      if (shape.input !== 'ids') {
        throw new Error(
          `train: ${name} has dense inputs but the model embeds ids (input: 'embedding'); drop oneHot from tokenStream or use input: 'dense'`,
        );
      }
      if (shape.inputSize >= width) {
        throw new Error(
          `train: ${name} holds input id ${shape.inputSize} but the model's vocabulary has ${width} entries; ` +
            `create the model with vocabSize ≥ ${shape.inputSize + 1} (the corpus vocabulary size)`,
        );
      }
    } else if (shape.input === 'ids' || shape.inputSize !== width) {
      throw new Error(
        `train: ${name} has ${shape.input === 'ids' ? 'id inputs' : `${shape.inputSize} input features`} but the model reads ${width} dense features; ` +
          `${shape.input === 'ids' ? `feed ids one-hot (tokenStream(…, { oneHot: ${width} }))` : `create the model with featureSize ${shape.inputSize}`}`,
      );
    }
    if (stream.targetKind === 'classes' && shape.targetSize >= spec.outputSize) {
      throw new Error(
        `train: ${name} holds target class ${shape.targetSize} but the model has ${spec.outputSize} outputs; ` +
          `create the model with outputSize ≥ ${shape.targetSize + 1}`,
      );
    }
    if (stream.targetKind === 'point-process' && shape.targetSize !== spec.outputSize) {
      throw new Error(
        `train: ${name} is a point-process stream of ${shape.targetSize - 2} marks, so the model needs ${shape.targetSize} outputs ` +
          `(mark logits, log λ, w), got ${spec.outputSize}; give it heads of sizes ${shape.targetSize - 2} + 1 + 1`,
      );
    }
    if (stream.targetKind === 'real' && shape.targetSize !== spec.outputSize) {
      throw new Error(
        `train: ${name} has real targets of width ${shape.targetSize} but the model has ${spec.outputSize} outputs; make them equal`,
      );
    }
    if (stream.batch < 1 || stream.steps < 1)
      throw new Error(`train: ${name} is empty (${stream.steps} steps × ${stream.batch} columns)`);
  }
  const settings = (c.truncation as { settings?: { window: number; burnIn: number } }).settings;
  const windows: [string, { window: number; burnIn: number } | undefined][] = [
    ['adaptiveTruncation', settings],
    ['monitorBias', c.monitor],
  ];
  for (const [name, w] of windows) {
    if (w && w.window + w.burnIn > c.train.steps) {
      throw new Error(
        `train: ${name}'s burnIn + window = ${w.burnIn + w.window} steps do not fit in the training stream (${c.train.steps} steps per column); ` +
          'lower window / burnIn, or lay the stream out with fewer columns',
      );
    }
  }
}
