import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeComponents, analyzeProfile, profileToJson } from '@tbptt/estimators';
import { buildModel, buildTask, modelSpec, useBackend } from '../engine/build-run';
import { loadRun, measureProfile } from '../engine/model-tools';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-write';
import { checkNewRunDir } from '../io/out-dir';
import { oneOf } from '../options/flag-values';
import { bias } from '../progress/format';
import { lineChart, renderSvg } from '../report/vega-svg';
import { parseFlagValues, readRunConfig, resolveFromFlags } from './train';

const DELTAS = [0.9, 0.5, 0.1, 0.01];
const ESTIMATORS = ['ols', 'max', 'quantile'] as const;

/**
 * `tbptt diagnose`: the gradient-norm profile φ̂ at the current weights of a run (or of a fresh model), β̂ for
 * each estimator, δ̂(K), κ̂(δ) for δ ∈ {0.9, 0.5, 0.1, 0.01}, for the whole state and per component.
 */
export async function diagnoseCommand(
  dir: string | undefined,
  opts: Record<string, unknown>,
): Promise<number> {
  const which = oneOf(['best', 'last'])(opts.which, '--which');
  const flags = parseFlagValues(opts);
  const probe = { window: flags.window, burnIn: flags.burnIn, samples: flags.samples };
  const options =
    dir === undefined
      ? resolveFromFlags(
          {
            ...(opts.preset === undefined ? {} : { preset: String(opts.preset) }),
            ...(opts.config === undefined ? {} : { config: String(opts.config) }),
          },
          flags,
        )
      : {
          ...readRunConfig(dir, 'diagnose'),
          ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
          ...(flags.backend ? { backend: flags.backend } : {}),
        };
  const out =
    typeof opts.out === 'string' ? opts.out : dir === undefined ? 'diagnose' : join(dir, 'diagnose');
  checkNewRunDir(out, '--out');
  // The task first (plain arrays): --threads auto needs the model's size.
  const task = await buildTask(options);
  await useBackend(options, modelSpec(options, task));
  const loaded =
    dir === undefined ? { task, model: buildModel(options, task) } : await loadRun(dir, options, which, task);
  const synthetic = loaded.task.kind === 'synthetic';
  const pointProcess = loaded.task.kind === 'point-process';
  const window = probe.window ?? options.window ?? (synthetic ? 100 : pointProcess ? 200 : 400);
  const burnIn = probe.burnIn ?? options.burnIn ?? (pointProcess ? 2 : Math.floor(window / 10));
  const samples = probe.samples ?? options.samples ?? 32;
  const profiles = measureProfile(loaded.model, loaded.task.train, {
    window,
    burnIn,
    samples,
    seed: options.seed,
  });
  loaded.model.dispose();
  const kmin = options.kmin ?? 1;
  const kmax = options.kmax ?? window;
  const estimators = ESTIMATORS.map((estimator) => {
    const a = analyzeProfile(profiles.total, { estimator });
    return {
      estimator,
      beta: a.beta,
      tau: a.tau,
      kappa: DELTAS.map((d) => ({ delta: d, K: a.truncationFor(d, { kmin, kmax }) })),
      relativeBias: Array.from(a.relativeBias),
    };
  });
  const components = analyzeComponents(profiles, { estimator: options.estimator ?? 'ols' }).components;
  const perComponent = Object.entries(components).map(([name, a]) => ({
    component: name,
    beta: a?.beta ?? null,
    kappa: a ? DELTAS.map((d) => ({ delta: d, K: a.truncationFor(d, { kmin, kmax }) })) : null,
  }));
  mkdirSync(out, { recursive: true });
  writeJsonAtomic(join(out, 'profile.json'), {
    version: 1,
    window,
    burnIn,
    samples,
    total: profileToJson(profiles.total),
    components: Object.fromEntries(
      Object.entries(profiles.components).map(([n, p]) => [
        n,
        p.phi.some((v) => v > 0) ? profileToJson(p) : null,
      ]),
    ),
  });
  const analysis = { window, burnIn, samples, kmin, kmax, estimators, components: perComponent };
  writeJsonAtomic(join(out, 'diagnose.json'), analysis);
  const phi = [
    ...Array.from(profiles.total.phi, (v, k) => ({ component: 'total', lag: k, phi: v })),
    ...Object.entries(profiles.components).flatMap(([name, p]) =>
      Array.from(p.phi, (v, k) => ({ component: name, lag: k, phi: v })),
    ),
  ].filter((p) => p.phi > 0);
  writeFileAtomic(
    join(out, 'profile.svg'),
    await renderSvg(
      lineChart({
        title: 'Gradient-norm profile φ̂ by state component',
        values: phi,
        x: { field: 'lag', title: 'lag k' },
        y: { field: 'phi', title: 'φ̂_k', scale: 'log' },
        series: { field: 'component', title: 'component' },
      }),
    ),
  );
  const curve = estimators.flatMap((e) =>
    e.relativeBias
      .map((d, i) => ({ estimator: e.estimator, K: i + 1, delta: d }))
      .filter((p) => Number.isFinite(p.delta) && p.delta > 0),
  );
  writeFileAtomic(
    join(out, 'relative-bias.svg'),
    await renderSvg(
      lineChart({
        title: 'Relative bias bound δ̂(K) by β̂ estimator',
        values: curve,
        x: { field: 'K', title: 'K' },
        y: { field: 'delta', title: 'δ̂(K)', scale: 'log' },
        series: { field: 'estimator', title: 'estimator' },
      }),
    ),
  );
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ ...analysis, estimators: estimators.map(({ relativeBias: _, ...e }) => e), out })}\n`,
    );
    return 0;
  }
  const w = (s: string | number, n: number) => String(s).padStart(n);
  process.stdout.write(
    `gradient-norm profile: W ${window}, burn-in ${burnIn}, ${samples} samples${dir ? ` (${dir}, ${which} weights)` : ' (fresh model)'}\n\n`,
  );
  process.stdout.write(
    `${'estimator'.padEnd(12)}${w('β̂', 9)}${DELTAS.map((d) => w(`κ̂(${d})`, 10)).join('')}\n`,
  );
  for (const e of estimators)
    process.stdout.write(
      `${e.estimator.padEnd(12)}${w(e.beta.toFixed(4), 9)}${e.kappa.map((k) => w(k.K, 10)).join('')}\n`,
    );
  process.stdout.write(
    `\n${'component'.padEnd(12)}${w('β̂', 9)}${DELTAS.map((d) => w(`κ̂(${d})`, 10)).join('')}   (${options.estimator ?? 'ols'})\n`,
  );
  for (const c of perComponent) {
    process.stdout.write(
      `${c.component.padEnd(12)}${w(c.beta === null ? '–' : c.beta.toFixed(4), 9)}${(c.kappa ?? DELTAS.map(() => ({ K: '–' }))).map((k) => w(k.K, 10)).join('')}\n`,
    );
  }
  const ols = estimators[0]!;
  process.stdout.write(
    `\nδ̂(K) (ols): ${[1, 2, 5, 10, 20, 50, 100, 200]
      .filter((k) => k <= window)
      .map((k) => `K ${k}: ${bias(ols.relativeBias[k - 1]!)}`)
      .join(', ')}\n`,
  );
  process.stdout.write(`wrote ${join(out, 'profile.json')}, diagnose.json, profile.svg, relative-bias.svg\n`);
  return 0;
}
