import { EstimatorInputError } from './errors.js';

/**
 * A gradient-norm profile φ̂ (ARCHITECTURE §1; the paper's Section 4.1):
 * `phi[k]` is the mean over sampled positions s of ‖∂L_s/∂h_{s−k}‖, the norm of the back-propagated
 * adjoint at lag k = 0..W−1 (lag 0 is the state the loss's own step produced; truncation K keeps lags
 * 0..K−1). Optionally the cumulative-adjoint norms of the exact C(K) (see {@link GradientNormProfile.cumulative}).
 */
export interface GradientNormProfile {
  /** φ̂_k for k = 0..W−1: finite and non-negative. */
  phi: Float64Array | number[];
  /** Number of sampled positions s averaged into each φ̂_k (S). */
  samples: number;
  /** 'norm': φ̂_k is the mean of the norms; 'log': exp of the mean of their logs. */
  averaging: 'norm' | 'log';
  /** Probe window W; equals phi.length when present. */
  window?: number;
  /**
   * The norms of the row-mean of the cumulative adjoints, for the exact C(K) of the reference's synthetic
   * and point-process experiments (issue 10):
   *
   *     cumulative[k] = ‖ (1/S) Σ_s Σ_{j≤k} ∂L_s/∂h_{s−j} ‖,   k = 0..W−1
   *
   * so C(K) = cumulative[K − 1]. Finite, ≥ 0 and W long when present; independent of `averaging`. By the
   * triangle inequality cumulative[k] ≤ Σ_{j≤k} φ̂_j under 'norm' averaging.
   */
  cumulative?: Float64Array | number[];
}

/**
 * The JSON form of a profile, with a format version so readers can refuse what they do not know.
 * Version 2 (written) adds the optional `cumulative`; version 1 (no `cumulative`) is still read.
 */
export interface GradientNormProfileJson {
  version: 2;
  phi: number[];
  samples: number;
  averaging: 'norm' | 'log';
  window: number;
  /** Present when the profile carries the cumulative-adjoint norms. */
  cumulative?: number[];
}

/** The JSON format version this package writes. {@link profileFromJson} reads it and version 1. */
export const PROFILE_JSON_VERSION = 2;

/** Every JSON format version {@link profileFromJson} reads. */
const READABLE_VERSIONS: readonly unknown[] = [1, 2];

/**
 * Checks a profile and returns φ̂ as a Float64Array. Throws an {@link EstimatorInputError} that names the
 * first bad index and value: every φ̂_k must be finite and ≥ 0, and W = phi.length ≥ 2; `cumulative`, when
 * present, must be W finite numbers ≥ 0.
 */
export function validateProfile(profile: GradientNormProfile, caller = 'validateProfile'): Float64Array {
  if (profile === null || typeof profile !== 'object') {
    throw new EstimatorInputError(
      `${caller}: profile must be an object with a phi array, got ${String(profile)}`,
    );
  }
  const { phi, samples, averaging, window, cumulative } = profile;
  if (!(phi instanceof Float64Array) && !Array.isArray(phi)) {
    throw new EstimatorInputError(
      `${caller}: profile.phi must be a Float64Array or number[], got ${typeof phi}`,
    );
  }
  if (phi.length < 2) {
    throw new EstimatorInputError(
      `${caller}: profile.phi needs at least 2 lags (W ≥ 2) to estimate a decay rate, got W = ${phi.length}; ` +
        'probe a longer window',
    );
  }
  for (let k = 0; k < phi.length; k++) {
    const value = phi[k] as number;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new EstimatorInputError(
        `${caller}: profile.phi[${k}] must be a finite number ≥ 0, got ${String(value)}; ` +
          'a NaN or infinite gradient norm means the probe diverged (lower the learning rate or clip gradients)',
      );
    }
  }
  if (!Number.isInteger(samples) || samples < 1) {
    throw new EstimatorInputError(
      `${caller}: profile.samples must be an integer ≥ 1, got ${String(samples)}`,
    );
  }
  if (averaging !== 'norm' && averaging !== 'log') {
    throw new EstimatorInputError(
      `${caller}: profile.averaging must be 'norm' or 'log', got ${JSON.stringify(averaging)}`,
    );
  }
  if (window !== undefined && window !== phi.length) {
    throw new EstimatorInputError(
      `${caller}: profile.window (${String(window)}) must equal phi.length (${phi.length}); drop window or fix it`,
    );
  }
  if (cumulative !== undefined) checkCumulative(cumulative, phi.length, caller);
  return phi instanceof Float64Array ? phi : Float64Array.from(phi);
}

function checkCumulative(cumulative: unknown, window: number, caller: string): void {
  if (!(cumulative instanceof Float64Array) && !Array.isArray(cumulative)) {
    throw new EstimatorInputError(
      `${caller}: profile.cumulative must be a Float64Array or number[] when present, got ${typeof cumulative}`,
    );
  }
  if (cumulative.length !== window) {
    throw new EstimatorInputError(
      `${caller}: profile.cumulative must have one entry per lag (W = ${window}), got ${cumulative.length}`,
    );
  }
  for (let k = 0; k < window; k++) {
    const value = cumulative[k] as number;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new EstimatorInputError(
        `${caller}: profile.cumulative[${k}] must be a finite number ≥ 0, got ${String(value)}`,
      );
    }
  }
}

/** Serialises a (validated) profile to its versioned JSON form. */
export function profileToJson(profile: GradientNormProfile): GradientNormProfileJson {
  const phi = validateProfile(profile, 'profileToJson');
  return {
    version: PROFILE_JSON_VERSION,
    phi: Array.from(phi),
    samples: profile.samples,
    averaging: profile.averaging,
    window: phi.length,
    ...(profile.cumulative === undefined ? {} : { cumulative: Array.from(profile.cumulative) }),
  };
}

/**
 * Reads a profile from its JSON form (an object or a JSON string), checking the version and every value.
 * Reads version 2 (with an optional `cumulative`) and version 1 (none; a `cumulative` there is ignored).
 */
export function profileFromJson(json: string | unknown): GradientNormProfile {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new EstimatorInputError(
        `profileFromJson: the text is not valid JSON (${(error as Error).message})`,
      );
    }
  }
  if (data === null || typeof data !== 'object') {
    throw new EstimatorInputError(`profileFromJson: expected an object, got ${String(data)}`);
  }
  const record = data as Record<string, unknown>;
  if (!READABLE_VERSIONS.includes(record.version)) {
    throw new EstimatorInputError(
      `profileFromJson: unsupported profile version ${String(record.version)}, this reader knows ` +
        `versions ${READABLE_VERSIONS.join(' and ')}; upgrade @tbptt/estimators or re-create the profile`,
    );
  }
  if (!Array.isArray(record.phi)) {
    throw new EstimatorInputError('profileFromJson: field phi must be an array of numbers');
  }
  const profile: GradientNormProfile = {
    phi: Float64Array.from(record.phi as number[]),
    samples: record.samples as number,
    averaging: record.averaging as 'norm' | 'log',
    window: record.window as number,
  };
  const raw: GradientNormProfile = { ...profile, phi: record.phi as number[] };
  if (record.version === 2 && record.cumulative !== undefined) {
    if (!Array.isArray(record.cumulative)) {
      throw new EstimatorInputError(
        'profileFromJson: field cumulative must be an array of numbers when present',
      );
    }
    raw.cumulative = record.cumulative as number[];
    profile.cumulative = Float64Array.from(record.cumulative as number[]);
  }
  // Check the raw values: Float64Array.from turns strings into NaN, which validation then names.
  validateProfile(raw, 'profileFromJson');
  return profile;
}
