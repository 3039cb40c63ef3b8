/**
 * The one forward/backward scaffold of the whole-layer kernels (LSTM, GRU, RNN tanh/relu): the loop over the
 * T steps of a window, the recurrent products, the probes of the one-pass gradient-norm profile and the
 * recurrent weight's gradient. Each layer kind brings only its pointwise step ({@link LayerCellMath}); the
 * memory and the products come from a {@link LayerWorkspace}: plain Float32Arrays (`array-workspace.ts`, the
 * reference any backend can run) or a backend's own tensors (`layer-kernel.ts`, wasm and cpu).
 *
 * Shapes: T steps, B batch rows, H hidden units, G gate blocks (LSTM 4, GRU 3, RNN 1); step-major rows,
 * row t·B + b is step t, column b. State components k: h (k = 0, the layer's output) and, for the LSTM, c.
 *
 * Forward, per step t (W = W_hhᵀ [H, G·H], X_t the given input gates [B, G·H]):
 *
 *     R_t = h̃_{t−1} W  (+ b_hh for a cell with its own recurrent bias: the GRU)        [B, H] x [H, G·H]
 *     (s^0_t, s^1_t, …) = step(X_t, R_t, s̃_{t−1})                                     (the cell's math)
 *     s̃^k_t = s^k_t + z^k_t                 (probes z, zero tensors, when probed; else s̃ = s)
 *
 * The outputs are the un-probed h_t (the layer above reads them); h̃_t and c̃_t are what step t + 1 reads and
 * what the final state holds. Backward, t = T−1 … 0, with the adjoints ∂L/∂s̃^k_t carried in `carry`:
 *
 *     ∂L/∂z^k_t = ∂L/∂s̃^k_t                  (the probes' gradients: the adjoints before step t's terms)
 *     step⁻¹ gives ∂L/∂X_t, δR_t = ∂L/∂R_t and the direct part of ∂L/∂s̃^k_{t−1};
 *     ∂L/∂h̃_{t−1} += δR_t Wᵀ                 [B, G·H] x [G·H, H]
 *     ∂L/∂W = [h̃_{−1}; …; h̃_{T−2}]ᵀ [δR_0; …; δR_{T−1}]     one product, [H, T·B] x [T·B, G·H]
 *     ∂L/∂b_hh = Σ_rows δR                      (cells with a recurrent bias)
 */

/** Memory and products for a layer run; `Buffer` is a backend tensor or a plain array. */
export interface LayerWorkspace<Buffer> {
  /** A new float32 buffer of `shape` (contents unspecified). */
  allocate(shape: readonly number[]): Buffer;
  /**
   * The buffer's float32 view. Take views again after every allocation or product: on wasm a heap growth
   * detaches older views.
   */
  view(buffer: Buffer): Float32Array;
  /** [M, K] x [K, N] -> [M, N], a new buffer. */
  matMul(a: Buffer, b: Buffer): Buffer;
  /** [R, C] -> [C, R], a new buffer. */
  transpose(x: Buffer): Buffer;
  /** Frees a buffer the scaffold allocated. */
  release(buffer: Buffer): void;
}

/** Window dimensions of a layer run. */
export interface LayerDims {
  steps: number;
  batch: number;
  hidden: number;
}

/** What a cell's forward step reads and writes for step t (offsets are element indices). */
export interface ForwardStep {
  batch: number;
  hidden: number;
  /** X_t: row b of the step at `gatesBase + b·G·H`. */
  inputGates: Float32Array;
  gatesBase: number;
  /** R_t [B, G·H] (offset 0). */
  recurrent: Float32Array;
  /** s̃^k_{t−1}, row b at `previousBase[k] + b·H`. */
  previous: Float32Array[];
  previousBase: number[];
  /** Writes s^k_t (un-probed) at `stateBase + b·H + j` of `next[k]`. */
  next: Float32Array[];
  stateBase: number;
  /** The cell's saved activations [T·B, S·H], row b of the step at `savedBase + b·S·H`. */
  saved: Float32Array;
  savedBase: number;
}

