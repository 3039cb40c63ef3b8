/**
 * The gap density of an RMTPP-style temporal point process (Du et al., KDD 2016, eq. 12–14), in plain float64.
 * After an event the intensity is λ(τ) = exp(b + w τ) for τ ≥ 0 (b = log λ at the event, w its rate of change),
 * so the integrated intensity, density and survival of the gap τ until the next event are
 *
 *     Λ(τ) = ∫₀^τ λ = e^b (e^{wτ} − 1) / w          (e^b τ when w = 0)
 *     f(τ) = λ(τ) exp(−Λ(τ)) = exp(b + wτ + (e^b − e^{b+wτ}) / w)
 *     S(τ) = exp(−Λ(τ))
 *
 * For w < 0 the intensity fades and S(∞) = exp(e^b / w) > 0: the next event may never come.
 */

/** (e^x − 1) / x, 1 at x = 0, without cancellation for small |x|. */
function expm1OverX(x: number): number {
  return x === 0 ? 1 : Math.expm1(x) / x;
}

/** Λ(τ) = e^b τ (e^{wτ} − 1)/(wτ): the integrated intensity over a gap τ ≥ 0. */
export function integratedIntensity(logLambda: number, w: number, gap: number): number {
  return Math.exp(logLambda) * gap * expm1OverX(w * gap);
}

/**
 * −log f(τ) = −[b + wτ + (e^b − e^{b+wτ}) / w] = −b − wτ + Λ(τ), the negative log density of a gap τ ≥ 0
 * (the gap part of the RMTPP loss), in float64.
 */
export function gapNegativeLogDensity(logLambda: number, w: number, gap: number): number {
  return -logLambda - w * gap + integratedIntensity(logLambda, w, gap);
}

/** The gap at which Λ reaches `level` (∞ if it never does, w < 0 with e^b/|w| ≤ level). */
function gapAtIntegratedIntensity(logLambda: number, w: number, level: number): number {
  const c = level * Math.exp(-logLambda); // Λ(τ) = level ⇔ e^{wτ} − 1 = w c ⇔ τ = log1p(w c) / w
  if (w === 0) return c;
  const argument = w * c;
  if (argument <= -1) return Number.POSITIVE_INFINITY;
  return Math.log1p(argument) / w;
}

/** Gauss–Kronrod 7–15 nodes on [−1, 1] (QUADPACK's qk15): the Kronrod nodes, then their weights and G7's. */
const XGK = [
  0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
  0.4058451513773972, 0.20778495500789848, 0,
];
const WGK = [
  0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
  0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
];
/** G7 weights of the Kronrod nodes 1, 3, 5, 7 (the Gauss nodes). */
const WG = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];

/** ∫_a^b f by G7K15 on [a, b]: [Kronrod estimate, |K15 − G7| as its error estimate]. */
function kronrod(f: (t: number) => number, a: number, b: number): [number, number] {
  const centre = (a + b) / 2;
  const half = (b - a) / 2;
  const fc = f(centre);
  let k = WGK[7]! * fc;
  let g = WG[3]! * fc;
  for (let j = 0; j < 7; j++) {
    const dx = half * XGK[j]!;
    const pair = f(centre - dx) + f(centre + dx);
    k += WGK[j]! * pair;
    if (j % 2 === 1) g += WG[(j - 1) / 2]! * pair;
  }
  return [k * half, Math.abs((k - g) * half)];
}

/** Adaptive Gauss–Kronrod: bisect [a, b] until each piece's error estimate is under its share of `tolerance`. */
function adaptiveKronrod(
  f: (t: number) => number,
  a: number,
  b: number,
  tolerance: number,
  depth = 30,
): number {
  const [value, error] = kronrod(f, a, b);
  if (error <= tolerance || depth === 0) return value;
  const m = (a + b) / 2;
  return (
    adaptiveKronrod(f, a, m, tolerance / 2, depth - 1) + adaptiveKronrod(f, m, b, tolerance / 2, depth - 1)
  );
}

/** Λ beyond which the survival exp(−Λ) < 2·10⁻²² no longer adds to the mean. */
const NEGLIGIBLE_TAIL = 50;

/**
 * The predicted mean gap: the mean of the gap density over [0, horizon],
 *
 *     m = ∫₀^h τ f(τ) dτ = ∫₀^h S(τ) dτ − h S(h)          (integration by parts)
 *
 * by adaptive Gauss–Kronrod (7–15) quadrature on S (smooth and monotone, from 1 down), cut where Λ reaches 50 (S < 2·10⁻²²).
 * With h = ∞ (the default) this is the density's mean E[τ] (w ≥ 0 only: for w < 0 it is infinite). A finite h is
 * the reference's RMTPP evaluation (aicherc/adaptive_tbptt integrates τ f(τ) up to the largest true gap, mass
 * beyond it dropped, not renormalised), which keeps the mean finite for w < 0. The closed form for w = 0 is
 * (1 − e^{−λh}(1 + λh)) / λ, 1/λ for h = ∞. `tolerance` (default 1e-10) is relative to min(e^{−b}, h).
 */
export function gapDensityMean(
  logLambda: number,
  w: number,
  options: { horizon?: number; tolerance?: number } = {},
): number {
  const horizon = options.horizon ?? Number.POSITIVE_INFINITY;
  if (!(horizon > 0)) throw new Error(`gapDensityMean: horizon must be > 0, got ${horizon}`);
  if (!Number.isFinite(logLambda) || !Number.isFinite(w)) return Number.NaN;
  const cut = gapAtIntegratedIntensity(logLambda, w, NEGLIGIBLE_TAIL);
  const upper = Math.min(horizon, cut);
  if (!Number.isFinite(upper)) return Number.POSITIVE_INFINITY; // w < 0, no horizon: the mean diverges
  const survival = (t: number) => Math.exp(-integratedIntensity(logLambda, w, t));
  // Relative to the scale of the answer (at most `upper`, at least the first-event scale min(e^{−b}, upper)).
  const scale = Math.min(Math.exp(-logLambda), upper);
  const integral = adaptiveKronrod(survival, 0, upper, (options.tolerance ?? 1e-10) * scale);
  const atHorizon = Number.isFinite(horizon) ? horizon * survival(horizon) : 0;
  return integral - atHorizon;
}
