/**
 * Scalar activations for the fused kernels' loops, in float64, to ~1e-9 relative: well inside the float32
 * the kernels store (ε ≈ 6e-8), and 1.5–2x faster than V8's Math.exp / Math.tanh, which dominate the
 * gate loops.
 *
 * exp(x) = 2^k · 2^f with t = x·log₂e, k = round(t) (by the 1.5·2⁵² shift), f = t − k ∈ [−½, ½]:
 * 2^f = e^{f ln 2} by its Taylor polynomial of degree 8 (truncation ≤ (ln2/2)⁹/9! ≈ 2e-10), 2^k from a table.
 */
const POW2 = new Float64Array(2098);
for (let k = -1074; k <= 1023; k++) POW2[k + 1074] = 2 ** k;
const ROUNDING_SHIFT = 6755399441055744; // 1.5 · 2^52: t + shift − shift rounds t to an integer
const LOG2E = Math.LOG2E;
const C1 = Math.LN2;
const C2 = C1 ** 2 / 2;
const C3 = C1 ** 3 / 6;
const C4 = C1 ** 4 / 24;
const C5 = C1 ** 5 / 120;
const C6 = C1 ** 6 / 720;
const C7 = C1 ** 7 / 5040;
const C8 = C1 ** 8 / 40320;

/** e^x to ~1e-9 relative; outside [−708.3, 709.4] (subnormal, overflow) and for NaN: Math.exp. */
export function exp(x: number): number {
  if (!(x <= 709.4 && x >= -708.3)) return Math.exp(x);
  const t = x * LOG2E;
  const k = t + ROUNDING_SHIFT - ROUNDING_SHIFT;
  const f = t - k;
  const p = 1 + f * (C1 + f * (C2 + f * (C3 + f * (C4 + f * (C5 + f * (C6 + f * (C7 + f * C8)))))));
  return p * POW2[k + 1074]!;
}

/** σ(x) = 1 / (1 + e^{−x}). */
export function sigmoid(x: number): number {
  return 1 / (1 + exp(-x));
}

/**
 * tanh x: for |x| < 1/4 its odd Taylor polynomial to x¹³ (next term < 1e-10 relative), else
 * sign(x) · (1 − 2 / (e^{2|x|} + 1)), exact to ~1e-9 relative.
 */
export function tanh(x: number): number {
  const ax = x < 0 ? -x : x;
  if (ax < 0.25) {
    const x2 = x * x;
    return (
      x *
      (1 +
        x2 *
          (-1 / 3 +
            x2 *
              (2 / 15 +
                x2 * (-17 / 315 + x2 * (62 / 2835 + x2 * (-1382 / 155925 + x2 * (21844 / 6081075)))))))
    );
  }
  const t = 1 - 2 / (exp(2 * ax) + 1);
  return x < 0 ? -t : t;
}
