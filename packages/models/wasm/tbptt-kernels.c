/*
 * @tbptt/models' own WebAssembly SIMD kernels: what XNNPACK (tfjs-backend-wasm) does not do.
 *
 *   - the pointwise steps of the whole-layer LSTM / GRU / RNN kernels, forward and backward
 *     (the math of src/kernels/{lstm,gru,rnn}-layer-impl.ts, which stay the reference);
 *   - softmax cross-entropy, forward and backward (src/loss/softmax-cross-entropy-kernel.ts);
 *   - the optimiser updates (SGD, momentum, Adam, Adadelta with coupled weight decay and a gradient
 *     scale for clipping) and the sum of squares behind the global norm;
 *   - the linear decoder z = x Wᵀ + b with W in PyTorch's [O, K] layout, and its gradients
 *     (src/kernels/linear-kernel.ts; the tfjs matMul path stays the reference).
 *
 * The module has no memory of its own: it imports tfjs-backend-wasm's `memory` (env.memory), and every
 * pointer argument is a byte address of a tensor in that heap, so the kernels read and write the
 * backend's tensors in place. It has no data segments and uses no stack (scripts/build-wasm.mjs checks
 * both: either would write into the backend's heap). Build: `npm run build:wasm -w @tbptt/models`.
 *
 * Floats are float32 with 4-lane SIMD (f32x4); the tail of a row whose length is not a multiple of 4 runs
 * the same vector code on one lane, so every element sees the same arithmetic. Sums of many terms
 * (softmax denominators, sums of squares) are accumulated in float64.
 */
#include <wasm_simd128.h>

typedef unsigned int u32;
typedef unsigned long long u64;

#define EXPORT(name) __attribute__((export_name(#name), visibility("default")))
#define INLINE static inline __attribute__((always_inline))
#define NOINLINE static __attribute__((noinline))

/* ---------------------------------------------------------------------------------------------------- */
/* Vector math                                                                                           */
/* ---------------------------------------------------------------------------------------------------- */

#define SPLAT(x) wasm_f32x4_splat(x)

/*
 * e^x, Cephes' expf on four lanes (≈ 1 ulp): x = n ln2 + r with n = round(x log₂e), |r| ≤ ln2/2 (ln2 in
 * two parts for an exact reduction), e^r by a degree-7 minimax polynomial, 2^n built in the exponent
 * bits. x > 88.376 saturates at e^88.376 (FLT_MAX range); x < −87.336 gives 0.
 *
 * n is rounded by adding 1.5·2²³ + 127 (the sum's float has unit spacing, so the addition rounds x log₂e to
 * the nearest integer, ties to even, as f32x4.nearest does) and the sum's low bits are then n + 127, which
 * shifted by 23 are 2^n's bits: no nearest and no float-to-int conversion, which V8 lowers to long
 * sequences on x64 (the conversion's saturation checks). The clamp uses pmin/pmax (one instruction each;
 * min/max's NaN and ±0 rules cost several, and cannot matter here: NaN passes either way). Same n, same
 * result bits as the two-instruction form.
 */
INLINE v128_t vexp(v128_t x) {
  const v128_t lo = SPLAT(-87.3365447504f);
  const v128_t under = wasm_f32x4_lt(x, lo);
  x = wasm_f32x4_pmin(wasm_f32x4_pmax(x, lo), SPLAT(88.3762626647949f));
  const v128_t magic = SPLAT(12582912.0f + 127.0f);
  const v128_t biased = wasm_f32x4_add(wasm_f32x4_mul(x, SPLAT(1.44269504088896341f)), magic);
  const v128_t n = wasm_f32x4_sub(biased, magic);
  v128_t r = wasm_f32x4_sub(x, wasm_f32x4_mul(n, SPLAT(0.693359375f)));
  r = wasm_f32x4_sub(r, wasm_f32x4_mul(n, SPLAT(-2.12194440e-4f)));
  v128_t p = SPLAT(1.9875691500e-4f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.3981999507e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(8.3334519073e-3f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(4.1665795894e-2f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(1.6666665459e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, r), SPLAT(5.0000001201e-1f));
  p = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_mul(p, r), r), wasm_f32x4_add(r, SPLAT(1.0f)));
  /* 2^n: (n + 127) << 23 as float bits, n in [−126, 127] (the sum's low bits; the magic's high bits shift out) */
  const v128_t pow2 = wasm_i32x4_shl(biased, 23);
  const v128_t result = wasm_f32x4_mul(p, pow2);
  return wasm_v128_andnot(result, under);
}

/* σ(x) = 1 / (1 + e^{−x}) */
INLINE v128_t vsigmoid(v128_t x) {
  return wasm_f32x4_div(SPLAT(1.0f), wasm_f32x4_add(SPLAT(1.0f), vexp(wasm_f32x4_neg(x))));
}

/*
 * tanh x: for |x| < 0.4 the odd Taylor polynomial to x¹³ (next term < 2e-9 relative), else
 * sign(x) (1 − 2 / (e^{2|x|} + 1)).
 */
INLINE v128_t vtanh(v128_t x) {
  const v128_t a = wasm_f32x4_abs(x);
  const v128_t big = wasm_f32x4_sub(
      SPLAT(1.0f), wasm_f32x4_div(SPLAT(2.0f), wasm_f32x4_add(vexp(wasm_f32x4_add(a, a)), SPLAT(1.0f))));
  const v128_t signed_big = wasm_v128_or(big, wasm_v128_and(x, wasm_i32x4_splat((int)0x80000000)));
  const v128_t x2 = wasm_f32x4_mul(x, x);
  v128_t p = SPLAT(21844.0f / 6081075.0f);
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), SPLAT(-1382.0f / 155925.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), SPLAT(62.0f / 2835.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), SPLAT(-17.0f / 315.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), SPLAT(2.0f / 15.0f));
  p = wasm_f32x4_add(wasm_f32x4_mul(p, x2), SPLAT(-1.0f / 3.0f));
  const v128_t small = wasm_f32x4_add(x, wasm_f32x4_mul(wasm_f32x4_mul(p, x2), x));
  return wasm_v128_bitselect(small, signed_big, wasm_f32x4_lt(a, SPLAT(0.4f)));
}

/* Loads and stores of a lane group: four lanes, or one (the row's tail; lanes 1–3 are ignored). */
INLINE v128_t load(const float *p, int one) { return one ? wasm_f32x4_splat(*p) : wasm_v128_load(p); }
INLINE void store(float *p, v128_t v, int one) {
  if (one) *p = wasm_f32x4_extract_lane(v, 0);
  else wasm_v128_store(p, v);
}

#define ONE wasm_f32x4_splat(1.0f)

/* ---------------------------------------------------------------------------------------------------- */
/* LSTM (gate order i, f, g, o; saved per row: i | f | g | o | tanh c)                                    */
/* ---------------------------------------------------------------------------------------------------- */

/* The step on lanes given the recurrent sums ri, rf, rg, ro (R_t's four gate blocks, in registers). */
INLINE void lstm_fwd_act(const float *x, v128_t ri, v128_t rf, v128_t rg, v128_t ro, const float *cp, float *h,
                         float *c, float *act, u32 H, int one) {
  const v128_t i = vsigmoid(wasm_f32x4_add(load(x, one), ri));
  const v128_t f = vsigmoid(wasm_f32x4_add(load(x + H, one), rf));
  const v128_t g = vtanh(wasm_f32x4_add(load(x + 2 * H, one), rg));
  const v128_t o = vsigmoid(wasm_f32x4_add(load(x + 3 * H, one), ro));
  const v128_t cn = wasm_f32x4_add(wasm_f32x4_mul(f, load(cp, one)), wasm_f32x4_mul(i, g));
  const v128_t tc = vtanh(cn);
  store(h, wasm_f32x4_mul(o, tc), one);
  store(c, cn, one);
  store(act, i, one);
  store(act + H, f, one);
  store(act + 2 * H, g, one);
  store(act + 3 * H, o, one);
  store(act + 4 * H, tc, one);
}

INLINE void lstm_fwd_lanes(const float *x, const float *r, const float *cp, float *h, float *c, float *act,
                           u32 H, int one) {
  lstm_fwd_act(x, load(r, one), load(r + H, one), load(r + 2 * H, one), load(r + 3 * H, one), cp, h, c, act, H,
               one);
}

/*
 * One step, all B rows: a = X_t + R_t; i, f, g, o = σ, σ, tanh, σ; c = f c̃_{t−1} + i g; h = o tanh c.
 * x: X_t [B, 4H]; r: R_t [B, 4H]; cprev [B, H]; writes h, c [B, H] and act [B, 5H].
 */
EXPORT(lstm_forward_step)
void lstm_forward_step(const float *x, const float *r, const float *cprev, float *h, float *c, float *act,
                       u32 B, u32 H) {
  for (u32 b = 0; b < B; b++) {
    const float *xb = x + b * 4 * H, *rb = r + b * 4 * H, *cb = cprev + b * H;
    float *hb = h + b * H, *ob = c + b * H, *ab = act + b * 5 * H;
    u32 j = 0;
    for (; j + 4 <= H; j += 4) lstm_fwd_lanes(xb + j, rb + j, cb + j, hb + j, ob + j, ab + j, H, 0);
    for (; j < H; j++) lstm_fwd_lanes(xb + j, rb + j, cb + j, hb + j, ob + j, ab + j, H, 1);
  }
}

INLINE void lstm_bwd_lanes(const float *dho, float *ch, float *cc, const float *act, const float *cp,
                           float *din, float *dr, u32 H, int one) {
  const v128_t i = load(act, one), f = load(act + H, one), g = load(act + 2 * H, one);
  const v128_t o = load(act + 3 * H, one), tc = load(act + 4 * H, one);
  const v128_t dh = wasm_f32x4_add(load(dho, one), load(ch, one));
  const v128_t dc = wasm_f32x4_add(
      load(cc, one), wasm_f32x4_mul(wasm_f32x4_mul(dh, o), wasm_f32x4_sub(ONE, wasm_f32x4_mul(tc, tc))));
  const v128_t di = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dc, g), i), wasm_f32x4_sub(ONE, i));
  const v128_t df =
      wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dc, load(cp, one)), f), wasm_f32x4_sub(ONE, f));
  const v128_t dg = wasm_f32x4_mul(wasm_f32x4_mul(dc, i), wasm_f32x4_sub(ONE, wasm_f32x4_mul(g, g)));
  const v128_t dout = wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dh, tc), o), wasm_f32x4_sub(ONE, o));
  store(cc, wasm_f32x4_mul(dc, f), one);
  store(ch, wasm_f32x4_splat(0.0f), one);
  store(din, di, one);
  store(din + H, df, one);
  store(din + 2 * H, dg, one);
  store(din + 3 * H, dout, one);
  if (dr == din) return; /* the whole-layer loop: δR_t is ∂L/∂X_t itself */
  store(dr, di, one);
  store(dr + H, df, one);
  store(dr + 2 * H, dg, one);
  store(dr + 3 * H, dout, one);
}

