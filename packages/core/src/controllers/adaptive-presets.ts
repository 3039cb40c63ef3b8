/**
 * The adaptive controller's settings in the authors' experiments (Aicher, Foti & Fox 2019, arXiv 1905.07473;
 * the reference code github.com/aicherc/adaptive_tbptt, `experiments/*_script.py` and `script_maker.py`).
 * Each field says where it comes from.
 */
export interface AdaptivePreset {
  /** K trained with before the first estimate. */
  initialK: number;
  /** W: lags per profile (the scripts' K_EST_SEQ_LEN). */
  window: number;
  /** τ: the lag where the geometric tail starts (the scripts' `tau = seq_len − burnin`). */
  tau: number;
  /** Steps run before each probe window (the scripts' `burnin`). */
  burnIn: number;
  /** S: sampled positions per profile (the scripts' batch of sampled sequences). */
  samples: number;
  /** Profiles per estimate, κ̂ combined over them. */
  repeats: number;
  /** C(K): 'exact' (norm of the summed mean adjoints) or 'approximate' (Σ_{k<K} φ̂_k). */
  cumulative: 'exact' | 'approximate';
  kmin: number;
  kmax: number;
  /**
   * Training stream steps between estimates. The scripts re-estimate after every "outer step": 10 chunks of
   * ⌊500/K⌋·K steps (synthetic and point process, ≈ 5,000 steps); the language-model script trains up to 40
   * chunks of ⌊5000/K⌋·K tokens per outer step but caps it at 120 s of training, so its interval depends on
   * the GPU — here one chunk, 5,000 steps.
   */
  refreshEverySteps: number;
}

export type AdaptivePresetName = 'synthetic' | 'language-model' | 'point-process';

export const ADAPTIVE_PRESETS: Readonly<Record<AdaptivePresetName, Readonly<AdaptivePreset>>> = {
  /** synth_script.py: K 15 in script_maker.py; K_EST_SEQ_LEN 100, burnin 20, tau 80; MIN_K 2, MAX_K 100; exact C. */
  synthetic: {
    initialK: 15,
    window: 100,
    tau: 80,
    burnIn: 20,
    samples: 64,
    repeats: 1,
    cumulative: 'exact',
    kmin: 2,
    kmax: 100,
    refreshEverySteps: 5000,
  },
  /**
   * language_script.py: K 100; K_EST_SEQ_LEN 400, burnin 40, tau 360; MIN_K 10, MAX_K 300; 5 estimates of 32
   * sampled sequences (PTB; WikiText-2 used 16); `cum_grad_norm_approx=True`.
   */
  'language-model': {
    initialK: 100,
    window: 400,
    tau: 360,
    burnIn: 40,
    samples: 32,
    repeats: 5,
    cumulative: 'approximate',
    kmin: 10,
    kmax: 300,
    refreshEverySteps: 5000,
  },
  /** temporal_pp_script.py: K 6; K_EST_SEQ_LEN 200, burnin 2, tau 180; MIN_K 2, MAX_K 100; exact C. */
  'point-process': {
    initialK: 6,
    window: 200,
    tau: 180,
    burnIn: 2,
    samples: 64,
    repeats: 1,
    cumulative: 'exact',
    kmin: 2,
    kmax: 100,
    refreshEverySteps: 5000,
  },
};
