import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts'],
    // One browser session drives the built site: building it (when stale), crawling every page, training the demo.
    testTimeout: 240_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
