import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'core',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // Training-loop tests run hundreds of tiny updates; other packages' suites share the 2 cores in CI.
    testTimeout: 60_000,
  },
});