/** What a cell's backward step reads and writes for step t. */
export interface BackwardStep {
  batch: number;
  hidden: number;
  /** ∂L/∂h_t from the layer's outputs, at `stateBase + b·H + j`. */
  dOutputs: Float32Array;
  /** h_t as output (un-probed), at `stateBase + b·H + j`. */
  outputs: Float32Array;
  stateBase: number;
  /**
   * carry[k] [B, H]: in, ∂L/∂s̃^k_t (without the step's output term); out, the step's direct part of
   * ∂L/∂s̃^k_{t−1} (the recurrent product's part is added by the scaffold). Write every element.
   */
  carry: Float32Array[];
  saved: Float32Array;
  savedBase: number;
  previous: Float32Array[];
  previousBase: number[];
  /** Writes ∂L/∂X_t at `gatesBase + b·G·H + …`. */
  dInputGates: Float32Array;
  gatesBase: number;
  /** Writes δR_t [B, G·H] (offset 0). */
  dRecurrent: Float32Array;
}

/** A layer kind: its shape constants and its pointwise step, forward and backward. */
export interface LayerCellMath {
  /** G: gate blocks per unit. */
  readonly gates: number;
  /** The state components, h first ('c' for the LSTM's cell state). */
  readonly stateNames: readonly ('h' | 'c')[];
  /** S: saved activations per row, in units of H (0: none). */
  readonly savedWidth: number;
  /**
   * True when b_hh is added to the recurrent product (GRU: r multiplies W_hn h + b_hn): the scaffold adds it,
   * δR differs from ∂L/∂X, and b_hh gets its own gradient. False when b_hh is folded into X (LSTM, RNN).
   */
  readonly recurrentBias: boolean;
  forwardStep(step: ForwardStep): void;
  backwardStep(step: BackwardStep): void;
}

export interface LayerForwardInputs<Buffer> {
  /** X [T·B, G·H] */
  inputGates: Buffer;
  /** W_hhᵀ [H, G·H] */
  weightHhT: Buffer;
  /** b_hh [G·H], for cells with a recurrent bias */
  biasHh?: Buffer;
  /** s^k_{−1} [B, H] per state component */
  initial: readonly Buffer[];
  /** z^k [T·B, H] per state component, when probed */
  probes?: readonly Buffer[];
}

export interface LayerForwardOutputs<Buffer> {
  /** h_0 … h_{T−1} (un-probed) [T·B, H] */
  outputs: Buffer;
  /** s̃^k_{T−1} [B, H] per component */
  final: Buffer[];
  /** the cell's saved activations [T·B, S·H] (null when S = 0) */
  saved: Buffer | null;
  /** s̃^k_t [T·B, H] for the components after h (the LSTM's c̃) */
  sequences: Buffer[];
  /** h̃_t [T·B, H] when probed (otherwise h̃ = h: the outputs) */
  carriedH: Buffer | null;
}

export interface LayerBackwardInputs<Buffer> {
  /** ∂L/∂outputs [T·B, H] */
  dOutputs: Buffer;
  /** ∂L/∂final^k [B, H] */
  dFinal: readonly Buffer[];
  saved: Buffer | null;
  outputs: Buffer;
  sequences: readonly Buffer[];
  carriedH: Buffer | null;
  initial: readonly Buffer[];
  weightHhT: Buffer;
  probed: boolean;
}

export interface LayerBackwardOutputs<Buffer> {
  /** ∂L/∂X [T·B, G·H] */
  dInputGates: Buffer;
  /** ∂L/∂W_hhᵀ [H, G·H] */
  dWeightHhT: Buffer;
  /** ∂L/∂b_hh [G·H] (cells with a recurrent bias) */
  dBiasHh: Buffer | null;
  /** ∂L/∂s^k_{−1} [B, H] */
  dInitial: Buffer[];
  /** ∂L/∂z^k [T·B, H] when probed */
  dProbes: Buffer[] | null;
}

