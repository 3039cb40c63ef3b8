// @tbptt/datasets: tokenise text, lay it out as B parallel columns, generate the paper's copy task.
import { batchify, buildCorpus, copyTask, streamColumn } from '@tbptt/datasets';

// Any three texts (or loadCorpus('ptb'), loadTextFolder('./my-text') from files): one shared vocabulary.
const corpus = buildCorpus({
  train: 'the cat sat on the mat\nthe dog sat on the log\n',
  valid: 'the cat sat on the log\n',
  test: 'the dog sat on the mat\n',
});
console.log(`vocabulary: ${corpus.vocab.size} words; train ${corpus.train.length} tokens`);
console.log(`first train tokens: ${corpus.vocab.decode(corpus.train.subarray(0, 7)).join(' ')}`);

// batchify: [T, B] row-major, B independent columns read in parallel (what tokenStream in @tbptt/core takes).
const stream = batchify(corpus.train, 2);
console.log(`batchify(train, 2): ${stream.steps} steps × ${stream.batch} columns`);
console.log(`column 1: ${corpus.vocab.decode(streamColumn(stream, 1)).join(' ')}`);

// The variable-length copy task: input spans of 5..10 symbols, recalled right after them.
const copy = copyTask({ steps: 40, batch: 1, length: 10, minLength: 5, seed: 1, randomPhase: false });
console.log(`copy task inputs : ${Array.from(copy.inputs.subarray(0, 20)).join('')}`);
console.log(`copy task targets: ${Array.from(copy.targets.subarray(0, 20)).join('')}`);
