import {
  type ComponentProfiles,
  componentProfilesFromSquaredNorms,
  cumulativeAdjointNorms,
} from '@tbptt/estimators';
import { type RecurrentModel, type RecurrentState, stateComponents } from '@tbptt/models';
import * as tf from '@tensorflow/tfjs-core';
import { meanLoss, type TargetKind } from '../internal/loss';

export interface GradientNormProfileOptions {
  /** W: lags k = 0..W−1 of the profile. */
  window: number;
  /** Steps run before the probe window (no gradient) to warm the state up. */
  burnIn: number;
  /** 'norm' (default): φ̂_k = mean over rows of the norm; 'log': exp of the mean of the log norms. */
  averaging?: 'norm' | 'log';
  /** Target kind of the stream (default 'classes'). */
  targetKind?: TargetKind;
  /** Names of the state components, in state order. Default `stateComponents(model.spec)`: 'l0.h', 'l0.c', …. */
  componentNames?: readonly string[];
  /** State before the burn-in (default the model's zero state). Not disposed. */
  state?: RecurrentState;
  /**
   * Most rows per backward pass. Default: as many as keep the probe's activations (every step's states,
   * which the tape holds until the backward pass, and the last step's logits) under about 256 MB; larger
   * batches run as several passes over slices of the rows, with the same result.
   */
  maxRowsPerPass?: number;
}

/**
 * Bytes per row the probe holds: generously, 16 state-sized tensors per layer and step, and a few copies of
 * the last step's logits (only that step is decoded).
 */
function rowsPerPass(model: RecurrentModel, options: GradientNormProfileOptions): number {
  if (options.maxRowsPerPass !== undefined) return Math.max(1, Math.floor(options.maxRowsPerPass));
  const { spec } = model;
  const bytesPerRow =
    ((options.burnIn + options.window) * 16 * spec.hiddenSize * spec.numLayers + 4 * spec.outputSize) * 4;
  return Math.max(1, Math.floor((256 * 2 ** 20) / bytesPerRow));
}

/**
 * {@link gradientNormProfile} for G groups of rows from the same single backward pass: rows
 * [g·S/G, (g+1)·S/G) make profile g. Rows are independent, so G profiles of S/G samples cost one probe of S rows
 * (how the adaptive controller's repeats are measured at once). S must be a multiple of G.
 */
export function gradientNormProfileGroups(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  options: GradientNormProfileOptions & { groups: number },
): ComponentProfiles[] {
  const rows = inputs.shape[1]!;
  const { groups } = options;
  if (!Number.isInteger(groups) || groups < 1 || rows % groups !== 0) {
    throw new Error(
      `gradientNormProfileGroups: groups must be a positive integer dividing the ${rows} rows, got ${groups}`,
    );
  }
  const probe = probeInPasses(model, inputs, targets, options, groups);
  const perGroup = rows / groups;
  return Array.from({ length: groups }, (_, g) =>
    buildProfiles(probe, withNames(model, options), rows, g, g * perGroup, (g + 1) * perGroup),
  );
}

/**
 * The gradient-norm profile φ̂_k = mean_s ‖∂L_s/∂h_{s−k}‖, k = 0..W−1 (ARCHITECTURE §1; Aicher, Foti &
 * Fox 2019, Section 4.1), from ONE backward pass. Each batch row is one sample s whose loss L_s sits at the
 * last step of the window. A zero probe z_t is added to every state component after every step
 * (h_t + z_t, the state handed to step t+1); the gradient of Σ_rows L_s with respect to all probes at once
 * gives ∂L_s/∂h_t for every t and component (rows do not interact, so the sum separates them). Lag k reads
 * the probe of step W−1−k. h_t is the recurrent state as a whole (every layer's hidden and cell after
 * step t): the model's probes feed step t+1 and the decoder, never the layer above within step t (see
 * ForwardOptions.probes), so the whole window runs as one forward call that decodes the last step only.
 * At lag 0 only the top layer's state reaches the loss.
 *
 * `inputs` / `targets` hold burnIn + W steps and S rows ([burnIn+W, S(, F)], [burnIn+W, S(, O)]).
 * Returns the total profile (all components concatenated) and one per component. Dropout is off.
 */
export function gradientNormProfile(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  options: GradientNormProfileOptions,
): ComponentProfiles {
  const probe = probeInPasses(model, inputs, targets, options, 1);
  const rows = inputs.shape[1]!;
  return buildProfiles(probe, withNames(model, options), rows, 0, 0, rows);
}

