import type * as tf from '@tensorflow/tfjs-core';

/**
 * The contract between `@tbptt/models` and its users (chiefly `@tbptt/core`).
 * Shapes: T = steps in a window, B = batch (independent stream columns), H = hidden size,
 * F = input features, O = output classes.
 */

/** Recurrent cell, PyTorch equations and gate order (LSTM i,f,g,o; GRU r,z,n). */
export type CellType = 'lstm' | 'gru' | 'rnn_tanh' | 'rnn_relu';

/** Weight initialiser: the paper's (uniform ±√(3 / max dim) matrices, zero vectors) or PyTorch's default. */
export type InitScheme = 'paper' | 'pytorch';

/**
 * One output head of a multi-head decoder (`spec.heads`). Every head reads the top layer's output h_t (after
 * dropout); the model's logits are the heads' outputs concatenated along the last axis, in `heads` order.
 */
export interface HeadSpec {
  /**
   * Its parameters are `heads.<name>.weight` (and `heads.<name>.bias` for a linear head), as an
   * `nn.ModuleDict` named `heads` holds them in PyTorch. Letters, digits and '_', starting with a letter.
   */
  name: string;
  /** Width of the head's output (its share of the logits' last axis). */
  size: number;
  /**
   * 'linear' (default): y_t = W h_t + b, an `nn.Linear(H, size)` (weight [size, H], bias [size]).
   * 'constant': a learned vector, the same at every position and independent of h_t: an
   * `nn.Linear(1, size, bias=False)` applied to the number 1 (weight [size, 1]). RMTPP's w (the rate at which
   * the intensity changes after an event) is such a head.
   */
  kind?: HeadKind;
}

/** How a head maps the top layer's output to its values (see {@link HeadSpec.kind}). */
export type HeadKind = 'linear' | 'constant';

/** A head with its default filled in. */
export interface ResolvedHeadSpec {
  readonly name: string;
  readonly size: number;
  readonly kind: HeadKind;
}

interface ModelSpecCommon {
  cell: CellType;
  hiddenSize: number;
  numLayers: number;
  /**
   * Output width O of the decoder: the classes of the single linear decoder; with `heads`, the width of the
   * concatenated logits, which must equal the sum of the heads' sizes (a check on the layout the loss reads).
   */
  outputSize: number;
  /**
   * A multi-head decoder instead of the single linear `decoder`: logits [T, B, O] are the heads' outputs
   * concatenated along the last axis in this order, head k in columns [Σ_{i<k} size_i, Σ_{i≤k} size_i).
   * E.g. RMTPP (Du et al. 2016): `[{ name: 'marks', size: M }, { name: 'log_intensity', size: 1 },
   * { name: 'w', size: 1, kind: 'constant' }]` gives logits [mark logits (M), log λ, w].
   */
  heads?: readonly HeadSpec[];
  /** Dropout between layers and on the output, training only, in [0, 1). */
  dropout?: number;
  init?: InitScheme;
  /** Seeds the initialiser and the dropout masks. */
  seed?: number;
}

/** A model reading int32 token ids [T, B] through an embedding (nn.Embedding). */
export interface EmbeddingModelSpec extends ModelSpecCommon {
  input: 'embedding';
  /** Vocabulary size V: token ids are in [0, V). */
  vocabSize: number;
  /** Embedding width E (default hiddenSize). */
  embeddingSize?: number;
  /** Share encoder and decoder weights (needs embeddingSize === hiddenSize and vocabSize === outputSize). */
  tieWeights?: boolean;
  /** Dense input only (use vocabSize). */
  featureSize?: never;
}

/**
 * A linear encoder of the first features of dense inputs (`spec.inputEncoder`): the first `features` of the F
 * input features (e.g. a one-hot mark) go through an `nn.Linear(features, size)` (`encoder.weight`
 * [size, features], `encoder.bias` [size]); the other F − features (e.g. a flag and a time gap) pass through
 * unchanged and are concatenated after it, so layer 0 reads size + F − features values.
 */
export interface InputEncoderSpec {
  /** How many leading input features are encoded, in [1, F]. */
  features: number;
  /** Width of the encoding (RMTPP's mark embedding: 128). */
  size: number;
}

/** A model reading float32 features [T, B, F] (one-hot or real). */
export interface DenseModelSpec extends ModelSpecCommon {
  input: 'dense';
  /** Feature count F of the inputs [T, B, F]. */
  featureSize: number;
  /** Encode the leading features linearly and pass the rest through (default: every feature passes through). */
  inputEncoder?: InputEncoderSpec;
  /** Embedding input only (use featureSize). */
  vocabSize?: never;
  embeddingSize?: never;
  tieWeights?: false;
}

