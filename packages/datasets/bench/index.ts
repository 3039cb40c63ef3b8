/**
 * Benchmark: load + tokenise + batchify WikiText-2 (and PTB, and WikiText-2 at character
 * level) from disk. Reports wall time, tokens/s, peak RSS and retained bytes per token.
 *
 *     npm run bench -w @tbptt/datasets [-- <datasets-dir>]
 *
 * The folder defaults to $TBPTT_SHARED_DATASETS or ../shared/datasets next to the repository.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { batchify, type Corpus, loadTextFolder, type TokenLevel } from '../src/index';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const datasets =
  process.argv[2] ?? process.env.TBPTT_SHARED_DATASETS ?? resolve(repoRoot, '..', 'shared', 'datasets');
const REPEATS = 5;
const BATCH = 20;

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Live heap + ArrayBuffer bytes after full collections (ArrayBuffers are freed asynchronously, hence the waits). */
async function retainedBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

async function run(name: string, level: TokenLevel): Promise<void> {
  const dir = join(datasets, name);
  if (!existsSync(dir)) {
    console.log(`${name} (${level}): skipped, no folder "${dir}"`);
    return;
  }
  // Memory first, on a quiet heap: what a loaded corpus and its [T, B] streams keep alive.
  const before = await retainedBytes();
  let corpus: Corpus | undefined = await loadTextFolder(dir, { level });
  let streams: unknown[] | undefined = [
    batchify(corpus.train, BATCH),
    batchify(corpus.valid, 10),
    batchify(corpus.test, 10),
  ];
  const retained = (await retainedBytes()) - before;
  const vocabSize = corpus.vocab.size;
  const tokens = corpus.train.length + corpus.valid.length + corpus.test.length;
  const streamBytes = 4 * (corpus.train.length + corpus.valid.length + corpus.test.length);
  if (streams.length !== 3) throw new Error('unreachable');
  corpus = undefined;
  streams = undefined;

  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    gc();
    const start = performance.now();
    const loaded = await loadTextFolder(dir, { level });
    batchify(loaded.train, BATCH);
    batchify(loaded.valid, 10);
    batchify(loaded.test, 10);
    times.push(performance.now() - start);
  }
  const idBytes = 4 * tokens;
  console.log(
    [
      `${name} (${level}): ${tokens.toLocaleString('en')} tokens, vocabulary ${vocabSize.toLocaleString('en')}`,
      `  wall time   first ${times[0]!.toFixed(0)} ms, median of ${REPEATS} ${median(times).toFixed(0)} ms, best ${Math.min(...times).toFixed(0)} ms`,
      `  throughput  ${(((tokens / median(times)) * 1000) / 1e6).toFixed(2)} M tokens/s (median)`,
      `  memory      token ids ${(idBytes / tokens).toFixed(1)} B/token (${mb(idBytes)}); ` +
        `retained by corpus + vocabulary ${((retained - streamBytes) / tokens).toFixed(1)} B/token, ` +
        `+ batchified streams ${(retained / tokens).toFixed(1)} B/token (${mb(retained)})`,
    ].join('\n'),
  );
}

console.log(`datasets bench on Node ${process.version}, ${datasets}`);
const rssBefore = process.resourceUsage().maxRSS * 1024;
await run('wikitext-2', 'word');
const rssWiki = process.resourceUsage().maxRSS * 1024;
await run('ptb', 'word');
await run('wikitext-2', 'char');
console.log(
  `peak RSS: ${mb(rssBefore)} at start, ${mb(rssWiki)} after WikiText-2 (word), ` +
    `${mb(process.resourceUsage().maxRSS * 1024)} at the end`,
);
