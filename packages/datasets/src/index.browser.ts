/**
 * `@tbptt/datasets` for browsers (the `browser` export condition): everything that works on text and
 * numbers — corpora from strings (`buildCorpus`), vocabularies, tokenisation, `batchify`, the synthetic copy
 * and repeat tasks, the corpus sources' URLs and checksums. What reads files or downloads into a cache
 * (`loadTextFolder`, `loadCorpus`, `fetchCorpus`, `defaultCacheDir`, `DEFAULT_TIMEOUT_MS`, the event files:
 * `loadBookOrder`, `loadEventSequences`, `parseEventSequences`, `BOOK_ORDER_MARKS`, `BOOK_ORDER_SHA256`) is in the Node
 * entry only: in a browser, fetch the text yourself and pass it to `buildCorpus`.
 */
export type { Corpus, Split } from './corpus/build-corpus';
export { buildCorpus, SPLITS } from './corpus/build-corpus';
export type { TokenLevel } from './corpus/tokenize';
export { EOS, tokenize, UNK } from './corpus/tokenize';
export type { VocabularyJson } from './corpus/vocabulary';
export { Vocabulary } from './corpus/vocabulary';
export type { DownloadErrorKind } from './download/download-error';
export { DownloadError } from './download/download-error';
export type { BookOrder, BookOrderOptions } from './events/book-order';
export type { EventFileOptions, EventSequence, EventSequences } from './events/event-sequences';
export type { EventRowOptions, EventRows, EventStream, EventStreamsOptions } from './events/event-stream';
export { batchifyEvents, eventRows, eventStreams, sliceEventRows } from './events/event-stream';
export type { ArchiveMember, CorpusName, CorpusSource, SourceFile } from './loaders/corpus-sources';
export {
  CORPUS_NAMES,
  CORPUS_SHA256,
  corpusSource,
  PTB_BASE_URL,
  WIKITEXT2_URL,
  WIKITEXT2_ZIP_SHA256,
} from './loaders/corpus-sources';
export type { TokenStream } from './streams/batchify';
export { batchify, streamColumn } from './streams/batchify';
export type { PairedTokenStream } from './streams/paired-token-stream';
export { BLANK, FIRST_SYMBOL, START, SYMBOL_COUNT, SYNTHETIC_VOCAB_SIZE } from './synthetic/alphabet';
export type { CopyTaskOptions } from './synthetic/copy-task';
export { copyTask } from './synthetic/copy-task';
export type {
  ExponentialIntensityOptions,
  ExponentialIntensityParameters,
  ExponentialIntensityTruth,
} from './synthetic/exponential-intensity-process';
export { exponentialIntensityProcess } from './synthetic/exponential-intensity-process';
export type { IdMatrix, IdMatrixOptions } from './synthetic/id-matrix';
export { parseIdMatrix } from './synthetic/id-matrix';
export type { RepeatTaskOptions } from './synthetic/repeat-task';
export { repeatTask } from './synthetic/repeat-task';
