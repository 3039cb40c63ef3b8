import { describe, expect, it } from 'vitest';
import * as node from './index';
import * as browser from './index.browser';

/** What only the Node entry has: weights files on disk. */
const NODE_ONLY = ['loadWeights', 'saveWeights'];

describe('the browser entry', () => {
  it('exports the Node entry’s values less the file I/O', () => {
    expect(Object.keys(browser).sort()).toEqual(
      Object.keys(node)
        .filter((n) => !NODE_ONLY.includes(n))
        .sort(),
    );
    for (const name of Object.keys(browser)) {
      expect((browser as Record<string, unknown>)[name]).toBe((node as Record<string, unknown>)[name]);
    }
  });
});
