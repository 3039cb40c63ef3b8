import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'random',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
