import { buildModel, buildTask, modelSpec, useBackend } from '../engine/build-run';
import { loadRun, loadWeightsFile, scoreSplits } from '../engine/model-tools';
import { UsageError } from '../errors';
import { oneOf } from '../options/flag-values';
import { ppl } from '../progress/format';
import { parseFlagValues, readRunConfig, resolveFromFlags } from './train';

/** `tbptt evaluate`: valid and test perplexity of a run's weights, or of a weights file with the model's flags. */
export async function evaluateCommand(
  dir: string | undefined,
  opts: Record<string, unknown>,
): Promise<number> {
  const which = oneOf(['best', 'last'])(opts.which, '--which');
  const flags = parseFlagValues(opts);
  let options: ReturnType<typeof readRunConfig>;
  if (dir !== undefined) {
    if (opts.weights !== undefined)
      throw new UsageError('evaluate: give a run directory or --weights, not both');
    // A run is scored as it was trained; only where the data is and the backend may differ.
    const saved = readRunConfig(dir, 'evaluate');
    options = {
      ...saved,
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(flags.backend ? { backend: flags.backend } : {}),
    };
  } else {
    if (opts.weights === undefined)
      throw new UsageError(
        'evaluate: give a run directory, or --weights FILE with the flags (or --preset) of its model and task',
      );
    options = resolveFromFlags(
      {
        ...(opts.preset === undefined ? {} : { preset: String(opts.preset) }),
        ...(opts.config === undefined ? {} : { config: String(opts.config) }),
      },
      flags,
    );
  }
  // The task first (plain arrays): --threads auto needs the model's size.
  const task = await buildTask(options);
  await useBackend(options, modelSpec(options, task));
  let loaded: Awaited<ReturnType<typeof loadRun>>;
  if (dir !== undefined) loaded = await loadRun(dir, options, which, task);
  else {
    const model = buildModel(options, task);
    loadWeightsFile(model, String(opts.weights));
    loaded = { task, model, weightsFile: String(opts.weights) };
  }
  const scores = scoreSplits(loaded.model, loaded.task);
  loaded.model.dispose();
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ weights: loaded.weightsFile, ...scores })}\n`);
  } else {
    process.stdout.write(`weights ${loaded.weightsFile}\n`);
    const line = (s: typeof scores.valid) =>
      loaded.task.kind === 'point-process'
        ? `NLL ${s.loss.toFixed(4)}  RMSE(Δt) ${s.rmse?.toPrecision(4) ?? '–'}  0-1 loss ${s.errorRate?.toFixed(4) ?? '–'}`
        : `loss ${s.loss.toFixed(4)}  perplexity ${ppl(s.perplexity)}`;
    process.stdout.write(`valid ${line(scores.valid)}\n`);
    process.stdout.write(`test  ${line(scores.test)}\n`);
  }
  return 0;
}
