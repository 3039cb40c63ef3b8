import { useBackend } from '../engine/build-run';
import { loadLanguageModel, sampleTokens } from '../engine/model-tools';
import { UsageError } from '../errors';
import { integer, oneOf, positiveNumber } from '../options/flag-values';
import { readRunConfig } from './train';

/** `tbptt generate`: text sampled from a language-model run, reproducible by `--seed`. */
export async function generateCommand(dir: string, opts: Record<string, unknown>): Promise<number> {
  const count = integer(1)(opts.words, '--words');
  const temperature = positiveNumber(opts.temperature, '--temperature');
  const seed = integer(0)(opts.seed, '--seed');
  const which = oneOf(['best', 'last'])(opts.which, '--which');
  const backend = oneOf(['auto', 'wasm', 'cpu', 'tensorflow'])(opts.backend, '--backend');
  const options = readRunConfig(dir, 'generate');
  if (!(options.task === 'ptb' || options.task === 'wikitext-2' || options.task.startsWith('text:'))) {
    throw new UsageError(
      `generate: ${dir} is a ${options.task} run; generate needs a language model (--task ptb, wikitext-2 or text:<dir>)`,
    );
  }
  await useBackend({ backend });
  const { model, vocab } = loadLanguageModel(dir, options, which);
  const { prompt, tokens } = sampleTokens(model, vocab, {
    count,
    temperature,
    seed,
    ...(typeof opts.prompt === 'string' ? { prompt: opts.prompt } : {}),
  });
  model.dispose();
  const promptText = typeof opts.prompt === 'string' ? vocab.decodeText(prompt) : '';
  const text = vocab.decodeText(tokens);
  if (opts.json)
    process.stdout.write(
      `${JSON.stringify({ seed, temperature, prompt: promptText, text, tokens: Array.from(tokens) })}\n`,
    );
  else
    process.stdout.write(
      `${promptText}${vocab.level === 'word' && promptText && !promptText.endsWith('\n') ? ' ' : ''}${text}\n`,
    );
  return 0;
}
