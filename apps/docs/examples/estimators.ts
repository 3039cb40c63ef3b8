// @tbptt/estimators on plain numbers: a gradient-norm profile in, β̂, δ̂(K) and κ̂(δ) out. No tensors.
import { analyzeProfile, profileFromJson, profileToJson } from '@tbptt/estimators';

// An exactly geometric profile φ̂_k = β^k over W = 400 lags (β = 0.9): the sanity case of the method.
const window = 400;
const phi = Float64Array.from({ length: window }, (_, k) => 0.9 ** k);
const analysis = analyzeProfile({ phi, samples: 64, averaging: 'norm' }, { estimator: 'ols' });

console.log(`β̂ = ${analysis.beta.toFixed(4)}`); // the fitted decay rate: 0.9000
for (const K of [1, 7, 22]) console.log(`δ̂(${K}) = ${analysis.relativeBias[K - 1]!.toFixed(4)}`); // ≈ β^K
for (const delta of [0.5, 0.1]) {
  // κ̂(δ) = min{K : δ̂(K) < δ} = ⌈ln δ / ln β⌉ here: 7 for δ = 0.5, 22 for δ = 0.1.
  console.log(`κ̂(${delta}) = ${analysis.truncationFor(delta, { kmin: 1, kmax: window })}`);
}

// Profiles are plain data: save them as JSON and analyse them later or elsewhere.
const json = JSON.stringify(profileToJson({ phi, samples: 64, averaging: 'norm' }));
const again = analyzeProfile(profileFromJson(JSON.parse(json)));
console.log(`from JSON: κ̂(0.1) = ${again.truncationFor(0.1, { kmin: 1, kmax: window })}`);