/** Runs a layer forward over the window (see the file's comment for the math). */
export function layerForward<Buffer>(
  math: LayerCellMath,
  ws: LayerWorkspace<Buffer>,
  dims: LayerDims,
  inputs: LayerForwardInputs<Buffer>,
): LayerForwardOutputs<Buffer> {
  const { steps, batch, hidden } = dims;
  const size = batch * hidden;
  const rows = steps * batch;
  const width = math.gates * hidden;
  const extra = math.stateNames.length - 1;
  const probes = inputs.probes;
  const outputs = ws.allocate([rows, hidden]);
  const sequences = Array.from({ length: extra }, () => ws.allocate([rows, hidden]));
  const saved = math.savedWidth > 0 ? ws.allocate([rows, math.savedWidth * hidden]) : null;
  const carriedH = probes != null ? ws.allocate([rows, hidden]) : null;
  const final = math.stateNames.map(() => ws.allocate([batch, hidden]));
  // h̃_{t−1} as a buffer of its own, the left operand of the step's product.
  const hPrev = ws.allocate([batch, hidden]);
  ws.view(hPrev).set(ws.view(inputs.initial[0]!));
  const empty = new Float32Array(0);
  for (let t = 0; t < steps; t++) {
    // [B, H] x [H, G·H] -> [B, G·H]
    const product = ws.matMul(hPrev, inputs.weightHhT);
    // Views after the step's allocation.
    const recurrent = ws.view(product);
    if (math.recurrentBias) {
      const bias = ws.view(inputs.biasHh!);
      for (let b = 0; b < batch; b++) {
        for (let g = 0; g < width; g++) recurrent[b * width + g]! += bias[g]!;
      }
    }
    const out = ws.view(outputs);
    const seq = sequences.map((s) => ws.view(s));
    const h = ws.view(hPrev);
    const base = t * size;
    const previous = [h];
    const previousBase = [0];
    for (let k = 0; k < extra; k++) {
      previous.push(t === 0 ? ws.view(inputs.initial[k + 1]!) : seq[k]!);
      previousBase.push(t === 0 ? 0 : base - size);
    }
    math.forwardStep({
      batch,
      hidden,
      inputGates: ws.view(inputs.inputGates),
      gatesBase: t * batch * width,
      recurrent,
      previous,
      previousBase,
      next: [out, ...seq],
      stateBase: base,
      saved: saved != null ? ws.view(saved) : empty,
      savedBase: t * batch * math.savedWidth * hidden,
    });
    // What step t + 1 reads: h̃_t = h_t + z^h_t, c̃_t = c_t + z^c_t (in place: c is no output).
    h.set(out.subarray(base, base + size));
    if (probes != null && carriedH != null) {
      const zh = ws.view(probes[0]!);
      for (let i = 0; i < size; i++) h[i]! += zh[base + i]!;
      ws.view(carriedH).set(h, base);
      for (let k = 0; k < extra; k++) {
        const z = ws.view(probes[k + 1]!);
        const s = seq[k]!;
        for (let i = base; i < base + size; i++) s[i]! += z[i]!;
      }
    }
    ws.release(product);
  }
  const last = (steps - 1) * size;
  ws.view(final[0]!).set(ws.view(hPrev));
  for (let k = 0; k < extra; k++) {
    ws.view(final[k + 1]!).set(ws.view(sequences[k]!).subarray(last, last + size));
  }
  ws.release(hPrev);
  return { outputs, final, saved, sequences, carriedH };
}

