export type { Corpus, Split } from './corpus/build-corpus';
export { buildCorpus, SPLITS } from './corpus/build-corpus';
export type { TextFolderOptions } from './corpus/text-folder';
export { loadTextFolder, splitFileNames } from './corpus/text-folder';
export type { TokenLevel } from './corpus/tokenize';
export { EOS, tokenize, UNK } from './corpus/tokenize';
export type { VocabularyJson } from './corpus/vocabulary';
export { Vocabulary } from './corpus/vocabulary';
export { defaultCacheDir } from './download/cache-dir';
export type { DownloadErrorKind } from './download/download-error';
export { DownloadError } from './download/download-error';
export type { DownloadOptions, DownloadProgress } from './download/download-file';
export { DEFAULT_TIMEOUT_MS } from './download/download-file';
export type { BookOrder, BookOrderOptions } from './events/book-order';
export { BOOK_ORDER_MARKS, BOOK_ORDER_SHA256, loadBookOrder } from './events/book-order';
export type { EventFileOptions, EventSequence, EventSequences } from './events/event-sequences';
export { loadEventSequences, parseEventSequences } from './events/event-sequences';
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
export type { FetchCorpusOptions } from './loaders/fetch-corpus';
export { fetchCorpus } from './loaders/fetch-corpus';
export type { LoadCorpusOptions } from './loaders/load-corpus';
export { loadCorpus } from './loaders/load-corpus';
export type { TokenStream } from './streams/batchify';
export { batchify, streamColumn } from './streams/batchify';
export type { PairedTokenStream } from './streams/paired-token-stream';
export { BLANK, FIRST_SYMBOL, START, SYMBOL_COUNT, SYNTHETIC_VOCAB_SIZE } from './synthetic/alphabet';
export type {
  CopyReference,
  CopyReferenceOptions,
  CopyReferenceVariant,
} from './synthetic/copy-reference';
export { COPY_REFERENCE_SHA256, loadCopyReference } from './synthetic/copy-reference';
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
