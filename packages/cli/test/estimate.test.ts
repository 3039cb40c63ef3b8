import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tbptt, tempDir } from './helpers';

describe('tbptt estimate', () => {
  // φ_k = 0.9^k over W = 400 lags: δ̂(K) ≈ 0.9^K, so κ̂(δ) = ⌈ln δ / ln 0.9⌉ (ARCHITECTURE §1's sanity case).
  const dir = tempDir('estimate');
  const bare = join(dir, 'norms.json');
  writeFileSync(bare, JSON.stringify(Array.from({ length: 400 }, (_, k) => 0.9 ** k)));
  const versioned = join(dir, 'profile.json');
  writeFileSync(
    versioned,
    JSON.stringify({
      version: 1,
      phi: Array.from({ length: 400 }, (_, k) => 0.9 ** k),
      samples: 64,
      averaging: 'norm',
      window: 400,
    }),
  );

  it('gives κ̂ = 22 for δ = 0.1 and 7 for δ = 0.5 on a geometric profile (text)', () => {
    const r = tbptt(['estimate', '--profile', bare, '--delta', '0.1,0.5', '--kmin', '1', '--kmax', '400']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/δ = 0\.1: κ̂ = 22\b/);
    expect(r.stdout).toMatch(/δ = 0\.5: κ̂ = 7\b/);
  });

  it('--json prints { beta, truncations } for a versioned profile file', () => {
    const r = tbptt([
      'estimate',
      '--profile',
      versioned,
      '--delta',
      '0.1,0.5',
      '--kmin',
      '1',
      '--kmax',
      '400',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.beta).toBeCloseTo(0.9, 10);
    expect(out.truncations).toEqual([
      { delta: 0.1, K: 22 },
      { delta: 0.5, K: 7 },
    ]);
    // The closed form the answer must match.
    for (const t of out.truncations) expect(t.K).toBe(Math.ceil(Math.log(t.delta) / Math.log(0.9)));
  });

  it('clamps to --kmin / --kmax', () => {
    const r = tbptt([
      'estimate',
      '--profile',
      bare,
      '--delta',
      '0.1,0.5',
      '--kmin',
      '10',
      '--kmax',
      '20',
      '--json',
    ]);
    expect(JSON.parse(r.stdout).truncations).toEqual([
      { delta: 0.1, K: 20 },
      { delta: 0.5, K: 10 },
    ]);
  });
});