/** Runs a layer backward over the window (see the file's comment for the math). */
export function layerBackward<Buffer>(
  math: LayerCellMath,
  ws: LayerWorkspace<Buffer>,
  dims: LayerDims,
  inputs: LayerBackwardInputs<Buffer>,
): LayerBackwardOutputs<Buffer> {
  const { steps, batch, hidden } = dims;
  const size = batch * hidden;
  const rows = steps * batch;
  const width = math.gates * hidden;
  const components = math.stateNames.length;
  const dInputGates = ws.allocate([rows, width]);
  // δR of every step: ∂L/∂X itself unless the cell adds a recurrent bias.
  const dRecurrentAll = math.recurrentBias ? ws.allocate([rows, width]) : dInputGates;
  const dBiasHh = math.recurrentBias ? ws.allocate([width]) : null;
  const dInitial = math.stateNames.map(() => ws.allocate([batch, hidden]));
  const dProbes = inputs.probed ? math.stateNames.map(() => ws.allocate([rows, hidden])) : null;
  // δR_t as a buffer of its own, the left operand of δR_t Wᵀ.
  const dRecurrent = ws.allocate([batch, width]);
  // [H, G·H] -> [G·H, H]
  const weightHh = ws.transpose(inputs.weightHhT);
  // The states the products read: h̃ (the outputs when not probed).
  const hCarried = inputs.carriedH ?? inputs.outputs;
  // ∂L/∂s̃^k_t, carried backwards in the workspace's memory (a SIMD step reads it there).
  const carryBuffers = inputs.dFinal.map(() => ws.allocate([batch, hidden]));
  carryBuffers.forEach((buffer, k) => {
    ws.view(buffer).set(ws.view(inputs.dFinal[k]!));
  });
  const empty = new Float32Array(0);
  let product: Buffer | null = null;
  let carry: Float32Array[] = [];
  for (let t = steps - 1; t >= 0; t--) {
    // Views after the previous step's product (an allocation).
    carry = carryBuffers.map((buffer) => ws.view(buffer));
    if (product !== null) {
      const p = ws.view(product);
      const ch = carry[0]!;
      for (let i = 0; i < size; i++) ch[i]! += p[i]!;
      ws.release(product);
    }
    const base = t * size;
    if (dProbes != null) {
      for (let k = 0; k < components; k++) ws.view(dProbes[k]!).set(carry[k]!, base);
    }
    const previous: Float32Array[] = [];
    const previousBase: number[] = [];
    for (let k = 0; k < components; k++) {
      const sequence = k === 0 ? hCarried : inputs.sequences[k - 1]!;
      previous.push(ws.view(t === 0 ? inputs.initial[k]! : sequence));
      previousBase.push(t === 0 ? 0 : base - size);
    }
    const dRec = ws.view(dRecurrent);
    math.backwardStep({
      batch,
      hidden,
      dOutputs: ws.view(inputs.dOutputs),
      outputs: ws.view(inputs.outputs),
      stateBase: base,
      carry,
      saved: inputs.saved != null ? ws.view(inputs.saved) : empty,
      savedBase: t * batch * math.savedWidth * hidden,
      previous,
      previousBase,
      dInputGates: ws.view(dInputGates),
      gatesBase: t * batch * width,
      dRecurrent: dRec,
    });
    if (math.recurrentBias) ws.view(dRecurrentAll).set(dRec, t * batch * width);
    // [B, G·H] x [G·H, H] -> [B, H]
    product = ws.matMul(dRecurrent, weightHh);
  }
  const p = ws.view(product!);
  carry = carryBuffers.map((buffer) => ws.view(buffer));
  const dh0 = ws.view(dInitial[0]!);
  for (let i = 0; i < size; i++) dh0[i] = carry[0]![i]! + p[i]!;
  for (let k = 1; k < components; k++) ws.view(dInitial[k]!).set(carry[k]!);
  ws.release(product!);
  for (const buffer of carryBuffers) ws.release(buffer);
  ws.release(dRecurrent);
  ws.release(weightHh);
  if (dBiasHh != null) {
    // ∂L/∂b_hh: column sums of δR over all rows.
    const db = ws.view(dBiasHh);
    const dr = ws.view(dRecurrentAll);
    db.fill(0);
    for (let n = 0; n < rows; n++) {
      for (let g = 0; g < width; g++) db[g]! += dr[n * width + g]!;
    }
  }
  // ∂L/∂W as its transpose, δRᵀ H̃ with H̃ = [h̃_{−1}; h̃_0; …; h̃_{T−2}] [T·B, H], then transposed back:
  // the backend packs the right operand of a product, and H̃ is G times smaller than δR.
  const hPrevAll = ws.allocate([rows, hidden]);
  {
    const dst = ws.view(hPrevAll);
    dst.set(ws.view(inputs.initial[0]!));
    if (rows > batch) dst.set(ws.view(hCarried).subarray(0, (rows - batch) * hidden), size);
  }
  // [T·B, G·H] -> [G·H, T·B]
  const dRecurrentT = ws.transpose(dRecurrentAll);
  // [G·H, T·B] x [T·B, H] -> [G·H, H]
  const dWeightHh = ws.matMul(dRecurrentT, hPrevAll);
  ws.release(dRecurrentT);
  ws.release(hPrevAll);
  // [G·H, H] -> [H, G·H]
  const dWeightHhT = ws.transpose(dWeightHh);
  ws.release(dWeightHh);
  if (math.recurrentBias) ws.release(dRecurrentAll);
  return { dInputGates, dWeightHhT, dBiasHh, dInitial, dProbes };
}
