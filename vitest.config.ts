import { defineConfig } from 'vitest/config';

// Root config: one vitest project per package, so `npx vitest` at the root runs them all.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
