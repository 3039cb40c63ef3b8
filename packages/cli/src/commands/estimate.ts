import {
  analyzeProfile,
  type GradientNormProfile,
  profileFromJson,
  ZeroProfileError,
} from '@tbptt/estimators';
import { UsageError } from '../errors';
import { delta, integer, listOf, oneOf } from '../options/flag-values';
import { readJsonFile } from './train';

/**
 * Reads a profile: the estimators' JSON form, a profile.json written by `train` / `diagnose` (its `total`),
 * or a bare JSON array of φ̂_k (measured by another tool; taken as one sample, norm averaging).
 */
export function readProfileFile(file: string, flag = '--profile'): GradientNormProfile {
  const data = readJsonFile(file, flag);
  try {
    if (Array.isArray(data)) {
      return profileFromJson({ version: 1, phi: data, samples: 1, averaging: 'norm', window: data.length });
    }
    if (data !== null && typeof data === 'object' && 'total' in data)
      return profileFromJson((data as { total: unknown }).total);
    return profileFromJson(data);
  } catch (error) {
    throw new UsageError(`${flag} ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** `tbptt estimate`: κ̂(δ) for each δ from a saved profile. */
export async function estimateCommand(opts: Record<string, unknown>): Promise<number> {
  const deltas = listOf(delta)(opts.delta, '--delta');
  const estimator = oneOf(['ols', 'max', 'quantile'])(opts.estimator, '--estimator');
  const kmin = integer(1)(opts.kmin, '--kmin');
  const kmaxFlag = opts.kmax === undefined ? undefined : integer(1)(opts.kmax, '--kmax');
  if (kmaxFlag !== undefined && kmin > kmaxFlag) {
    throw new UsageError(
      `--kmin (${kmin}) must not exceed --kmax (${kmaxFlag}); swap them or widen the range`,
    );
  }
  const profile = readProfileFile(String(opts.profile));
  const window = profile.phi.length;
  const kmax = kmaxFlag ?? window;
  if (kmin > kmax)
    throw new UsageError(`--kmin (${kmin}) must not exceed --kmax (${kmax}); swap them or widen the range`);
  const tau = opts.tau === undefined ? undefined : integer(0)(opts.tau, '--tau');
  if (tau !== undefined && tau > window - 1)
    throw new UsageError(`--tau must be at most W − 1 = ${window - 1}, got ${tau}`);
  let analysis: ReturnType<typeof analyzeProfile>;
  try {
    analysis = analyzeProfile(profile, { estimator, ...(tau === undefined ? {} : { tau }) });
  } catch (error) {
    if (error instanceof ZeroProfileError)
      throw new UsageError(
        `--profile ${String(opts.profile)}: the profile is 0 at every lag (no gradient signal); nothing to estimate`,
      );
    throw new UsageError(`--profile ${String(opts.profile)}: ${(error as Error).message.split('\n')[0]}`);
  }
  const truncations = deltas.map((d) => ({ delta: d, K: analysis.truncationFor(d, { kmin, kmax }) }));
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ beta: analysis.beta, tau: analysis.tau, window, estimator, truncations })}\n`,
    );
  } else {
    process.stdout.write(
      `profile ${String(opts.profile)}: W ${window}, τ ${analysis.tau}, ${estimator} β̂ = ${analysis.beta.toFixed(6)}\n`,
    );
    for (const t of truncations) {
      process.stdout.write(
        `δ = ${t.delta}: κ̂ = ${t.K}   (δ̂(${t.K}) = ${analysis.relativeBias[Math.min(t.K, window) - 1]!.toPrecision(4)})\n`,
      );
    }
  }
  return 0;
}
