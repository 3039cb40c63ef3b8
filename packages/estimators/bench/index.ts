/**
 * Time to analyse a W = 1,000 gradient-norm profile and choose κ̂ for 10 values of δ, per estimator.
 * Run: npm run bench -w @tbptt/estimators
 */
import { performance } from 'node:perf_hooks';
import { analyzeProfile, type DecayEstimator } from '../src/index.js';

const window = 1000;
const deltas = [0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005, 0.001];

// A realistic profile: a fast transient, then geometric decay at β = 0.97 with multiplicative noise.
let seed = 12345;
const uniform = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const phi = Float64Array.from(
  { length: window },
  (_, k) => (2 * Math.exp(-k / 3) + 0.97 ** k) * Math.exp(0.2 * (uniform() - 0.5)),
);
const profile = { phi, samples: 64, averaging: 'norm' as const };

function medianMs(run: () => void, repeats: number): number {
  for (let i = 0; i < 50; i++) run(); // warm-up: let the JIT compile
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

console.log(`analyzeProfile, W = ${window}, ${deltas.length} values of δ (median of 500 runs)`);
for (const estimator of ['ols', 'max', 'quantile'] as DecayEstimator[]) {
  let ks: number[] = [];
  const ms = medianMs(() => {
    ks = analyzeProfile(profile, { estimator }).truncationsFor(deltas, { kmin: 1, kmax: window });
  }, 500);
  console.log(`  ${estimator.padEnd(8)} ${(ms * 1000).toFixed(1).padStart(7)} µs   κ̂ = ${ks.join(', ')}`);
}
