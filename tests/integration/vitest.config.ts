import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'integration',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // One consumer project shared by every file, run one file at a time (2 cores; npm and Chromium are heavy).
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
