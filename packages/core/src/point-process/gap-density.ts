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

/**
 * Adaptive Simpson on [a, b] to a tolerance (Lyness' rule with Richardson's correction).
 */
function adaptiveSimpson(f: (t: number) => number, a: number, b: number, tolerance: number): number {
  const fa = f(a);
  const fb = f(b);
  const m = (a + b) / 2;
  const fm = f(m);
  const whole = ((b - a) / 6) * (fa + 4 * fm + fb);
  const recurse = (
    a: number,
    b: number,
    fa: number,
    fm: number,
    fb: number,
    whole: number,
    tol: number,
    depth: number,
  ): number => {
    const m = (a + b) / 2;
    const lm = (a + m) / 2;
    const rm = (m + b) / 2;
    const flm = f(lm);
    const frm = f(rm);
    const left = ((m - a) / 6) * (fa + 4 * flm + fm);
    const right = ((b - m) / 6) * (fm + 4 * frm + fb);
    const delta = left + right - whole;
    if (depth <= 0 || Math.abs(delta) <= 15 * tol) return left + right + delta / 15;
    return (
      recurse(a, m, fa, flm, fm, left, tol / 2, depth - 1) +
      recurse(m, b, fm, frm, fb, right, tol / 2, depth - 1)
    );
  };
  return recurse(a, b, fa, fm, fb, whole, tolerance, 40);
}

/** Λ beyond which the survival exp(−Λ) < 2·10⁻²² no longer adds to the mean. */
const NEGLIGIBLE_TAIL = 50;

/**
 * The predicted mean gap: the mean of the gap density over [0, horizon],
 *
 *     m = ∫₀^h τ f(τ) dτ = ∫₀^h S(τ) dτ − h S(h)          (integration by parts)
 *
 * by adaptive Simpson quadrature on S (smooth and monotone, from 1 down), cut where Λ reaches 50 (S < 2·10⁻²²).
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
  const integral = adaptiveSimpson(survival, 0, upper, (options.tolerance ?? 1e-10) * scale);
  const atHorizon = Number.isFinite(horizon) ? horizon * survival(horizon) : 0;
  return integral - atHorizon;
}
