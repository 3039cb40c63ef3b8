import { Command, CommanderError, Option } from 'commander';
import { diagnoseCommand } from './commands/diagnose';
import { estimateCommand } from './commands/estimate';
import { evaluateCommand } from './commands/evaluate';
import { generateCommand } from './commands/generate';
import { reportCommand } from './commands/report';
import { sweepCommand } from './commands/sweep';
import { trainCommand } from './commands/train';
import { EXIT, exitCodeOf, oneLine } from './errors';
import { presetNames } from './options/presets';
import { TRAIN_FLAGS } from './options/train-options';

/** Adds the train-option flags (no commander defaults: the resolver fills them, so a preset is not overridden). */
function addTrainFlags(command: Command, only?: (group: string) => boolean): Command {
  for (const flag of TRAIN_FLAGS) {
    if (only && !only(flag.group)) continue;
    command.addOption(new Option(flag.flags, flag.description));
    if (flag.key === 'tied' || flag.key === 'monitorBias')
      command.addOption(new Option(`--no-${flag.flags.slice(2)}`).hideHelp());
  }
  return command;
}

const examples = (lines: string[]) => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/** The `tbptt` program. `run(argv)` returns the exit code instead of exiting (for tests and the bin). */
export function createProgram(setExit: (code: number) => void): Command {
  const program = new Command('tbptt')
    .description(
      'Adaptive truncated backpropagation through time (Aicher, Foti & Fox, UAI 2019, arXiv 1905.07473)',
    )
    .version('0.1.0')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')}\n`) });

  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      setExit(await fn(...args));
    };

  addTrainFlags(
    program
      .command('train')
      .description('train a recurrent model with fixed, adaptive or variable truncation')
      .option('--preset <name>', `start from a preset: ${presetNames().join(', ')}`)
      .option('--config <file>', 'read options from a JSON file (flags override it)')
      .option('--out <dir>', 'run directory (default runs/<time>-<task>-<truncation>)')
      .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
      .option('--quiet', 'print only the summary')
      .option('--json', 'print one JSON object per event on stdout'),
  )
    .addHelpText(
      'after',
      examples([
        'tbptt train --preset copy-variable --truncation adaptive:0.1',
        'tbptt train --task ptb --data-dir /data --preset ptb-small --truncation fixed:35 --out runs/ptb',
        'tbptt train --task text:./my-text --level char --hidden 128 --truncation variable:70,5 --max-time 600',
        'tbptt train --resume runs/ptb --epochs 20',
      ]),
    )
    .action(
      run(async (opts: Record<string, unknown>) =>
        trainCommand(
          {
            ...(opts.preset === undefined ? {} : { preset: String(opts.preset) }),
            ...(opts.config === undefined ? {} : { config: String(opts.config) }),
            ...(opts.out === undefined ? {} : { out: String(opts.out) }),
            ...(opts.resume === undefined ? {} : { resume: String(opts.resume) }),
            quiet: opts.quiet === true,
            json: opts.json === true,
          },
          opts,
        ),
      ),
    );

  program
    .command('evaluate')
    .description(
      "valid and test perplexity of a run's best or last weights, or of a .safetensors file with the model's flags",
    )
    .argument('[dir]', 'a run directory')
    .option('--which <weights>', 'best | last', 'best')
    .option('--weights <file>', 'a .safetensors file (with --preset / flags describing the model and task)')
    .option('--preset <name>', 'preset of the model and task (with --weights)')
    .option('--config <file>', 'JSON options of the model and task (with --weights)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'tbptt evaluate runs/ptb',
        'tbptt evaluate --weights w.safetensors --preset ptb-small --data-dir /data',
      ]),
    )
    .allowUnknownOption(false);
  addTrainFlags(
    program.commands.at(-1)!,
    (g) => g === 'task' || g === 'model' || g === 'run' || g === 'budget',
  ).action(run(async (dir: string | undefined, opts: Record<string, unknown>) => evaluateCommand(dir, opts)));

  program
    .command('generate')
    .description('sample text from a language-model run (seeded: the same seed gives the same text)')
    .argument('<dir>', 'a run directory of a language-model task')
    .option('--words <n>', 'tokens to generate', '200')
    .option('--temperature <t>', 'softmax temperature (lower: more conservative)', '1')
    .option('--seed <n>', 'sampling seed', '1')
    .option('--prompt <text>', 'text to read before sampling')
    .option('--which <weights>', 'best | last', 'best')
    .option('--backend <name>', 'auto | wasm | cpu | tensorflow', 'auto')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples([
        'tbptt generate runs/ptb --words 200 --temperature 0.8 --seed 1',
        'tbptt generate runs/chars --prompt "The " --words 400',
      ]),
    )
    .action(run(async (dir: string, opts: Record<string, unknown>) => generateCommand(dir, opts)));

  addTrainFlags(
    program
      .command('diagnose')
      .description(
        'gradient-norm profile at the current weights: β̂ per estimator, δ̂(K), κ̂(δ), per state component',
      )
      .argument('[dir]', 'a run directory (default: a fresh model from --preset / flags)')
      .option('--preset <name>', 'preset of a fresh model and task')
      .option('--config <file>', 'JSON options of a fresh model and task')
      .option('--which <weights>', 'best | last (run directories)', 'last')
      .option('--out <dir>', 'where profile.json and the plots go (default <dir>/diagnose, or diagnose/)')
      .option('--json', 'print the analysis as JSON'),
    (g) => g !== 'optimiser' && g !== 'budget',
  )
    .addHelpText(
      'after',
      examples([
        'tbptt diagnose runs/ptb',
        'tbptt diagnose --preset copy --window 100 --samples 64 --out diag',
      ]),
    )
    .action(
      run(async (dir: string | undefined, opts: Record<string, unknown>) => diagnoseCommand(dir, opts)),
    );

  program
    .command('estimate')
    .description('κ̂(δ) from a saved gradient-norm profile (or a bare JSON array of norms)')
    .requiredOption(
      '--profile <file>',
      'profile JSON (tbptt / @tbptt/estimators format) or a JSON array of φ̂_k',
    )
    .option('--delta <list>', 'δ values, comma-separated', '0.1')
    .option('--estimator <name>', 'ols | max | quantile', 'ols')
    .option('--kmin <K>', 'smallest K', '1')
    .option('--kmax <K>', 'largest K (default W)')
    .option('--tau <lag>', 'τ, the lag where geometric decay starts (default W − ⌊W/10⌋)')
    .option('--json', 'print { beta, truncations: [{ delta, K }] }')
    .addHelpText(
      'after',
      examples([
        'tbptt estimate --profile runs/copy/profile.json --delta 0.1,0.5',
        'tbptt estimate --profile norms.json --delta 0.1 --kmax 300 --json',
      ]),
    )
    .action(run(async (opts: Record<string, unknown>) => estimateCommand(opts)));

  program
    .command('sweep')
    .description(
      'a grid of fixed-K and adaptive-δ runs over seeds, as child processes (paired initial weights per seed; resumable)',
    )
    .option(
      '--definition <file>',
      'a committed sweep definition (JSON: preset, config, fixed, adaptive, variable, seeds, jobs, set, setFixed, setAdaptive, setVariable, out); flags override it',
    )
    .option('--preset <name>', 'the preset every run starts from')
    .option('--config <file>', 'JSON options every run starts from')
    .option('--fixed <list>', 'fixed K values, e.g. 5,10,15,20,30')
    .option('--adaptive <list>', 'adaptive δ values, e.g. 0.9,0.5,0.1')
    .option('--variable <list>', 'variable MEAN:SD values, e.g. 70:5')
    .option('--seeds <n>', 'seeds 1..n per method (default 1)')
    .option('--jobs <n>', 'runs at the same time (default 1)')
    .option('--out <dir>', 'sweep directory (one run directory per method and seed)')
    .option('--plan [format]', 'print the runs instead of running them: sh (one command per line) or json')
    .option('--set <key=value...>', 'extra train flags for every run, e.g. --set max-time=60 --set hidden=32')
    .option(
      '--set-fixed <key=value...>',
      'extra train flags for the fixed-K runs only, e.g. --set-fixed scale-lr=none',
    )
    .option('--set-adaptive <key=value...>', 'extra train flags for the adaptive-δ runs only')
    .option('--set-variable <key=value...>', 'extra train flags for the variable-K runs only')
    .addHelpText(
      'after',
      examples([
        'tbptt sweep --preset copy --fixed 5,10,15,20,30 --adaptive 0.9,0.5,0.1 --seeds 3 --jobs 2 --out sweeps/copy',
        'tbptt sweep --preset copy --fixed 5,10 --adaptive 0.1 --seeds 3 --out sweeps/copy --plan | parallel -j 8',
        'tbptt sweep --definition experiments/copy-reference.json',
        'tbptt report sweeps/copy',
      ]),
    )
    .action(run(async (opts: Record<string, unknown>) => sweepCommand(opts)));

  program
    .command('report')
    .description(
      'a Markdown table (mean (sd) over seeds per method) and SVG plots from run or sweep directories',
    )
    .argument('<dirs...>', 'run directories or sweep directories (merged; may come from several machines)')
    .option('--out <dir>', 'where report.md and the SVGs go (default: the first directory)')
    .option('--json', 'print the table rows as JSON')
    .option('--title <text>', 'the heading of report.md (default: tbptt report)')
    .option(
      '--compare <file>',
      'published figures to set beside the table: JSON {"source": "…", "rows": {"fixed:10": {"valid": 1.035, "test": 1.036}}}',
    )
    .addHelpText(
      'after',
      examples([
        'tbptt report sweeps/copy',
        'tbptt report machine-a/sweep machine-b/sweep --out report',
        'tbptt report results/copy-reference --compare experiments/copy-reference.paper.json --out apps/docs/docs/results/copy-reference',
      ]),
    )
    .action(run(async (dirs: string[], opts: Record<string, unknown>) => reportCommand(dirs, opts)));

  return program;
}

/** Parses and runs `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = createProgram((c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage; // commander printed its one-line message
    }
    process.stderr.write(`tbptt: ${oneLine(error)}\n`);
    return exitCodeOf(error);
  }
}
