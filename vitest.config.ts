import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // DuckDB, CDK synth and real servers are heavy and the machines have two cores: keep workers few.
    pool: 'forks',
    // The AWS SDK's Node 20 deprecation warning, kept out of test output as bin/tgpipe.mjs keeps it out of the CLI's.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    maxWorkers: 2,
    // .ci/run reads the counts from the JSON report ("N passed, N failed"): written on every run (git
    // ignores it), so the count never depends on the runner setting CI.
    reporters: ['default', ['json', { outputFile: '.ci/test-results.json' }]],
  },
});
