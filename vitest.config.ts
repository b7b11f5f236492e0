import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds; Node loads the CJS one
    // for every importer, Vite would mix both ("another module or realm").
    // Pin the one Node uses.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Real SQLite files and real HTTP servers: give them room, and keep
    // file-level parallelism modest on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll waits for something that will happen; its default 1 s assumes an idle
    // core. Only a hang reaches this, and it still ends before the test's timeout.
    expect: { poll: { timeout: 20_000 } },
    pool: 'forks',
    maxWorkers: 2,
  },
});
