import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'docs',
    include: ['test/**/*.test.ts'],
    // One browser session drives the built site: building it (when stale), crawling every page, training the demo.
    testTimeout: 240_000,
    // The hook rebuilds the site when docs/ is newer than dist/ (a sweep regenerating its report, say): 240–250 s
    // on a 2-core machine busy with a sweep, which left too little of 300 s to start Chromium.
    hookTimeout: 600_000,
    fileParallelism: false,
  },
});
