import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'models',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Finite-difference gradient checks run hundreds of forward passes; a loaded 2-core machine (a sweep
    // beside CI) takes them past vitest's default 5 s.
    testTimeout: 60_000,
  },
});
