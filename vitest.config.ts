import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const resolve = {
  // Tests use the simulator's TypeScript source, so a change to it needs no build first.
  alias: { 'vb365-simulator': fileURLToPath(new URL('packages/vb365-simulator/src/index.ts', import.meta.url)) },
};

/**
 * Two projects: `unit` runs in-process (sockets only on loopback, inside the test; no child process, no
 * external program) and is the inner loop, `npm run test:unit`; `integration` runs real Prometheus,
 * promtool, Helm, Chromium, npm, the Dockerfile replay and the built program. `npm test` runs both.
 */
export default defineConfig({
  test: {
    pool: 'forks',
    // Transformed TypeScript kept in node_modules/.experimental-vitest-cache between runs, keyed by each file's
    // content and the configuration: about 1.5 s of a 21 s unit run once warm (vitest 5 does it by default).
    experimental: { fsModuleCache: true },
    projects: [
      {
        resolve,
        test: {
          name: 'unit',
          // In-process tests: worker threads start faster than forked processes (about 1 s of 16 here).
          pool: 'threads',
          // Files share a worker's modules instead of importing src/, undici, zod... afresh each (more than half
          // of the CPU time here). They can: no test mocks a module or changes globals, spies are restored.
          isolate: false,
          // Mostly waiting on loopback sockets: one worker per core (vitest's default leaves one core idle).
          maxWorkers: availableParallelism(),
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          testTimeout: 10_000,
          hookTimeout: 10_000,
        },
      },
      {
        resolve,
        test: {
          name: 'integration',
          // After the unit tests, one file at a time: Prometheus, Chromium and npm each want a core.
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          // Child processes and real programs on 2 cores: give them room.
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