/** What one probe returns: per-row squared norms [W, C, S] and, per group of rows, the adjoint sums [G, W, C, H]. */
interface ProbeValues {
  squares: Float32Array;
  /** Σ_{s in group g} ∂L_s/∂h_t^(j), laid out [G, W, C, H] (float64, summed over passes). */
  sums: Float64Array;
  components: number;
  hidden: number;
}

/** {@link probeSquares} over slices of at most {@link rowsPerPass} rows, reassembled into [W, C, S]. */
function probeInPasses(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  options: GradientNormProfileOptions,
  groups: number,
): ProbeValues {
  const rows = inputs.shape[1]!;
  const perPass = rowsPerPass(model, options);
  const perGroup = rows / groups;
  let squares: Float32Array | undefined;
  let sums: Float64Array | undefined;
  let components = 0;
  let hidden = 0;
  for (let from = 0; from < rows; from += perPass) {
    const count = Math.min(perPass, rows - from);
    const whole = count === rows;
    const slice = (t: tf.Tensor) => tf.slice(t, [0, from], [-1, count]); // [T, S(, F)] -> [T, count(, F)]
    const [x, y] = whole ? [inputs, targets] : [slice(inputs), slice(targets)];
    const state = whole
      ? options.state
      : options.state?.map((s) => tf.slice(s, [from, 0], [count, -1]) as tf.Tensor2D);
    // The groups this pass's rows fall in, as row ranges relative to the pass.
    const ranges: { group: number; start: number; end: number }[] = [];
    for (let g = Math.floor(from / perGroup); g < groups && g * perGroup < from + count; g++) {
      const start = Math.max(g * perGroup, from) - from;
      const end = Math.min((g + 1) * perGroup, from + count) - from;
      if (end > start) ranges.push({ group: g, start, end });
    }
    const part = probeSquares(model, x, y, { ...options, ...(state ? { state } : {}) }, ranges);
    if (!whole) tf.dispose([x, y, ...(state ?? [])]);
    ({ components, hidden } = part);
    squares ??= new Float32Array(options.window * components * rows);
    const block = options.window * components * hidden;
    sums ??= new Float64Array(groups * block);
    // [W, C, count] into columns [from, from + count) of [W, C, S]
    for (let wc = 0; wc < options.window * components; wc++) {
      squares.set(part.squares.subarray(wc * count, (wc + 1) * count), wc * rows + from);
    }
    ranges.forEach((range, r) => {
      const offset = range.group * block;
      for (let i = 0; i < block; i++) sums![offset + i]! += part.sums[r * block + i]!;
    });
  }
  return { squares: squares!, sums: sums!, components, hidden };
}

function withNames(model: RecurrentModel, options: GradientNormProfileOptions): GradientNormProfileOptions {
  return options.componentNames ? options : { ...options, componentNames: stateComponents(model.spec) };
}

