import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB, CDK synth and real servers are heavy and the machines have two cores: keep workers few.
    pool: 'forks',
    maxWorkers: 2,
    // CI reads the counts from the JSON report (.ci/run prints "N passed, N failed").
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.ci/test-results.json' }]] : ['default'],
  },
});
