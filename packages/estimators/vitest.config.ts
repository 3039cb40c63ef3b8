import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'estimators',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
