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

interface ModelSpecCommon {
  cell: CellType;
  hiddenSize: number;
  numLayers: number;
  /** Output classes O of the linear decoder. */
  outputSize: number;
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

/** A model reading float32 features [T, B, F] (one-hot or real). */
export interface DenseModelSpec extends ModelSpecCommon {
  input: 'dense';
  /** Feature count F of the inputs [T, B, F]. */
  featureSize: number;
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
}

export interface ForwardResult {
  /** Decoder outputs [T − decodeFrom, B, O]. */
  logits: tf.Tensor3D;
  /** State after the last step (same layout as the input state). */
  finalState: RecurrentState;
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
