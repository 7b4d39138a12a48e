import { defineConfig } from 'vitest/config';

// Suites: unit (host, no root, no kernel); harness (host, tests the VM runner); vm-boot (host, each
// test boots a guest set up its own way); vm (inside one user-mode-linux guest, as root, against a
// real device-mapper).
export default defineConfig({
  // Inside the guest the repository is the host's: keep vite's cache in the guest's tmpfs.
  cacheDir: process.env['TSDM_IN_VM'] ? '/tmp/tsdm-vite-cache' : 'node_modules/.vite',
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'harness', include: ['test/harness/**/*.test.ts'], testTimeout: 120_000 } },
      // Kernel scenarios that need their own boot (no dm-mod, a bare /dev): each test boots a guest.
      { extends: true, test: { name: 'vm-boot', include: ['test/vm-boot/**/*.test.ts'], testTimeout: 180_000 } },
      {
        extends: true,
        test: {
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          setupFiles: ['test/vm/setup-no-leaks.ts'],
          // Time-outs only stop a hung test; speed is the benchmarks' business. Many tests spawn
          // dozens of CLI processes (about a second each in the guest, three on a loaded host).
          testTimeout: 300_000,
          hookTimeout: 120_000,
          // One kernel: tests run one file at a time, so device names and loop devices never collide.
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
