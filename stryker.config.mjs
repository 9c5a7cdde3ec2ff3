/**
 * Mutation testing (`npm run mutation`, not part of CI): plants small bugs one at a time in the
 * checks that guard a user's bytes and bills, and reports each one the tests let through. The
 * files are those issue 26 names: the engine's range and validator checks, the host's checks,
 * the ledger's alert and budget rules, and the download lock. `npm run mutation -- --mutate
 * main/engine/downloadLock.ts` narrows a run to one file.
 */
export default {
  testRunner: 'vitest',
  // forks: each test file in a process of its own, as in `npm test` (ledger tests pin TZ first thing).
  vitest: { configFile: 'stryker.vitest.config.ts', related: false, pool: 'forks' },
  coverageAnalysis: 'perTest',
  mutate: [
    'main/engine/httpHeaders.ts',
    'main/engine/RangeFetch.ts',
    'main/engine/downloadLock.ts',
    'main/host/HeadlessHost.ts',
    'main/ledger/capAlerts.ts',
    'main/ledger/CapBudgets.ts',
    'main/ledger/AlertStore.ts',
  ],
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['out', 'dist', 'reports', 'test-results', 'bench/results', 'native/build'],
  cleanTempDir: 'always',
};
