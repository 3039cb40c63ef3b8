import { EstimatorInputError } from './errors.js';

/**
 * A gradient-norm profile φ̂ (ARCHITECTURE §1; the paper's Section 4.1):
 * `phi[k]` is the mean over sampled positions s of ‖∂L_s/∂h_{s−k}‖, the norm of the back-propagated
 * adjoint at lag k = 0..W−1.
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
}

/** The JSON form of a profile, with a format version so readers can refuse what they do not know. */
export interface GradientNormProfileJson {
  version: 1;
  phi: number[];
  samples: number;
  averaging: 'norm' | 'log';
  window: number;
}

/** The JSON format version this package writes and reads. */
export const PROFILE_JSON_VERSION = 1;

/**
 * Checks a profile and returns φ̂ as a Float64Array. Throws an {@link EstimatorInputError} that names the
 * first bad index and value: every φ̂_k must be finite and ≥ 0, and W = phi.length ≥ 2.
 */
export function validateProfile(profile: GradientNormProfile, caller = 'validateProfile'): Float64Array {
  if (profile === null || typeof profile !== 'object') {
    throw new EstimatorInputError(
      `${caller}: profile must be an object with a phi array, got ${String(profile)}`,
    );
  }
  const { phi, samples, averaging, window } = profile;
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
  return phi instanceof Float64Array ? phi : Float64Array.from(phi);
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
  };
}

/** Reads a profile from its JSON form (an object or a JSON string), checking the version and every value. */
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
  if (record.version !== PROFILE_JSON_VERSION) {
    throw new EstimatorInputError(
      `profileFromJson: unsupported profile version ${String(record.version)}, this reader knows ` +
        `version ${PROFILE_JSON_VERSION}; upgrade @tbptt/estimators or re-create the profile`,
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
  // Check the raw values: Float64Array.from turns strings into NaN, which validation then names.
  validateProfile({ ...profile, phi: record.phi as number[] }, 'profileFromJson');
  return profile;
}