/** What `createModel` takes: embedding input (vocabSize) or dense input (featureSize). */
export type ModelSpec = EmbeddingModelSpec | DenseModelSpec;

interface ResolvedCommon {
  readonly cell: CellType;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly outputSize: number;
  readonly dropout: number;
  readonly init: InitScheme;
  readonly seed: number;
  /** The decoder's heads, when the spec has `heads` (absent for the single linear `decoder`). */
  readonly heads?: readonly ResolvedHeadSpec[];
}

/** An embedding spec with every default filled in. */
export interface ResolvedEmbeddingSpec extends ResolvedCommon {
  readonly input: 'embedding';
  readonly vocabSize: number;
  readonly embeddingSize: number;
  readonly tieWeights: boolean;
}

/** A dense spec with every default filled in. */
export interface ResolvedDenseSpec extends ResolvedCommon {
  readonly input: 'dense';
  readonly featureSize: number;
  readonly tieWeights: false;
  /** The linear encoder of the leading features, when the spec has one. */
  readonly inputEncoder?: Readonly<InputEncoderSpec>;
}

/** A model's spec with every default filled in (`model.spec`). */
export type ResolvedModelSpec = ResolvedEmbeddingSpec | ResolvedDenseSpec;

/**
 * Recurrent state: a flat list of [B, H] tensors, layer by layer, hidden then cell:
 * LSTM [h0, c0, h1, c1, …]; GRU and RNN [h0, h1, …]. `stateComponents(spec)` names them ('l0.h', 'l0.c', …).
 */
export type RecurrentState = tf.Tensor2D[];

export interface ForwardOptions {
  /** Dropout on (training) or off (evaluation). Default false. */
  training?: boolean;
  /**
   * First step whose logits are computed, in [0, T] (default 0): `logits` is then [T − decodeFrom, B, O].
   * Steps before it only advance the state, so a burn-in (the `buffer` windowing style, the profile probe,
   * which needs the loss at the last step only) does not pay for the decoder.
   */
  decodeFrom?: number;
  /**
   * Exposed states for the one-pass gradient-norm profile: probes[t][j] is a zero [B, H] tensor added to
   * state component j right after step t (h_t + z_t). The sum is what step t+1 reads and, for the top
   * layer's h, what the decoder reads at step t; the layer above reads the un-probed h_t at step t (every
   * component of the state h_t = (h^0_t, c^0_t, h^1_t, …) is its own coordinate). Differentiating a loss
   * with respect to the probes (tf.grads) gives the partial derivatives ∂L/∂h_t of the recurrent (Markov)
   * state for every step and component in one backward pass. The last step's cell states reach no loss:
   * tf.grads refuses inputs without a path, so add 0·Σ z or leave those probes out of the differentiated list.
   */
  probes?: RecurrentState[];
  /**
   * A step count s in [0, T]: also return `stateAt`, the state after the first s steps (the state a window
   * of s steps would end in), from the same pass. The `buffer` windowing carries its state from mid-window
   * and gets it without a second forward call. Not with `probes`.
   */
  stateAt?: number;
}

export interface ForwardResult {
  /** Decoder outputs [T − decodeFrom, B, O]; with `spec.heads`, the heads' outputs concatenated in order. */
  logits: tf.Tensor3D;
  /** State after the last step (same layout as the input state). */
  finalState: RecurrentState;
  /**
   * With `options.stateAt = s`: the state after the first s steps (same layout). Values to carry, not to
   * differentiate: on the layer kernels no gradient flows back through them.
   */
  stateAt?: RecurrentState;
}

export interface RecurrentModel {
  readonly spec: ResolvedModelSpec;
  /** Trainable variables, in PyTorch state_dict order. */
  readonly variables: tf.Variable[];
  /** Variables by PyTorch state_dict name (encoder.weight, rnn.weight_ih_l0, …, decoder.bias). */
  readonly namedVariables: ReadonlyMap<string, tf.Variable>;
  /** Zero state for a batch of B columns. The caller owns (disposes) it. */
  initialState(batch: number): RecurrentState;
  /** Runs a window of T steps. Call inside tf.tidy / tf.grads; the result is owned by the caller. */
  forward(inputs: tf.Tensor, state: RecurrentState, options?: ForwardOptions): ForwardResult;
  /** Dropout RNG state, plain data, for checkpoints. */
  getRngState(): number[];
  setRngState(state: number[]): void;
  dispose(): void;
}
