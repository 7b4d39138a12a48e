import { defineConfig } from 'vitest/config';

// Three suites: unit (host, no root, no kernel), harness (host, boots the VM runner), vm (inside
// the user-mode-linux guest, as root, against a real device-mapper).
export default defineConfig({
  // Inside the guest the repository is the host's: keep vite's cache in the guest's tmpfs.
  cacheDir: process.env['TSDM_IN_VM'] ? '/tmp/tsdm-vite-cache' : 'node_modules/.vite',
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'harness', include: ['test/harness/**/*.test.ts'], testTimeout: 120_000 } },
      {
        extends: true,
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          setupFiles: ['test/vm/setup-no-leaks.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One kernel: tests run one file at a time, so device names and loop devices never collide.
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
