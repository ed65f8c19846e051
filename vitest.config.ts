import { defineConfig } from 'vitest/config';

// Tests live in test/, mirroring the source folders. Suites that spawn firmware processes or a browser
// run in forks so a crashed child cannot take the runner with it.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
