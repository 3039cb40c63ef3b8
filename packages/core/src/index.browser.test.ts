import { describe, expect, it } from 'vitest';
import * as node from './index';
import * as browser from './index.browser';

/** What only the Node entry has: checkpoint directories on disk. */
const NODE_ONLY = [
  'lockCheckpointDir',
  'prepareCheckpointDir',
  'readCheckpoint',
  'resolveCheckpoint',
  'writeCheckpoint',
];
/** What only the browser entry has: the in-memory checkpoints. */
const BROWSER_ONLY = ['exportCheckpoint', 'importCheckpoint', 'memoryCheckpointStore', 'memoryCheckpoints'];

describe('the browser entry', () => {
  it('exports the Node entry’s values, on-disk checkpoints swapped for in-memory ones', () => {
    const expected = [...Object.keys(node).filter((n) => !NODE_ONLY.includes(n)), ...BROWSER_ONLY].sort();
    expect(Object.keys(browser).sort()).toEqual(expected);
    for (const name of Object.keys(browser).filter((n) => !BROWSER_ONLY.includes(n))) {
      expect((browser as Record<string, unknown>)[name]).toBe((node as Record<string, unknown>)[name]);
    }
  });
});
