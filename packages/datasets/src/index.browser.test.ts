import { describe, expect, it } from 'vitest';
import * as node from './index';
import * as browser from './index.browser';

/** What only the Node entry has: file and network I/O. */
const NODE_ONLY = [
  'BOOK_ORDER_MARKS',
  'BOOK_ORDER_SHA256',
  'COPY_REFERENCE_SHA256',
  'DEFAULT_TIMEOUT_MS',
  'defaultCacheDir',
  'fetchCorpus',
  'loadBookOrder',
  'loadCopyReference',
  'loadCorpus',
  'loadEventSequences',
  'loadTextFolder',
  'parseEventSequences',
  'splitFileNames',
];

describe('the browser entry', () => {
  it('exports the Node entry’s values less the file and network I/O, the same objects', () => {
    const nodeNames = Object.keys(node).sort();
    const browserNames = Object.keys(browser).sort();
    expect(browserNames).toEqual(nodeNames.filter((n) => !NODE_ONLY.includes(n)));
    for (const name of browserNames) {
      expect((browser as Record<string, unknown>)[name]).toBe((node as Record<string, unknown>)[name]);
    }
  });
});