/** The probe: per-row squared adjoint norms ‖∂L_s/∂h_t^(j)‖², laid out [W, C, S]. */
function probeSquares(
  model: RecurrentModel,
  inputs: tf.Tensor,
  targets: tf.Tensor,
  options: GradientNormProfileOptions,
  ranges: readonly { start: number; end: number }[],
): { squares: Float32Array; sums: Float32Array; components: number; hidden: number } {
  const fn = 'gradientNormProfile';
  const { window, burnIn } = options;
  if (!Number.isInteger(window) || window < 2) {
    throw new Error(`${fn}: window must be an integer ≥ 2, got ${window}`);
  }
  if (!Number.isInteger(burnIn) || burnIn < 0) {
    throw new Error(`${fn}: burnIn must be an integer ≥ 0, got ${burnIn}`);
  }
  if (inputs.shape[0] !== burnIn + window || targets.shape[0] !== burnIn + window) {
    throw new Error(
      `${fn}: inputs and targets must hold burnIn + window = ${burnIn + window} steps, got ${inputs.shape[0]} and ${targets.shape[0]}`,
    );
  }
  const samples = inputs.shape[1]!;
  const kind = options.targetKind ?? 'classes';

  let hidden = 0;
  const [squares, sums] = tf.tidy(() => {
    let state = options.state ?? model.initialState(samples);
    if (burnIn > 0) {
      const warm = model.forward(tf.slice(inputs, 0, burnIn), state, { training: false });
      state = warm.finalState;
    }
    const start = state;
    const probeInputs = tf.slice(inputs, burnIn, window);
    const lastTargets = tf.squeeze(tf.slice(targets, burnIn + window - 1, 1), [0]); // [1, S(, O)] -> [S(, O)]
    const components = start.length;
    hidden = start[0]!.shape[1];
    if (start.some((s) => s.shape[1] !== hidden)) {
      throw new Error(
        `gradientNormProfile: every state component must be [B, H] with one H, got widths ${start.map((s) => s.shape[1]).join(', ')}`,
      );
    }
    // All probes as ONE input [W·C, S, H]: unstacked inside the closure, so the backward pass returns every
    // ∂L/∂z_t^(j) as one stacked tensor (the gradient of Unpack is one Pack) instead of W·C separate ones.
    const probe = tf.zeros([window * components, samples, hidden]);
    const lastLoss = (allProbes: tf.Tensor): tf.Scalar => {
      const probes = tf.unstack(allProbes) as tf.Tensor2D[]; // [W·C, S, H] -> W·C x [S, H]
      // probes[t·C + j] is z_t for component j: what step t+1 reads (and, for the top layer's h, what the
      // decoder reads at step t) is h_t + z_t, so ∂L/∂z_t = ∂L/∂h_t of the recurrent state as a whole.
      const perStep = Array.from({ length: window }, (_, t) =>
        probes.slice(t * components, (t + 1) * components),
      );
      // One forward call over the window; only the last step (where L_s sits) is decoded: [1, S, O].
      const logits = model.forward(probeInputs, start, {
        training: false,
        probes: perStep,
        decodeFrom: window - 1,
      }).logits;
      // Σ_rows L_s = S · mean: each row's gradient is its own ∂L_s/∂h.
      const loss = tf.mul(meanLoss(logits, tf.expandDims(lastTargets, 0), kind), samples);
      // + 0·Σ z: probes the loss never reaches (the last step's lower layers and cell states) get a zero
      // gradient rather than none.
      return tf.add(loss, tf.mul(tf.sum(allProbes), 0)) as tf.Scalar;
    };
    const adjoints = tf.grad(lastLoss)(probe); // [W·C, S, H]
    // Per-row squared norms: [W·C, S, H] -> [W·C, S] -> [W, C, S]
    const perRow = tf.reshape(tf.sum(tf.square(adjoints), 2), [window, components, samples]);
    // Per group, the adjoints summed over its rows: [W·C, rows, H] -> [W·C, H], stacked [G, W·C, H].
    const groupSums = tf.stack(
      ranges.map(({ start: from, end }) => tf.sum(tf.slice(adjoints, [0, from, 0], [-1, end - from, -1]), 1)),
    );
    return [perRow, groupSums];
  });
  const squareValues = squares.dataSync() as Float32Array;
  const sumValues = sums.dataSync() as Float32Array;
  const components = squares.shape[1]!;
  tf.dispose([squares, sums]);
  return { squares: squareValues, sums: sumValues, components, hidden };
}

/**
 * φ̂ for rows [from, to) of the squared norms [W, C, S] (group `group`): total (components concatenated) and per
 * component, each with its cumulative-adjoint norms cumulative[k] = ‖(1/S) Σ_s Σ_{j≤k} ∂L_s/∂h_{s−j}‖ (the
 * exact C(K) = cumulative[K−1]). The reductions are the estimators' (plain arrays); the probe holds its steps in
 * time order, so lag k is step W − 1 − k.
 */
function buildProfiles(
  probe: ProbeValues,
  options: GradientNormProfileOptions,
  rows: number,
  group: number,
  from: number,
  to: number,
): ComponentProfiles {
  const { window } = options;
  const { squares, components, hidden, sums } = probe;
  const names = options.componentNames ?? Array.from({ length: components }, (_, j) => `state${j}`);
  if (names.length !== components) {
    throw new Error(
      `gradientNormProfile: componentNames has ${names.length} names for ${components} state components`,
    );
  }
  const samples = to - from;
  const perStep = components * rows;
  const lagSquares = new Float32Array(squares.length); // [W, C, S] in lag order
  for (let k = 0; k < window; k++)
    lagSquares.set(squares.subarray((window - 1 - k) * perStep, (window - k) * perStep), k * perStep);
  const profiles = componentProfilesFromSquaredNorms(lagSquares, {
    samples: rows,
    averaging: options.averaging ?? 'norm',
    rows: [from, to],
    componentNames: names,
  });
  const block = components * hidden;
  const means = new Float64Array(window * block); // [W, C, H] in lag order: the row-mean adjoints
  for (let k = 0; k < window; k++) {
    const offset = group * window * block + (window - 1 - k) * block;
    for (let i = 0; i < block; i++) means[k * block + i] = sums[offset + i]! / samples;
  }
  const cumulative = cumulativeAdjointNorms(means, { window, components });
  return {
    total: { ...profiles.total, cumulative: cumulative.total },
    components: Object.fromEntries(
      names.map((name, j) => [
        name,
        { ...profiles.components[name]!, cumulative: cumulative.components[j]! },
      ]),
    ),
  };
}