/*
 * One backward step: δh = ∂L/∂h_t + carryH; δc = carryC + δh o (1 − tanh² c); δa_i = δc g i(1 − i),
 * δa_f = δc c̃_{t−1} f(1 − f), δa_g = δc i (1 − g²), δa_o = δh tanh c o(1 − o); carryC ← δc f, carryH ← 0.
 * dhout [B, H]; carry_h, carry_c [B, H] (in/out); act [B, 5H]; cprev [B, H]; writes din and dr [B, 4H].
 */
EXPORT(lstm_backward_step)
void lstm_backward_step(const float *dhout, float *carry_h, float *carry_c, const float *act,
                        const float *cprev, float *din, float *dr, u32 B, u32 H) {
  for (u32 b = 0; b < B; b++) {
    const float *d = dhout + b * H, *a = act + b * 5 * H, *cp = cprev + b * H;
    float *ch = carry_h + b * H, *cc = carry_c + b * H, *di = din + b * 4 * H, *rr = dr + b * 4 * H;
    u32 j = 0;
    for (; j + 4 <= H; j += 4) lstm_bwd_lanes(d + j, ch + j, cc + j, a + j, cp + j, di + j, rr + j, H, 0);
    for (; j < H; j++) lstm_bwd_lanes(d + j, ch + j, cc + j, a + j, cp + j, di + j, rr + j, H, 1);
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* GRU (gate order r, z, n; R_t includes b_hh; saved per row: r | z | n | R_n)                            */
/* ---------------------------------------------------------------------------------------------------- */

/* The step on lanes given the recurrent sums rr, rz, hn (R_t's three gate blocks, b_hh included). */
INLINE void gru_fwd_act(const float *x, v128_t rr, v128_t rz, v128_t hn, const float *hp, float *h, float *act,
                        u32 H, int one) {
  const v128_t reset = vsigmoid(wasm_f32x4_add(load(x, one), rr));
  const v128_t update = vsigmoid(wasm_f32x4_add(load(x + H, one), rz));
  const v128_t n = vtanh(wasm_f32x4_add(load(x + 2 * H, one), wasm_f32x4_mul(reset, hn)));
  store(h, wasm_f32x4_add(n, wasm_f32x4_mul(update, wasm_f32x4_sub(load(hp, one), n))), one);
  store(act, reset, one);
  store(act + H, update, one);
  store(act + 2 * H, n, one);
  store(act + 3 * H, hn, one);
}

INLINE void gru_fwd_lanes(const float *x, const float *r, const float *hp, float *h, float *act, u32 H,
                          int one) {
  gru_fwd_act(x, load(r, one), load(r + H, one), load(r + 2 * H, one), hp, h, act, H, one);
}

/*
 * r = σ(X_r + R_r), z = σ(X_z + R_z), n = tanh(X_n + r R_n), h = n + z (h̃_{t−1} − n).
 * x, r [B, 3H]; hprev [B, H]; writes h [B, H], act [B, 4H].
 */
EXPORT(gru_forward_step)
void gru_forward_step(const float *x, const float *r, const float *hprev, float *h, float *act, u32 B,
                      u32 H) {
  for (u32 b = 0; b < B; b++) {
    const float *xb = x + b * 3 * H, *rb = r + b * 3 * H, *hp = hprev + b * H;
    float *hb = h + b * H, *ab = act + b * 4 * H;
    u32 j = 0;
    for (; j + 4 <= H; j += 4) gru_fwd_lanes(xb + j, rb + j, hp + j, hb + j, ab + j, H, 0);
    for (; j < H; j++) gru_fwd_lanes(xb + j, rb + j, hp + j, hb + j, ab + j, H, 1);
  }
}

INLINE void gru_bwd_lanes(const float *dho, float *carry, const float *act, const float *hp, float *din,
                          float *dr, u32 H, int one) {
  const v128_t reset = load(act, one), update = load(act + H, one);
  const v128_t n = load(act + 2 * H, one), hn = load(act + 3 * H, one);
  const v128_t dh = wasm_f32x4_add(load(dho, one), load(carry, one));
  const v128_t dan =
      wasm_f32x4_mul(wasm_f32x4_mul(dh, wasm_f32x4_sub(ONE, update)), wasm_f32x4_sub(ONE, wasm_f32x4_mul(n, n)));
  const v128_t dar =
      wasm_f32x4_mul(wasm_f32x4_mul(wasm_f32x4_mul(dan, hn), reset), wasm_f32x4_sub(ONE, reset));
  const v128_t daz = wasm_f32x4_mul(
      wasm_f32x4_mul(wasm_f32x4_mul(dh, wasm_f32x4_sub(load(hp, one), n)), update), wasm_f32x4_sub(ONE, update));
  store(carry, wasm_f32x4_mul(dh, update), one);
  store(din, dar, one);
  store(din + H, daz, one);
  store(din + 2 * H, dan, one);
  store(dr, dar, one);
  store(dr + H, daz, one);
  store(dr + 2 * H, wasm_f32x4_mul(dan, reset), one);
}

/*
 * δh = ∂L/∂h_t + carry; δa_n = δh (1 − z)(1 − n²), δa_r = δa_n R_n r(1 − r), δa_z = δh (h̃_{t−1} − n) z(1 − z);
 * din = [δa_r, δa_z, δa_n], dr = [δa_r, δa_z, δa_n r], carry ← δh z.
 */
EXPORT(gru_backward_step)
void gru_backward_step(const float *dhout, float *carry, const float *act, const float *hprev, float *din,
                       float *dr, u32 B, u32 H) {
  for (u32 b = 0; b < B; b++) {
    const float *d = dhout + b * H, *a = act + b * 4 * H, *hp = hprev + b * H;
    float *c = carry + b * H, *di = din + b * 3 * H, *rr = dr + b * 3 * H;
    u32 j = 0;
    for (; j + 4 <= H; j += 4) gru_bwd_lanes(d + j, c + j, a + j, hp + j, di + j, rr + j, H, 0);
    for (; j < H; j++) gru_bwd_lanes(d + j, c + j, a + j, hp + j, di + j, rr + j, H, 1);
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Elman RNN (tanh or relu; nothing saved)                                                               */
/* ---------------------------------------------------------------------------------------------------- */

INLINE v128_t rnn_phi(v128_t a, u32 relu) {
  return relu ? wasm_f32x4_max(a, wasm_f32x4_splat(0.0f)) : vtanh(a);
}

/* h = φ(X_t + R_t) over n = B·H contiguous elements. */
EXPORT(rnn_forward_step)
void rnn_forward_step(const float *x, const float *r, float *h, u32 n, u32 relu) {
  u32 k = 0;
  for (; k + 4 <= n; k += 4) store(h + k, rnn_phi(wasm_f32x4_add(load(x + k, 0), load(r + k, 0)), relu), 0);
  for (; k < n; k++) store(h + k, rnn_phi(wasm_f32x4_add(load(x + k, 1), load(r + k, 1)), relu), 1);
}

INLINE v128_t rnn_delta(v128_t dh, v128_t h, u32 relu) {
  return relu ? wasm_v128_and(dh, wasm_f32x4_gt(h, wasm_f32x4_splat(0.0f)))
              : wasm_f32x4_mul(dh, wasm_f32x4_sub(ONE, wasm_f32x4_mul(h, h)));
}

/* δ = (∂L/∂h_t + carry) φ′ (tanh′ = 1 − h², relu′ = [h > 0]); din = dr = δ; carry ← 0. */
EXPORT(rnn_backward_step)
void rnn_backward_step(const float *dhout, const float *h, float *carry, float *din, float *dr, u32 n,
                       u32 relu) {
  u32 k = 0;
  for (; k + 4 <= n; k += 4) {
    const v128_t d = rnn_delta(wasm_f32x4_add(load(dhout + k, 0), load(carry + k, 0)), load(h + k, 0), relu);
    store(din + k, d, 0);
    store(dr + k, d, 0);
    store(carry + k, wasm_f32x4_splat(0.0f), 0);
  }
  for (; k < n; k++) {
    const v128_t d = rnn_delta(wasm_f32x4_add(load(dhout + k, 1), load(carry + k, 1)), load(h + k, 1), relu);
    store(din + k, d, 1);
    store(dr + k, d, 1);
    carry[k] = 0.0f;
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Softmax cross-entropy                                                                                 */
/* ---------------------------------------------------------------------------------------------------- */

/* ln x for a finite x > 0 in float64: x = m 2^e, m ∈ [√½, √2), ln m = 2 atanh s, s = (m − 1)/(m + 1). */
static double ln(double x) {
  if (!(x > 0) || x > 1.7976931348623157e308) return x > 0 ? x : (x == 0 ? -1.0 / 0.0 : 0.0 / 0.0);
  union { double d; u64 u; } v = {x};
  int e = (int)((v.u >> 52) & 0x7ff) - 1023;
  v.u = (v.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
  double m = v.d;
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const double s = (m - 1) / (m + 1), s2 = s * s;
  double t = 1.0 / 23;
  for (int k = 21; k >= 1; k -= 2) t = t * s2 + 1.0 / k;
  return e * 0.6931471805599453 + 2 * s * t;
}

INLINE double hsum_f64(v128_t a) { return wasm_f64x2_extract_lane(a, 0) + wasm_f64x2_extract_lane(a, 1); }

/*
 * Per row n: loss_n = log Σ_o e^{z_no − max} − (z_n,y_n − max), p_n = softmax(z_n).
 * z [N, O]; targets int32 [N] (checked by the caller: 0 ≤ y < O); writes loss [N] and p [N, O].
 */
EXPORT(softmax_ce_forward)
void softmax_ce_forward(const float *z, const int *targets, float *loss, float *p, u32 N, u32 O) {
  for (u32 n = 0; n < N; n++) {
    const float *zr = z + (u64)n * O;
    float *pr = p + (u64)n * O;
    v128_t vmax = wasm_f32x4_splat(-1.0f / 0.0f);
    u32 i = 0;
    for (; i + 4 <= O; i += 4) vmax = wasm_f32x4_pmax(vmax, wasm_v128_load(zr + i));
    float max = wasm_f32x4_extract_lane(vmax, 0);
    for (int l = 1; l < 4; l++) {
      const float m = l == 1 ? wasm_f32x4_extract_lane(vmax, 1)
                             : (l == 2 ? wasm_f32x4_extract_lane(vmax, 2) : wasm_f32x4_extract_lane(vmax, 3));
      if (m > max) max = m;
    }
    for (; i < O; i++)
      if (zr[i] > max) max = zr[i];
    const v128_t vm = wasm_f32x4_splat(max);
    v128_t acc0 = wasm_f64x2_splat(0.0), acc1 = wasm_f64x2_splat(0.0);
    for (i = 0; i + 4 <= O; i += 4) {
      const v128_t e = vexp(wasm_f32x4_sub(wasm_v128_load(zr + i), vm));
      wasm_v128_store(pr + i, e);
      acc0 = wasm_f64x2_add(acc0, wasm_f64x2_promote_low_f32x4(e));
      acc1 = wasm_f64x2_add(acc1, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 0, 1)));
    }
    double sum = hsum_f64(wasm_f64x2_add(acc0, acc1));
    for (; i < O; i++) {
      const float e = wasm_f32x4_extract_lane(vexp(wasm_f32x4_splat(zr[i] - max)), 0);
      pr[i] = e;
      sum += e;
    }
    const v128_t inv = wasm_f32x4_splat((float)(1.0 / sum));
    for (i = 0; i + 4 <= O; i += 4) wasm_v128_store(pr + i, wasm_f32x4_mul(wasm_v128_load(pr + i), inv));
    const float invs = (float)(1.0 / sum);
    for (; i < O; i++) pr[i] *= invs;
    loss[n] = (float)(ln(sum) - ((double)zr[targets[n]] - (double)max));
  }
}

/* ∂_n = (p_n − onehot(y_n)) · scale_n.  p [N, O]; targets [N]; scale [N]; writes grad [N, O]. */
EXPORT(softmax_ce_backward)
void softmax_ce_backward(const float *p, const int *targets, const float *scale, float *grad, u32 N, u32 O) {
  for (u32 n = 0; n < N; n++) {
    const float *pr = p + (u64)n * O;
    float *gr = grad + (u64)n * O;
    const float s = scale[n];
    const v128_t vs = wasm_f32x4_splat(s);
    u32 i = 0;
    for (; i + 4 <= O; i += 4) wasm_v128_store(gr + i, wasm_f32x4_mul(wasm_v128_load(pr + i), vs));
    for (; i < O; i++) gr[i] = pr[i] * s;
    gr[targets[n]] -= s;
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Optimiser updates and the global norm                                                                 */
/* ---------------------------------------------------------------------------------------------------- */

/* Σ x_i² over n elements, in float64. */
EXPORT(sum_squares)
double sum_squares(const float *x, u32 n) {
  v128_t acc0 = wasm_f64x2_splat(0.0), acc1 = wasm_f64x2_splat(0.0);
  u32 i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t lo = wasm_f64x2_promote_low_f32x4(v);
    const v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    acc0 = wasm_f64x2_add(acc0, wasm_f64x2_mul(lo, lo));
    acc1 = wasm_f64x2_add(acc1, wasm_f64x2_mul(hi, hi));
  }
  double sum = hsum_f64(wasm_f64x2_add(acc0, acc1));
  for (; i < n; i++) sum += (double)x[i] * (double)x[i];
  return sum;
}

/*
 * Every update: g' = s g + λθ (s: the clipping scale, λ: coupled weight decay), then the optimiser's rule;
 * θ moves by −lr·u. Inputs and outputs may alias (each element is read before it is written).
 */
#define GRAD(k) wasm_f32x4_add(wasm_f32x4_mul(vs, load(g + (k), one)), wasm_f32x4_mul(vwd, load(theta + (k), one)))

/* SGD: θ ← θ − lr (s g + λθ). */
EXPORT(sgd_update)
void sgd_update(const float *theta, const float *g, float *theta_out, u32 n, float lr, float s, float wd) {
  const v128_t vs = SPLAT(s), vwd = SPLAT(wd), vlr = SPLAT(lr);
  for (u32 k = 0; k < n;) {
    const int one = k + 4 > n;
    const v128_t gg = GRAD(k);
    store(theta_out + k, wasm_f32x4_sub(load(theta + k, one), wasm_f32x4_mul(vlr, gg)), one);
    k += one ? 1 : 4;
  }
}

/* Heavy ball (PyTorch): v ← μv + g'; θ ← θ − lr v. */
EXPORT(momentum_update)
void momentum_update(const float *theta, const float *g, const float *v, float *theta_out, float *v_out, u32 n,
                     float lr, float s, float wd, float mu) {
  const v128_t vs = SPLAT(s), vwd = SPLAT(wd), vlr = SPLAT(lr), vmu = SPLAT(mu);
  for (u32 k = 0; k < n;) {
    const int one = k + 4 > n;
    const v128_t gg = GRAD(k);
    const v128_t vn = wasm_f32x4_add(wasm_f32x4_mul(vmu, load(v + k, one)), gg);
    store(theta_out + k, wasm_f32x4_sub(load(theta + k, one), wasm_f32x4_mul(vlr, vn)), one);
    store(v_out + k, vn, one);
    k += one ? 1 : 4;
  }
}

/*
 * Adam: m ← β₁m + (1−β₁)g'; v ← β₂v + (1−β₂)g'²; θ ← θ − lr (m/c₁)/(√(v/c₂) + ε), c_i = 1 − β_iᵗ.
 */
EXPORT(adam_update)
void adam_update(const float *theta, const float *g, const float *m, const float *v, float *theta_out,
                 float *m_out, float *v_out, u32 n, float lr, float s, float wd, float beta1, float beta2,
                 float c1, float c2, float eps) {
  const v128_t vs = SPLAT(s), vwd = SPLAT(wd), vlr = SPLAT(lr), b1 = SPLAT(beta1), b2 = SPLAT(beta2);
  const v128_t nb1 = SPLAT(1.0f - beta1), nb2 = SPLAT(1.0f - beta2), vc1 = SPLAT(c1), vc2 = SPLAT(c2);
  const v128_t veps = SPLAT(eps);
  for (u32 k = 0; k < n;) {
    const int one = k + 4 > n;
    const v128_t gg = GRAD(k);
    const v128_t mn = wasm_f32x4_add(wasm_f32x4_mul(load(m + k, one), b1), wasm_f32x4_mul(gg, nb1));
    const v128_t vn =
        wasm_f32x4_add(wasm_f32x4_mul(load(v + k, one), b2), wasm_f32x4_mul(wasm_f32x4_mul(gg, gg), nb2));
    const v128_t dir = wasm_f32x4_div(wasm_f32x4_div(mn, vc1),
                                      wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(vn, vc2)), veps));
    store(theta_out + k, wasm_f32x4_sub(load(theta + k, one), wasm_f32x4_mul(vlr, dir)), one);
    store(m_out + k, mn, one);
    store(v_out + k, vn, one);
    k += one ? 1 : 4;
  }
}

/*
 * Adadelta (PyTorch): s ← ρs + (1−ρ)g'²; Δ = √(u + ε)/√(s + ε) g'; u ← ρu + (1−ρ)Δ²; θ ← θ − lr Δ.
 */
EXPORT(adadelta_update)
void adadelta_update(const float *theta, const float *g, const float *sq, const float *acc, float *theta_out,
                     float *sq_out, float *acc_out, u32 n, float lr, float s, float wd, float rho, float eps) {
  const v128_t vs = SPLAT(s), vwd = SPLAT(wd), vlr = SPLAT(lr), vr = SPLAT(rho), nr = SPLAT(1.0f - rho);
  const v128_t veps = SPLAT(eps);
  for (u32 k = 0; k < n;) {
    const int one = k + 4 > n;
    const v128_t gg = GRAD(k);
    const v128_t sn =
        wasm_f32x4_add(wasm_f32x4_mul(load(sq + k, one), vr), wasm_f32x4_mul(wasm_f32x4_mul(gg, gg), nr));
    const v128_t u = load(acc + k, one);
    const v128_t delta = wasm_f32x4_mul(
        wasm_f32x4_div(wasm_f32x4_sqrt(wasm_f32x4_add(u, veps)), wasm_f32x4_sqrt(wasm_f32x4_add(sn, veps))), gg);
    const v128_t un = wasm_f32x4_add(wasm_f32x4_mul(u, vr), wasm_f32x4_mul(wasm_f32x4_mul(delta, delta), nr));
    store(theta_out + k, wasm_f32x4_sub(load(theta + k, one), wasm_f32x4_mul(vlr, delta)), one);
    store(sq_out + k, sn, one);
    store(acc_out + k, un, one);
    k += one ? 1 : 4;
  }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Linear layer (the decoder): z = x Wᵀ + b, W [O, K] as PyTorch stores it (a tied embedding [V, H])      */
/* ---------------------------------------------------------------------------------------------------- */

/*
 * Why not XNNPACK: tfjs hands it W as the "weights" operand, packed afresh whenever the tensor changes (every
 * update, and every call, since tfjs first transposes W into a new tensor), and a packed [V, H] weight of a
 * word LM (17 MB at V = 33,278, H = 128) is streamed from memory once per 4 rows of x. These kernels read W
 * in its own layout and keep a block of its rows in cache while every row of x passes over it.
 */

/* Rows of W per cache block: 32 rows of K floats (16 KB at K = 128). */
#define LIN_BLOCK 32u

/* dW = gᵀ x (linear_backward_weight): rows of x per block, and its columns per chunk (16 KB of x). */
#define LIN_DW_ROWS 32u
#define LIN_DW_COLS 128u

INLINE u32 min_u32(u32 a, u32 b) { return a < b ? a : b; }

/*
 * Rows of x (and of g, dx) per cache block: about 128 KB of x (256 rows at K = 128), a multiple of 4,
 * so that a block of x stays in L2 while all of W passes over it (and W is read once per block).
 */
INLINE u32 lin_rows(u32 K) {
  u32 rows = 32768u / (K > 0 ? K : 1u);
  rows = rows < 16u ? 16u : (rows > 1024u ? 1024u : rows);
  return rows & ~3u;
}

/* [Σ a0, Σ a1, Σ a2, Σ a3]: the lane sums of four vectors, as one vector. */
INLINE v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  /* x = [a0₀+a0₁, a1₀+a1₁, a0₂+a0₃, a1₂+a1₃], y likewise for a2, a3 */
  const v128_t x = wasm_f32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 2, 6), wasm_i32x4_shuffle(a0, a1, 1, 5, 3, 7));
  const v128_t y = wasm_f32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 2, 6), wasm_i32x4_shuffle(a2, a3, 1, 5, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(x, y, 0, 1, 4, 5), wasm_i32x4_shuffle(x, y, 2, 3, 6, 7));
}

/* Stores the first c (1–4) lanes of v at p. */
INLINE void store_lanes(float *p, v128_t v, u32 c) {
  if (c == 4) {
    wasm_v128_store(p, v);
    return;
  }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (c > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (c > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

/* The first c (1–4) values at p as lanes (lanes from c on repeat p[0]: computed, never stored). */
INLINE v128_t load_lanes(const float *p, u32 c) {
  if (c == 4) return wasm_v128_load(p);
  return wasm_f32x4_make(p[0], c > 1 ? p[1] : p[0], c > 2 ? p[2] : p[0], p[0]);
}

#define MULADD(acc, a, b) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(a, b))

/*
 * z [N, O] = x [N, K] · Wᵀ + b: z_no = b_o + Σ_k x_nk W_ok (has_bias 0: no b). Two rows of x against four
 * rows of W at a time, as dot products over k (four partial sums per lane, added at the end); the rows of
 * W in blocks of LIN_BLOCK, each block met by every row of a block of lin_rows(K) rows of x while both are
 * in cache. Computes the columns [o0, o1) of z (linear_forward: all of them).
 */
INLINE void linear_forward_columns(const float *x, const float *w, const float *bias, float *z, u32 N, u32 K,
                                  u32 O, u32 has_bias, u32 o0, u32 o1) {
  const u32 K4 = K & ~3u;
  const u32 block_rows = lin_rows(K);
  for (u32 nb = 0; nb < N; nb += block_rows) {
    const u32 ne = min_u32(nb + block_rows, N);
    for (u32 ob = o0; ob < o1; ob += LIN_BLOCK) {
      const u32 oe = min_u32(ob + LIN_BLOCK, o1);
      for (u32 n = nb; n < ne; n += 2) {
        const int two = n + 1 < ne;
        const float *x0 = x + n * K, *x1 = two ? x0 + K : x0;
        float *z0 = z + n * O, *z1 = z0 + O;
        for (u32 o = ob; o < oe; o += 4) {
          const u32 c = min_u32(oe - o, 4);
          /* rows past the block's end repeat row o: computed, never stored */
          const float *w0 = w + o * K, *w1 = c > 1 ? w0 + K : w0, *w2 = c > 2 ? w0 + 2 * K : w0;
          const float *w3 = c > 3 ? w0 + 3 * K : w0;
          v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a02 = a00, a03 = a00;
          v128_t a10 = a00, a11 = a00, a12 = a00, a13 = a00;
          u32 k = 0;
          for (; k < K4; k += 4) {
            const v128_t u0 = wasm_v128_load(x0 + k), u1 = wasm_v128_load(x1 + k);
            v128_t v = wasm_v128_load(w0 + k);
            MULADD(a00, u0, v);
            MULADD(a10, u1, v);
            v = wasm_v128_load(w1 + k);
            MULADD(a01, u0, v);
            MULADD(a11, u1, v);
            v = wasm_v128_load(w2 + k);
            MULADD(a02, u0, v);
            MULADD(a12, u1, v);
            v = wasm_v128_load(w3 + k);
            MULADD(a03, u0, v);
            MULADD(a13, u1, v);
          }
          for (; k < K; k++) {
            /* one element in lane 0, zeros in the others (which then add exact zeros) */
            const v128_t u0 = wasm_v128_load32_zero(x0 + k), u1 = wasm_v128_load32_zero(x1 + k);
            v128_t v = wasm_v128_load32_zero(w0 + k);
            MULADD(a00, u0, v);
            MULADD(a10, u1, v);
            v = wasm_v128_load32_zero(w1 + k);
            MULADD(a01, u0, v);
            MULADD(a11, u1, v);
            v = wasm_v128_load32_zero(w2 + k);
            MULADD(a02, u0, v);
            MULADD(a12, u1, v);
            v = wasm_v128_load32_zero(w3 + k);
            MULADD(a03, u0, v);
            MULADD(a13, u1, v);
          }
          v128_t r0 = hsum4(a00, a01, a02, a03), r1 = hsum4(a10, a11, a12, a13);
          if (has_bias) {
            const v128_t b = load_lanes(bias + o, c);
            r0 = wasm_f32x4_add(r0, b);
            r1 = wasm_f32x4_add(r1, b);
          }
          store_lanes(z0 + o, r0, c);
          if (two) store_lanes(z1 + o, r1, c);
        }
      }
    }
  }
}

EXPORT(linear_forward)
void linear_forward(const float *x, const float *w, const float *bias, float *z, u32 N, u32 K, u32 O,
                    u32 has_bias) {
  linear_forward_columns(x, w, bias, z, N, K, O, has_bias, 0, O);
}

/* Adds (first: stores) one row's lanes of a dx tile: lo (4 lanes, or lane 0 at width 1), hi (width 8). */
INLINE void linear_dx_store(float *p, v128_t lo, v128_t hi, u32 width, int first) {
  const int one = width == 1;
  store(p, first ? lo : wasm_f32x4_add(load(p, one), lo), one);
  if (width == 8) wasm_v128_store(p + 4, first ? hi : wasm_f32x4_add(wasm_v128_load(p + 4), hi));
}

/*
 * One tile of dx: rows g0..g3 of g against the block [ob, oe) of W's rows, lanes k.. of dx (two vectors,
 * one, or one lane: width 8, 4, 1), added to dx (first: stored).
 */
INLINE void linear_dx_tile(const float *g0, const float *g1, const float *g2, const float *g3,
                           const float *w, float *d0, float *d1, float *d2, float *d3, u32 rows, u32 ob,
                           u32 oe, u32 K, u32 k, u32 width, int first) {
  const int one = width == 1;
  v128_t a00 = wasm_f32x4_splat(0.0f), a10 = a00, a20 = a00, a30 = a00;
  v128_t a01 = a00, a11 = a00, a21 = a00, a31 = a00;
  for (u32 o = ob; o < oe; o++) {
    const float *wr = w + o * K + k;
    const v128_t v0 = load(wr, one);
    const v128_t s0 = wasm_v128_load32_splat(g0 + o), s1 = wasm_v128_load32_splat(g1 + o);
    const v128_t s2 = wasm_v128_load32_splat(g2 + o), s3 = wasm_v128_load32_splat(g3 + o);
    MULADD(a00, s0, v0);
    MULADD(a10, s1, v0);
    MULADD(a20, s2, v0);
    MULADD(a30, s3, v0);
    if (width == 8) {
      const v128_t v1 = wasm_v128_load(wr + 4);
      MULADD(a01, s0, v1);
      MULADD(a11, s1, v1);
      MULADD(a21, s2, v1);
      MULADD(a31, s3, v1);
    }
  }
  linear_dx_store(d0 + k, a00, a01, width, first);
  if (rows > 1) linear_dx_store(d1 + k, a10, a11, width, first);
  if (rows > 2) linear_dx_store(d2 + k, a20, a21, width, first);
  if (rows > 3) linear_dx_store(d3 + k, a30, a31, width, first);
}

/*
 * dx [N, K] = g [N, O] · W [O, K]: dx_nk = Σ_o g_no W_ok. Four rows of g by eight columns of dx at a time
 * (g's values splat, W's rows loaded as they are); over W's rows in blocks of LIN_BLOCK, each block's sums
 * added to dx (float32, as the tfjs product); the rows n in blocks of lin_rows(K), so that a block of dx
 * stays in cache while all of W passes over it.
 */
EXPORT(linear_backward_input)
void linear_backward_input(const float *g, const float *w, float *dx, u32 N, u32 K, u32 O) {
  const u32 block_rows = lin_rows(K);
  for (u32 nb = 0; nb < N; nb += block_rows) {
    const u32 ne = min_u32(nb + block_rows, N);
    for (u32 ob = 0; ob < O; ob += LIN_BLOCK) {
      const u32 oe = min_u32(ob + LIN_BLOCK, O);
      const int first = ob == 0;
      for (u32 n = nb; n < ne; n += 4) {
        const u32 rows = min_u32(ne - n, 4);
        /* rows past N repeat row n: computed, never stored */
        const float *g0 = g + n * O, *g1 = rows > 1 ? g0 + O : g0, *g2 = rows > 2 ? g0 + 2 * O : g0;
        const float *g3 = rows > 3 ? g0 + 3 * O : g0;
        float *d0 = dx + n * K, *d1 = d0 + K, *d2 = d1 + K, *d3 = d2 + K;
        u32 k = 0;
        for (; k + 8 <= K; k += 8) linear_dx_tile(g0, g1, g2, g3, w, d0, d1, d2, d3, rows, ob, oe, K, k, 8, first);
        for (; k + 4 <= K; k += 4) linear_dx_tile(g0, g1, g2, g3, w, d0, d1, d2, d3, rows, ob, oe, K, k, 4, first);
        for (; k < K; k++) linear_dx_tile(g0, g1, g2, g3, w, d0, d1, d2, d3, rows, ob, oe, K, k, 1, first);
      }
    }
  }
}

/*
 * One tile of dW: rows o..o+c−1 of dW (columns o.. of g), lanes k.. (width 8, 4 or 1), summed over the rows
 * [n0, n1) of g and x, added to dW (first: stored).
 */
INLINE void linear_dw_tile(const float *g, const float *x, float *dw, u32 n0, u32 n1, u32 K, u32 O, u32 o,
                           u32 c, u32 k, u32 width, int first) {
  const int one = width == 1;
  /* columns past c repeat column o: computed, never stored */
  const u32 j1 = c > 1 ? 1 : 0, j2 = c > 2 ? 2 : 0, j3 = c > 3 ? 3 : 0;
  v128_t a00 = wasm_f32x4_splat(0.0f), a10 = a00, a20 = a00, a30 = a00;
  v128_t a01 = a00, a11 = a00, a21 = a00, a31 = a00;
  for (u32 n = n0; n < n1; n++) {
    const float *xr = x + n * K + k, *gr = g + n * O + o;
    const v128_t v0 = load(xr, one);
    const v128_t s0 = wasm_v128_load32_splat(gr), s1 = wasm_v128_load32_splat(gr + j1);
    const v128_t s2 = wasm_v128_load32_splat(gr + j2), s3 = wasm_v128_load32_splat(gr + j3);
    MULADD(a00, s0, v0);
    MULADD(a10, s1, v0);
    MULADD(a20, s2, v0);
    MULADD(a30, s3, v0);
    if (width == 8) {
      const v128_t v1 = wasm_v128_load(xr + 4);
      MULADD(a01, s0, v1);
      MULADD(a11, s1, v1);
      MULADD(a21, s2, v1);
      MULADD(a31, s3, v1);
    }
  }
  float *p = dw + o * K + k;
  linear_dx_store(p, a00, a01, width, first);
  if (c > 1) linear_dx_store(p + K, a10, a11, width, first);
  if (c > 2) linear_dx_store(p + 2 * K, a20, a21, width, first);
  if (c > 3) linear_dx_store(p + 3 * K, a30, a31, width, first);
}

/*
 * dW [O, K] = gᵀ x: dW_ok = Σ_n g_no x_nk, and (has_bias) db [O] = Σ_n g_no. Four rows of dW by eight
 * columns at a time, g's four columns splat, x's rows loaded; over the rows n in blocks of LIN_DW_ROWS, each
 * block's sums added to dW, and within a block over x's columns in chunks of LIN_DW_COLS, so that the
 * chunk of x (16 KB) stays in L1 while every column of g meets it, and the block's rows of g, which lie a
 * row of O floats apart, touch few pages. Computes the rows [o0, o1) of dW and db (linear_backward_weight:
 * all of them).
 *
 * Blocks of 160 rows of x (128 KB at K = 200, kept in L2) took 1.4–1.5× as long at the word LM's sizes
 * (bench/kernel-ab.mjs --decoder: N 700, K 200, O 10,000; and at K 128, O 33,278), though they add each
 * element of dW 5 times instead of 22: a row's load from L2 for every 8 multiply-adds costs more.
 */
INLINE void linear_backward_weight_rows(const float *g, const float *x, float *dw, float *db, u32 N, u32 K,
                                       u32 O, u32 has_bias, u32 o0, u32 o1) {
  /* N = 0: one empty block, so that dW and db are stored (as zeros); K = 0: one empty chunk, for db */
  for (u32 nb = 0;; nb += LIN_DW_ROWS) {
    const u32 ne = min_u32(nb + LIN_DW_ROWS, N);
    const int first = nb == 0;
    for (u32 kb = 0; kb == 0 || kb < K; kb += LIN_DW_COLS) {
      const u32 ke = min_u32(kb + LIN_DW_COLS, K);
      for (u32 o = o0; o < o1; o += 4) {
        const u32 c = min_u32(o1 - o, 4);
        if (has_bias && kb == 0) {
          v128_t acc = wasm_f32x4_splat(0.0f);
          for (u32 n = nb; n < ne; n++) acc = wasm_f32x4_add(acc, load_lanes(g + n * O + o, c));
          store_lanes(db + o, first ? acc : wasm_f32x4_add(load_lanes(db + o, c), acc), c);
        }
        u32 k = kb;
        for (; k + 8 <= ke; k += 8) linear_dw_tile(g, x, dw, nb, ne, K, O, o, c, k, 8, first);
        for (; k + 4 <= ke; k += 4) linear_dw_tile(g, x, dw, nb, ne, K, O, o, c, k, 4, first);
        for (; k < ke; k++) linear_dw_tile(g, x, dw, nb, ne, K, O, o, c, k, 1, first);
      }
    }
    if (ne >= N) break;
  }
}

EXPORT(linear_backward_weight)
void linear_backward_weight(const float *g, const float *x, float *dw, float *db, u32 N, u32 K, u32 O,
                            u32 has_bias) {
  linear_backward_weight_rows(g, x, dw, db, N, K, O, has_bias, 0, O);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Parts of kernels, for threads (src/kernels/simd/kernel-threads.ts)                                    */
/* ---------------------------------------------------------------------------------------------------- */

/*
 * Each `<kernel>_part` takes the arguments of <kernel> and a range [lo, hi) of its output: rows of z, dx,
 * p, ∂z (softmax) or rows of dW (= columns of z for the forward product). It computes exactly what
 * <kernel> computes there — every output element by the same operations in the same order — so threads
 * that split one call into parts give bit-identical results, and no part sums into another's output.
 */

/* Columns [lo, hi) of z [N, O] (rows lo..hi−1 of W). */
EXPORT(linear_forward_part)
void linear_forward_part(const float *x, const float *w, const float *bias, float *z, u32 N, u32 K, u32 O,
                         u32 has_bias, u32 lo, u32 hi) {
  linear_forward_columns(x, w, bias, z, N, K, O, has_bias, lo, hi);
}

/* Rows [lo, hi) of dx [N, K]. */
EXPORT(linear_backward_input_part)
void linear_backward_input_part(const float *g, const float *w, float *dx, u32 N, u32 K, u32 O, u32 lo,
                                u32 hi) {
  (void)N;
  linear_backward_input(g + (u64)lo * O, w, dx + (u64)lo * K, hi - lo, K, O);
}

/* Rows [lo, hi) of dW [O, K] and entries [lo, hi) of db. */
EXPORT(linear_backward_weight_part)
void linear_backward_weight_part(const float *g, const float *x, float *dw, float *db, u32 N, u32 K, u32 O,
                                 u32 has_bias, u32 lo, u32 hi) {
  linear_backward_weight_rows(g, x, dw, db, N, K, O, has_bias, lo, hi);
}

/* Rows [lo, hi) of loss and p. */
EXPORT(softmax_ce_forward_part)
void softmax_ce_forward_part(const float *z, const int *targets, float *loss, float *p, u32 N, u32 O, u32 lo,
                             u32 hi) {
  (void)N;
  softmax_ce_forward(z + (u64)lo * O, targets + lo, loss + lo, p + (u64)lo * O, hi - lo, O);
}

/* Rows [lo, hi) of grad. */
EXPORT(softmax_ce_backward_part)
void softmax_ce_backward_part(const float *p, const int *targets, const float *scale, float *grad, u32 N,
                              u32 O, u32 lo, u32 hi) {
  (void)N;
  softmax_ce_backward(p + (u64)lo * O, targets + lo, scale + lo, grad + (u64)lo * O, hi - lo, O);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Whole-layer loops: one recurrent layer over a window in one call (LSTM, GRU, RNN tanh / relu)         */
/* ---------------------------------------------------------------------------------------------------- */

/*
 * Why: the window's T steps each need the recurrent product h̃_{t−1} W_hhᵀ ([B, H] x [H, G·H]) before the
 * pointwise step, and its transpose δR_t W_hh after the backward step. Through XNNPACK every such product is a
 * call from JavaScript that sets up an operator and packs W afresh, which at the copy task's sizes (B 64,
 * H 50) costs more than the product. These loops run all T steps in one call, with products of their own
 * that read W = W_hhᵀ [H, G·H] as the kernel gets it and keep it in cache for the window.
 *
 * Layouts as layer-scaffold.ts's (the reference): step-major rows (row t·B + b), X [T·B, G·H], states and
 * probes [T·B, H]; h̃_t = h_t + z^h_t is what step t + 1 reads (the outputs stay h_t; `zh` 0: no probes,
 * h̃ = h). Per step t:
 *
 *     forward    R_t[b, :] = Σ_k h̃_{t−1}[b, k] W[k, :]          W's rows scaled by h's values (splat)
 *                then the cell's step on lanes (the functions above), R_t kept in registers
 *     backward   the cell's backward step, then ∂L/∂h̃_{t−1}[b, k] += Σ_g δR_t[b, g] W[k, g]   (dot products)
 *                ∂W[k, :] += Σ_b h̃_{t−1}[b, k] δR_t[b, :]        (this step's B rows while they are in cache)
 *
 * Sums are float32 in another order than XNNPACK's: results agree with the per-step path to float32
 * rounding.
 */

/* Two rows' products with W at up to four column groups: v[r][q] = Σ_k h_r[k] W[k, col + q·stride]. */
typedef struct {
  v128_t v[2][4];
} loop_tile;

/*
 * h0, h1: rows of h̃_{t−1} (K values; h1 may repeat h0); w: W [K, ld]; `groups` vectors (constant at every call,
 * so that the tile stays in registers) of 4 lanes, or of one lane (`one`: lane 0 valid).
 */
INLINE loop_tile loop_forward_tile(const float *h0, const float *h1, const float *w, u32 K, u32 ld, u32 col,
                                   u32 stride, u32 groups, int one) {
  loop_tile t;
  for (u32 q = 0; q < 4; q++) t.v[0][q] = t.v[1][q] = wasm_f32x4_splat(0.0f);
  for (u32 k = 0; k < K; k++) {
    const float *wr = w + k * ld + col;
    const v128_t s0 = wasm_v128_load32_splat(h0 + k), s1 = wasm_v128_load32_splat(h1 + k);
    for (u32 q = 0; q < groups; q++) {
      const v128_t wv = load(wr + q * stride, one);
      MULADD(t.v[0][q], s0, wv);
      MULADD(t.v[1][q], s1, wv);
    }
  }
  return t;
}

/*
 * carry[b, :] += δR[b, :] Wᵀ for the B rows of one step (add 0: carry = δR Wᵀ): δR [B, G], W [H, G], carry
 * [B, H]. Two rows of δR against four rows of W at a time as dot products over g (rows past H repeat row k:
 * computed, never stored).
 */
INLINE void loop_backward_product(const float *d, const float *w, float *carry, u32 B, u32 H, u32 G, int add) {
  const u32 G4 = G & ~3u;
  for (u32 b = 0; b < B; b += 2) {
    const int two = b + 1 < B;
    const float *d0 = d + b * G, *d1 = two ? d0 + G : d0;
    for (u32 k = 0; k < H; k += 4) {
      const u32 c = min_u32(H - k, 4);
      const float *w0 = w + k * G, *w1 = c > 1 ? w0 + G : w0, *w2 = c > 2 ? w0 + 2 * G : w0;
      const float *w3 = c > 3 ? w0 + 3 * G : w0;
      v128_t a00 = wasm_f32x4_splat(0.0f), a01 = a00, a02 = a00, a03 = a00;
      v128_t a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      u32 g = 0;
      for (; g < G4; g += 4) {
        const v128_t u0 = wasm_v128_load(d0 + g), u1 = wasm_v128_load(d1 + g);
        v128_t v = wasm_v128_load(w0 + g);
        MULADD(a00, u0, v);
        MULADD(a10, u1, v);
        v = wasm_v128_load(w1 + g);
        MULADD(a01, u0, v);
        MULADD(a11, u1, v);
        v = wasm_v128_load(w2 + g);
        MULADD(a02, u0, v);
        MULADD(a12, u1, v);
        v = wasm_v128_load(w3 + g);
        MULADD(a03, u0, v);
        MULADD(a13, u1, v);
      }
      for (; g < G; g++) {
        /* one element in lane 0, zeros in the others (which then add exact zeros) */
        const v128_t u0 = wasm_v128_load32_zero(d0 + g), u1 = wasm_v128_load32_zero(d1 + g);
        v128_t v = wasm_v128_load32_zero(w0 + g);
        MULADD(a00, u0, v);
        MULADD(a10, u1, v);
        v = wasm_v128_load32_zero(w1 + g);
        MULADD(a01, u0, v);
        MULADD(a11, u1, v);
        v = wasm_v128_load32_zero(w2 + g);
        MULADD(a02, u0, v);
        MULADD(a12, u1, v);
        v = wasm_v128_load32_zero(w3 + g);
        MULADD(a03, u0, v);
        MULADD(a13, u1, v);
      }
      float *c0 = carry + b * H + k;
      const v128_t r0 = hsum4(a00, a01, a02, a03), r1 = hsum4(a10, a11, a12, a13);
      store_lanes(c0, add ? wasm_f32x4_add(load_lanes(c0, c), r0) : r0, c);
      if (two) store_lanes(c0 + H, add ? wasm_f32x4_add(load_lanes(c0 + H, c), r1) : r1, c);
    }
  }
}

/* Adds (first: stores) a tile row's lanes: lo (4 lanes, or lane 0 at width 1), hi (width 8). */
INLINE void loop_accumulate(float *p, v128_t lo, v128_t hi, u32 width, int first) {
  const int one = width == 1;
  store(p, first ? lo : wasm_f32x4_add(load(p, one), lo), one);
  if (width == 8) wasm_v128_store(p + 4, first ? hi : wasm_f32x4_add(wasm_v128_load(p + 4), hi));
}

/* Rows k..k+c−1 of ∂W, columns col.. (width 8, 4 or 1), summed over the step's B rows: see below. */
INLINE void loop_weight_tile(const float *hp, const float *d, float *dw, u32 B, u32 H, u32 G, u32 k, u32 c,
                             u32 col, u32 width, int first) {
  const int one = width == 1;
  /* rows past c repeat row k: computed, never stored */
  const u32 j1 = c > 1 ? 1 : 0, j2 = c > 2 ? 2 : 0, j3 = c > 3 ? 3 : 0;
  v128_t a00 = wasm_f32x4_splat(0.0f), a10 = a00, a20 = a00, a30 = a00;
  v128_t a01 = a00, a11 = a00, a21 = a00, a31 = a00;
  for (u32 b = 0; b < B; b++) {
    const float *hr = hp + b * H + k, *dr = d + b * G + col;
    const v128_t v0 = load(dr, one);
    const v128_t s0 = wasm_v128_load32_splat(hr), s1 = wasm_v128_load32_splat(hr + j1);
    const v128_t s2 = wasm_v128_load32_splat(hr + j2), s3 = wasm_v128_load32_splat(hr + j3);
    MULADD(a00, s0, v0);
    MULADD(a10, s1, v0);
    MULADD(a20, s2, v0);
    MULADD(a30, s3, v0);
    if (width == 8) {
      const v128_t v1 = wasm_v128_load(dr + 4);
      MULADD(a01, s0, v1);
      MULADD(a11, s1, v1);
      MULADD(a21, s2, v1);
      MULADD(a31, s3, v1);
    }
  }
  float *p = dw + k * G + col;
  loop_accumulate(p, a00, a01, width, first);
  if (c > 1) loop_accumulate(p + G, a10, a11, width, first);
  if (c > 2) loop_accumulate(p + 2 * G, a20, a21, width, first);
  if (c > 3) loop_accumulate(p + 3 * G, a30, a31, width, first);
}

/*
 * ∂W [H, G] += h̃_{t−1}ᵀ δR_t over one step's B rows (first: stored), for the rows [k0, k1) of ∂W: hp [B, H],
 * d [B, G]. Four rows of ∂W by eight columns at a time, h̃'s four values splat, δR's rows loaded.
 */
INLINE void loop_weight_rows(const float *hp, const float *d, float *dw, u32 B, u32 H, u32 G, int first, u32 k0,
                             u32 k1) {
  for (u32 k = k0; k < k1; k += 4) {
    const u32 c = min_u32(k1 - k, 4);
    u32 col = 0;
    for (; col + 8 <= G; col += 8) loop_weight_tile(hp, d, dw, B, H, G, k, c, col, 8, first);
    for (; col + 4 <= G; col += 4) loop_weight_tile(hp, d, dw, B, H, G, k, c, col, 4, first);
    for (; col < G; col++) loop_weight_tile(hp, d, dw, B, H, G, k, c, col, 1, first);
  }
}

/* ∂b [G] += Σ_b δR_t[b, :] over one step's B rows (first: stored). */
INLINE void loop_bias_step(const float *d, float *db, u32 B, u32 G, int first) {
  for (u32 g = 0; g < G;) {
    const int one = g + 4 > G;
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (u32 b = 0; b < B; b++) acc = wasm_f32x4_add(acc, load(d + b * G + g, one));
    store(db + g, first ? acc : wasm_f32x4_add(load(db + g, one), acc), one);
    g += one ? 1 : 4;
  }
}

/*
 * After a forward step on lanes j of row n (batch row b of the step): with probes, h̃ = h + z^h into hc and
 * c̃ = c + z^c in place in cs (LSTM); the last step also writes the final carried state.
 */
INLINE void loop_carry(const float *out, const float *zh, float *hc, float *h_last, float *cs, const float *zc,
                       float *c_last, u32 n, u32 b, u32 H, u32 j, int last, int one) {
  const u32 at = n * H + j, s = b * H + j;
  v128_t h = load(out + at, one);
  if (zh) {
    h = wasm_f32x4_add(h, load(zh + at, one));
    store(hc + at, h, one);
  }
  if (last) store(h_last + s, h, one);
  if (cs) {
    v128_t c = load(cs + at, one);
    if (zh) {
      c = wasm_f32x4_add(c, load(zc + at, one));
      store(cs + at, c, one);
    }
    if (last) store(c_last + s, c, one);
  }
}

/*
 * The forward loops run a row's last, partial group of 4 columns as the 4 columns ending at H (H ≥ 4): the
 * columns it shares with the group before are computed again from the same inputs, to the same values, and
 * stored again (a step reads only the previous step's rows), instead of one lane at a time.
 */

/*
 * Threads (src/kernels/simd/kernel-threads.ts): the batch rows of a window are independent of each other
 * through all T steps, forward and backward (row b's h_t, c_t and ∂L/∂h̃_t depend on row b alone); only ∂W
 * sums over them. So each loop below is a `_rows` function over the batch rows [lo, hi), which threads run
 * on disjoint rows, and the backward's ∂W (and the GRU's ∂b_hh) is a second kernel, layer_recurrent_grad,
 * over rows of ∂W, which runs after every row's δR_t is known. Every element is computed by the same
 * operations in the same order whichever rows a part holds, so any split gives the results of one call.
 */

/*
 * LSTM forward over T steps, batch rows [lo, hi). x [T·B, 4H]; w [H, 4H]; h0, c0 [B, H]; zh, zc [T·B, H] or 0
 * (no probes); writes out (h_t), cs (c̃_t) [T·B, H], saved [T·B, 5H], hc (h̃_t, probed only) [T·B, H], h_last,
 * c_last [B, H].
 *
 * Each step in two passes over its rows: the recurrent products R_t into saved's gate blocks (i | f | g | o,
 * where the gates go), then the pointwise step over them in place. Run tile by tile instead, each tile's
 * σ/tanh chains wait on its products and the next tile's products on them; apart, the pointwise pass is a
 * loop of independent lanes (0.81–0.83× the time of the forward at the copy task's shape, same bits). The
 * pointwise pass takes a row's tail one lane at a time (not the products' overlapping last group of 4,
 * which would read lanes it has already overwritten).
 */
NOINLINE void lstm_layer_forward_rows(const float *x, const float *w, const float *h0, const float *c0,
                                    const float *zh, const float *zc, float *out, float *cs, float *saved, float *hc,
                                    float *h_last, float *c_last, u32 T, u32 B, u32 H, u32 lo, u32 hi) {
  const u32 G = 4 * H, S = 5 * H, size = B * H;
  const float *hseq = zh ? hc : out;
  for (u32 t = 0; t < T; t++) {
    const float *hp = t ? hseq + (t - 1) * size : h0;
    const float *cp = t ? cs + (t - 1) * size : c0;
    const int last = t + 1 == T;
    for (u32 b = lo; b < hi; b += 2) {
      const int two = b + 1 < hi;
      const float *hp0 = hp + b * H, *hp1 = two ? hp0 + H : hp0;
      float *s0 = saved + (t * B + b) * S, *s1 = s0 + S;
      for (u32 next = 0; next < H;) {
        const int one = H < 4;
        const u32 j = one || next + 4 <= H ? next : H - 4;
        const loop_tile r = loop_forward_tile(hp0, hp1, w, H, G, j, H, 4, one);
        for (u32 q = 0; q < 4; q++) {
          store(s0 + q * H + j, r.v[0][q], one);
          if (two) store(s1 + q * H + j, r.v[1][q], one);
        }
        next = one ? next + 1 : j + 4;
      }
    }
    for (u32 b = lo; b < hi; b++) {
      const u32 n = t * B + b;
      float *sv = saved + n * S;
      for (u32 j = 0; j < H;) {
        const int one = j + 4 > H;
        const u32 s = b * H + j;
        lstm_fwd_lanes(x + n * G + j, sv + j, cp + s, out + n * H + j, cs + n * H + j, sv + j, H, one);
        loop_carry(out, zh, hc, h_last, cs, zc, c_last, n, b, H, j, last, one);
        j += one ? 1 : 4;
      }
    }
  }
}

/*
 * LSTM backward over T steps, t = T−1 … 0, batch rows [lo, hi). dout [T·B, H]; saved [T·B, 5H]; cs (c̃)
 * [T·B, H]; c0 [B, H]; w [H, 4H]. carry_h, carry_c [B, H]: in ∂L/∂h̃_{T−1}, ∂L/∂c̃_{T−1}; out ∂L/∂h_{−1},
 * ∂L/∂c_{−1}. Writes dzh, dzc [T·B, H] (the probes' gradients, when not 0) and din [T·B, 4H] (= δR); ∂W is
 * layer_recurrent_grad's.
 */
NOINLINE void lstm_layer_backward_rows_range(const float *dout, const float *saved, const float *cs, const float *c0,
                                           const float *w, float *carry_h, float *carry_c, float *dzh, float *dzc,
                                           float *din, u32 T, u32 B, u32 H, u32 lo, u32 hi) {
  const u32 G = 4 * H, size = B * H;
  for (u32 t = T; t-- > 0;) {
    const float *cp = t ? cs + (t - 1) * size : c0;
    for (u32 b = lo; b < hi; b++) {
      const u32 n = t * B + b;
      for (u32 j = 0; j < H;) {
        const int one = j + 4 > H;
        const u32 s = b * H + j;
        if (dzh) {
          store(dzh + n * H + j, load(carry_h + s, one), one);
          store(dzc + n * H + j, load(carry_c + s, one), one);
        }
        float *d = din + n * G + j;
        lstm_bwd_lanes(dout + n * H + j, carry_h + s, carry_c + s, saved + n * 5 * H + j, cp + s, d, d, H, one);
        j += one ? 1 : 4;
      }
    }
    loop_backward_product(din + (t * B + lo) * G, w, carry_h + lo * H, hi - lo, H, G, 1);
  }
}

/*
 * GRU forward over T steps, batch rows [lo, hi). x [T·B, 3H]; w [H, 3H]; bias b_hh [3H] (added to the recurrent
 * product); h0 [B, H]; zh [T·B, H] or 0; writes out, hc (probed only) [T·B, H], saved [T·B, 4H], h_last [B, H].
 *
 * In two passes per step, as the LSTM's: R_t + b_hh into saved's r | z | n blocks, then the pointwise step in
 * place (which leaves R_n + b_n in the fourth block, where it is kept).
 */
NOINLINE void gru_layer_forward_rows(const float *x, const float *w, const float *bias, const float *h0,
                                   const float *zh, float *out, float *saved, float *hc, float *h_last, u32 T, u32 B,
                                   u32 H, u32 lo, u32 hi) {
  const u32 G = 3 * H, S = 4 * H, size = B * H;
  const float *hseq = zh ? hc : out;
  for (u32 t = 0; t < T; t++) {
    const float *hp = t ? hseq + (t - 1) * size : h0;
    const int last = t + 1 == T;
    for (u32 b = lo; b < hi; b += 2) {
      const int two = b + 1 < hi;
      const float *hp0 = hp + b * H, *hp1 = two ? hp0 + H : hp0;
      float *s0 = saved + (t * B + b) * S, *s1 = s0 + S;
      for (u32 next = 0; next < H;) {
        const int one = H < 4;
        const u32 j = one || next + 4 <= H ? next : H - 4;
        const loop_tile r = loop_forward_tile(hp0, hp1, w, H, G, j, H, 3, one);
        for (u32 q = 0; q < 3; q++) {
          const v128_t bq = load(bias + q * H + j, one);
          store(s0 + q * H + j, wasm_f32x4_add(r.v[0][q], bq), one);
          if (two) store(s1 + q * H + j, wasm_f32x4_add(r.v[1][q], bq), one);
        }
        next = one ? next + 1 : j + 4;
      }
    }
    for (u32 b = lo; b < hi; b++) {
      const u32 n = t * B + b;
      float *sv = saved + n * S;
      for (u32 j = 0; j < H;) {
        const int one = j + 4 > H;
        gru_fwd_lanes(x + n * G + j, sv + j, hp + b * H + j, out + n * H + j, sv + j, H, one);
        loop_carry(out, zh, hc, h_last, 0, 0, 0, n, b, H, j, last, one);
        j += one ? 1 : 4;
      }
    }
  }
}

/*
 * GRU backward over T steps, batch rows [lo, hi). dout [T·B, H]; saved [T·B, 4H]; hseq (h̃) [T·B, H]; h0 [B, H];
 * w [H, 3H]; carry [B, H] in ∂L/∂h̃_{T−1}, out ∂L/∂h_{−1}. Writes dzh [T·B, H] (when not 0), din [T·B, 3H] and
 * dr (δR) [T·B, 3H]; ∂W and ∂b_hh are layer_recurrent_grad's (from dr).
 */
NOINLINE void gru_layer_backward_rows_range(const float *dout, const float *saved, const float *hseq, const float *h0,
                                          const float *w, float *carry, float *dzh, float *din, float *dr, u32 T,
                                          u32 B, u32 H, u32 lo, u32 hi) {
  const u32 G = 3 * H, size = B * H;
  for (u32 t = T; t-- > 0;) {
    const float *hp = t ? hseq + (t - 1) * size : h0;
    for (u32 b = lo; b < hi; b++) {
      const u32 n = t * B + b;
      for (u32 j = 0; j < H;) {
        const int one = j + 4 > H;
        const u32 s = b * H + j;
        if (dzh) store(dzh + n * H + j, load(carry + s, one), one);
        gru_bwd_lanes(dout + n * H + j, carry + s, saved + n * 4 * H + j, hp + s, din + n * G + j, dr + n * G + j,
                      H, one);
        j += one ? 1 : 4;
      }
    }
    loop_backward_product(dr + (t * B + lo) * G, w, carry + lo * H, hi - lo, H, G, 1);
  }
}

/* h_t = φ(X_t + R_t) for one row's vectors of a tile (`groups` of them, 4 columns apart). */
INLINE void rnn_loop_row(const float *x, float *out, v128_t r0, v128_t r1, v128_t r2, v128_t r3, u32 groups,
                         u32 relu, int one) {
  store(out, rnn_phi(wasm_f32x4_add(load(x, one), r0), relu), one);
  if (groups < 4) return;
  store(out + 4, rnn_phi(wasm_f32x4_add(wasm_v128_load(x + 4), r1), relu), 0);
  store(out + 8, rnn_phi(wasm_f32x4_add(wasm_v128_load(x + 8), r2), relu), 0);
  store(out + 12, rnn_phi(wasm_f32x4_add(wasm_v128_load(x + 12), r3), relu), 0);
}

/* One tile of an RNN forward step: rows n, n + 1 (two), columns j.. (groups vectors of 4 lanes, or one lane). */
INLINE void rnn_loop_tile(const float *x, const float *hp0, const float *hp1, const float *w, const float *zh,
                          float *out, float *hc, float *h_last, u32 n, u32 b, u32 H, u32 j, u32 groups, int two,
                          int last, u32 relu, int one) {
  const loop_tile r = loop_forward_tile(hp0, hp1, w, H, H, j, 4, groups, one);
  rnn_loop_row(x + n * H + j, out + n * H + j, r.v[0][0], r.v[0][1], r.v[0][2], r.v[0][3], groups, relu, one);
  if (two) {
    rnn_loop_row(x + (n + 1) * H + j, out + (n + 1) * H + j, r.v[1][0], r.v[1][1], r.v[1][2], r.v[1][3], groups,
                 relu, one);
  }
  for (u32 q = 0; q < groups; q++) {
    loop_carry(out, zh, hc, h_last, 0, 0, 0, n, b, H, j + 4 * q, last, one);
    if (two) loop_carry(out, zh, hc, h_last, 0, 0, 0, n + 1, b + 1, H, j + 4 * q, last, one);
  }
}

/*
 * Elman RNN forward over T steps (relu: φ = relu, else tanh), batch rows [lo, hi). x [T·B, H]; w [H, H];
 * h0 [B, H]; zh [T·B, H] or 0; writes out, hc (probed only) [T·B, H], h_last [B, H]. Tiles of 16 columns,
 * then 4, then 1.
 */
NOINLINE void rnn_layer_forward_rows(const float *x, const float *w, const float *h0, const float *zh, float *out,
                                   float *hc, float *h_last, u32 T, u32 B, u32 H, u32 relu, u32 lo, u32 hi) {
  const u32 size = B * H;
  const float *hseq = zh ? hc : out;
  for (u32 t = 0; t < T; t++) {
    const float *hp = t ? hseq + (t - 1) * size : h0;
    const int last = t + 1 == T;
    for (u32 b = lo; b < hi; b += 2) {
      const int two = b + 1 < hi;
      const float *hp0 = hp + b * H, *hp1 = two ? hp0 + H : hp0;
      const u32 n = t * B + b;
#define RNN_TILE(groups, one) \
  rnn_loop_tile(x, hp0, hp1, w, zh, out, hc, h_last, n, b, H, j, groups, two, last, relu, one)
      u32 j = 0;
      for (; j + 16 <= H; j += 16) RNN_TILE(4, 0);
      for (; j + 4 <= H; j += 4) RNN_TILE(1, 0);
      if (j < H && H >= 4) {
        j = H - 4;
        RNN_TILE(1, 0);
      }
      for (; j < H; j++) RNN_TILE(1, 1);
#undef RNN_TILE
    }
  }
}

/*
 * Elman RNN backward over T steps, batch rows [lo, hi). dout, out (h_t, for φ′) [T·B, H]; w [H, H]; carry
 * [B, H] in ∂L/∂h̃_{T−1}, out ∂L/∂h_{−1}. Writes dzh [T·B, H] (when not 0) and din (= δR) [T·B, H]; ∂W is
 * layer_recurrent_grad's.
 */
NOINLINE void rnn_layer_backward_rows_range(const float *dout, const float *out, const float *w, float *carry,
                                          float *dzh, float *din, u32 T, u32 B, u32 H, u32 relu, u32 lo, u32 hi) {
  const u32 size = B * H;
  for (u32 t = T; t-- > 0;) {
    for (u32 b = lo; b < hi; b++) {
      const u32 n = t * B + b;
      for (u32 j = 0; j < H;) {
        const int one = j + 4 > H;
        const u32 s = b * H + j, at = n * H + j;
        const v128_t ch = load(carry + s, one);
        if (dzh) store(dzh + at, ch, one);
        store(din + at, rnn_delta(wasm_f32x4_add(load(dout + at, one), ch), load(out + at, one), relu), one);
        store(carry + s, wasm_f32x4_splat(0.0f), one);
        j += one ? 1 : 4;
      }
    }
    loop_backward_product(din + (t * B + lo) * H, w, carry + lo * H, hi - lo, H, H, 1);
  }
}

/*
 * The recurrent weights' gradient of a window, rows [k0, k1) of ∂W [H, G]: ∂W = Σ_t h̃_{t−1}ᵀ δR_t, summed step
 * by step from t = T−1 down (as the steps' δR_t become known in the backward loops) over each step's B rows;
 * hseq (h̃) [T·B, H]; h0 [B, H] (h̃_{−1}); d (δR) [T·B, G]. db (the GRU's ∂b_hh [G] = Σ_t Σ_b δR_t[b, :]), when not
 * 0, in the part that holds row 0.
 */
NOINLINE void layer_recurrent_grad_rows(const float *hseq, const float *h0, const float *d, float *dw, float *db,
                                      u32 T, u32 B, u32 H, u32 G, u32 k0, u32 k1) {
  const u32 size = B * H;
  for (u32 t = T; t-- > 0;) {
    const float *hp = t ? hseq + (t - 1) * size : h0;
    loop_weight_rows(hp, d + t * B * G, dw, B, H, G, t + 1 == T, k0, k1);
    if (db && k0 == 0) loop_bias_step(d + t * B * G, db, B, G, t + 1 == T);
  }
}

/*
 * Each loop as a whole call (`<name>`, all rows) and a part of one (`<name>_part`: the same arguments, then
 * the rows [lo, hi): batch rows for the loops, rows of ∂W for layer_recurrent_grad).
 */

EXPORT(lstm_layer_forward)
void lstm_layer_forward(const float *x, const float *w, const float *h0, const float *c0, const float *zh,
                        const float *zc, float *out, float *cs, float *saved, float *hc, float *h_last,
                        float *c_last, u32 T, u32 B, u32 H) {
  lstm_layer_forward_rows(x, w, h0, c0, zh, zc, out, cs, saved, hc, h_last, c_last, T, B, H, 0, B);
}

EXPORT(lstm_layer_forward_part)
void lstm_layer_forward_part(const float *x, const float *w, const float *h0, const float *c0, const float *zh,
                             const float *zc, float *out, float *cs, float *saved, float *hc, float *h_last,
                             float *c_last, u32 T, u32 B, u32 H, u32 lo, u32 hi) {
  lstm_layer_forward_rows(x, w, h0, c0, zh, zc, out, cs, saved, hc, h_last, c_last, T, B, H, lo, hi);
}

EXPORT(lstm_layer_backward_rows)
void lstm_layer_backward_rows(const float *dout, const float *saved, const float *cs, const float *c0,
                              const float *w, float *carry_h, float *carry_c, float *dzh, float *dzc, float *din,
                              u32 T, u32 B, u32 H) {
  lstm_layer_backward_rows_range(dout, saved, cs, c0, w, carry_h, carry_c, dzh, dzc, din, T, B, H, 0, B);
}

EXPORT(lstm_layer_backward_rows_part)
void lstm_layer_backward_rows_part(const float *dout, const float *saved, const float *cs, const float *c0,
                                   const float *w, float *carry_h, float *carry_c, float *dzh, float *dzc,
                                   float *din, u32 T, u32 B, u32 H, u32 lo, u32 hi) {
  lstm_layer_backward_rows_range(dout, saved, cs, c0, w, carry_h, carry_c, dzh, dzc, din, T, B, H, lo, hi);
}

EXPORT(gru_layer_forward)
void gru_layer_forward(const float *x, const float *w, const float *bias, const float *h0, const float *zh,
                       float *out, float *saved, float *hc, float *h_last, u32 T, u32 B, u32 H) {
  gru_layer_forward_rows(x, w, bias, h0, zh, out, saved, hc, h_last, T, B, H, 0, B);
}

EXPORT(gru_layer_forward_part)
void gru_layer_forward_part(const float *x, const float *w, const float *bias, const float *h0, const float *zh,
                            float *out, float *saved, float *hc, float *h_last, u32 T, u32 B, u32 H, u32 lo,
                            u32 hi) {
  gru_layer_forward_rows(x, w, bias, h0, zh, out, saved, hc, h_last, T, B, H, lo, hi);
}

EXPORT(gru_layer_backward_rows)
void gru_layer_backward_rows(const float *dout, const float *saved, const float *hseq, const float *h0,
                             const float *w, float *carry, float *dzh, float *din, float *dr, u32 T, u32 B, u32 H) {
  gru_layer_backward_rows_range(dout, saved, hseq, h0, w, carry, dzh, din, dr, T, B, H, 0, B);
}

EXPORT(gru_layer_backward_rows_part)
void gru_layer_backward_rows_part(const float *dout, const float *saved, const float *hseq, const float *h0,
                                  const float *w, float *carry, float *dzh, float *din, float *dr, u32 T, u32 B,
                                  u32 H, u32 lo, u32 hi) {
  gru_layer_backward_rows_range(dout, saved, hseq, h0, w, carry, dzh, din, dr, T, B, H, lo, hi);
}

EXPORT(rnn_layer_forward)
void rnn_layer_forward(const float *x, const float *w, const float *h0, const float *zh, float *out, float *hc,
                       float *h_last, u32 T, u32 B, u32 H, u32 relu) {
  rnn_layer_forward_rows(x, w, h0, zh, out, hc, h_last, T, B, H, relu, 0, B);
}

EXPORT(rnn_layer_forward_part)
void rnn_layer_forward_part(const float *x, const float *w, const float *h0, const float *zh, float *out,
                            float *hc, float *h_last, u32 T, u32 B, u32 H, u32 relu, u32 lo, u32 hi) {
  rnn_layer_forward_rows(x, w, h0, zh, out, hc, h_last, T, B, H, relu, lo, hi);
}

EXPORT(rnn_layer_backward_rows)
void rnn_layer_backward_rows(const float *dout, const float *out, const float *w, float *carry, float *dzh,
                             float *din, u32 T, u32 B, u32 H, u32 relu) {
  rnn_layer_backward_rows_range(dout, out, w, carry, dzh, din, T, B, H, relu, 0, B);
}

EXPORT(rnn_layer_backward_rows_part)
void rnn_layer_backward_rows_part(const float *dout, const float *out, const float *w, float *carry, float *dzh,
                                  float *din, u32 T, u32 B, u32 H, u32 relu, u32 lo, u32 hi) {
  rnn_layer_backward_rows_range(dout, out, w, carry, dzh, din, T, B, H, relu, lo, hi);
}

EXPORT(layer_recurrent_grad)
void layer_recurrent_grad(const float *hseq, const float *h0, const float *d, float *dw, float *db, u32 T, u32 B,
                          u32 H, u32 G) {
  layer_recurrent_grad_rows(hseq, h0, d, dw, db, T, B, H, G, 0, H);
}

EXPORT(layer_recurrent_grad_part)
void layer_recurrent_grad_part(const float *hseq, const float *h0, const float *d, float *dw, float *db, u32 T,
                               u32 B, u32 H, u32 G, u32 lo, u32 hi) {
  layer_recurrent_grad_rows(hseq, h0, d, dw, db, T, B, H, G, lo, hi);
}

/*
 * The input projection of a layer, X [N, G] = x [N, K] · Wᵀ_ih + b (wt = W_ihᵀ [K, G]), with the products of the
 * loops above: two rows of x against 16 columns of Wᵀ at a time (then 4, then 1), x's values splat. At the copy
 * task's first layer (K = 6) a dot-product kernel spends its time on sums across lanes; this one has none.
 */
EXPORT(layer_input_forward)
void layer_input_forward(const float *x, const float *wt, const float *bias, float *out, u32 N, u32 K, u32 G) {
  for (u32 n = 0; n < N; n += 2) {
    const int two = n + 1 < N;
    const float *x0 = x + n * K, *x1 = two ? x0 + K : x0;
    float *o0 = out + n * G, *o1 = o0 + G;
    u32 col = 0;
    for (; col + 16 <= G; col += 16) {
      const loop_tile r = loop_forward_tile(x0, x1, wt, K, G, col, 4, 4, 0);
      for (u32 q = 0; q < 4; q++) {
        const v128_t b = wasm_v128_load(bias + col + 4 * q);
        wasm_v128_store(o0 + col + 4 * q, wasm_f32x4_add(r.v[0][q], b));
        if (two) wasm_v128_store(o1 + col + 4 * q, wasm_f32x4_add(r.v[1][q], b));
      }
    }
    for (; col < G;) {
      const int one = col + 4 > G;
      const loop_tile r = loop_forward_tile(x0, x1, wt, K, G, col, 4, 1, one);
      const v128_t b = load(bias + col, one);
      store(o0 + col, wasm_f32x4_add(r.v[0][0], b), one);
      if (two) store(o1 + col, wasm_f32x4_add(r.v[1][0], b), one);
      col += one ? 1 : 4;
    }
  }
}

/* Rows [lo, hi) of X (an even lo keeps the pairs of rows of the whole call). */
EXPORT(layer_input_forward_part)
void layer_input_forward_part(const float *x, const float *wt, const float *bias, float *out, u32 N, u32 K, u32 G,
                              u32 lo, u32 hi) {
  (void)N;
  layer_input_forward(x + (u64)lo * K, wt, bias, out + (u64)lo * G, hi - lo, K, G);
}

/* Rows per block of the input projection's ∂Wᵀ: 64 rows of δ (G = 200: 51 KB) stay in cache for every tile. */
#define INPUT_BLOCK 64u

/*
 * The input projection's weight gradients for δ = ∂L/∂X [N, G], rows [k0, k1) of ∂Wᵀ [K, G] = xᵀ δ, and
 * (k0 = 0) ∂b [G] = Σ_n δ_n, summed block by block of INPUT_BLOCK rows.
 */
NOINLINE void layer_input_weight_rows(const float *d, const float *x, float *dwt, float *db, u32 N, u32 K, u32 G,
                                    u32 k0, u32 k1) {
  /* N = 0: one empty block, so that ∂Wᵀ and ∂b are stored (as zeros) */
  for (u32 nb = 0;; nb += INPUT_BLOCK) {
    const u32 rows = min_u32(N - nb, INPUT_BLOCK);
    loop_weight_rows(x + nb * K, d + nb * G, dwt, rows, K, G, nb == 0, k0, k1);
    if (k0 == 0) loop_bias_step(d + nb * G, db, rows, G, nb == 0);
    if (nb + INPUT_BLOCK >= N) break;
  }
}

/* ∂Wᵀ and ∂b, all rows; rows [lo, hi) of ∂Wᵀ (and ∂b in the part with row 0). */
EXPORT(layer_input_grad_weight)
void layer_input_grad_weight(const float *d, const float *x, float *dwt, float *db, u32 N, u32 K, u32 G) {
  layer_input_weight_rows(d, x, dwt, db, N, K, G, 0, K);
}

EXPORT(layer_input_grad_weight_part)
void layer_input_grad_weight_part(const float *d, const float *x, float *dwt, float *db, u32 N, u32 K, u32 G, u32 lo,
                                  u32 hi) {
  layer_input_weight_rows(d, x, dwt, db, N, K, G, lo, hi);
}

/* dx [N, K] = δ W_ih (dot products of δ's rows with Wᵀ's rows); rows [lo, hi) of dx. */
EXPORT(layer_input_grad_input)
void layer_input_grad_input(const float *d, const float *wt, float *dx, u32 N, u32 K, u32 G) {
  loop_backward_product(d, wt, dx, N, K, G, 0);
}

EXPORT(layer_input_grad_input_part)
void layer_input_grad_input_part(const float *d, const float *wt, float *dx, u32 N, u32 K, u32 G, u32 lo, u32 hi) {
  (void)N;
  loop_backward_product(d + (u64)lo * G, wt, dx + (u64)lo * K, hi - lo, K, G, 0);
}
