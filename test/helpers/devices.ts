/**
 * Test device names and their clean-up. Every kernel test names its devices with its own prefix
 * (`tsdmt-<test>-…`) and removes everything with that prefix afterwards, even when it failed:
 * devices (retrying while removals make progress, as udev or a stacked device may hold one),
 * then stray /dev/mapper nodes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { DeviceMapper } from '../../lib/index.js';

export const TEST_PREFIX = 'tsdmt-';

/** Names for one test file's devices: `names.of('a')` → `tsdmt-<file>-a`. */
export function deviceNames(file: string): { prefix: string; of: (suffix: string) => string } {
  const prefix = `${TEST_PREFIX}${file}-`;
  return { prefix, of: (suffix) => `${prefix}${suffix}` };
}

/** Names of the kernel's devices that start with `prefix` (read with the real dmsetup, independent of our code). */
export function devicesWithPrefix(prefix: string): string[] {
  // Kernel names as they are (a name with raw odd bytes would make dmsetup's default auto mode fail).
  const out = execFileSync('dmsetup', ['ls', '--manglename', 'none'], { encoding: 'utf8', env: { ...process.env, DM_DISABLE_UDEV: '1' } });
  if (out.trim() === 'No devices found') return [];
  return out
    .split('\n')
    .map((line) => line.split('\t')[0]!)
    .filter((name) => name.startsWith(prefix));
}

/** Removes every device whose name starts with `prefix`, and their /dev/mapper nodes. */
export function removeDevicesWithPrefix(prefix: string): void {
  // Kernel names as they are: a test may leave a raw name that auto mode would refuse to list.
  const dm = DeviceMapper.open({ nameMangling: 'none' });
  try {
    for (let round = 0; round < 10; round++) {
      const names = dm
        .list()
        .map((device) => device.name)
        .filter((name) => name.startsWith(prefix));
      if (names.length === 0) break;
      let progress = false;
      for (const name of names) {
        try {
          dm.remove({ name });
          progress = true;
        } catch {
          // held by another test device: the next round gets it
        }
      }
      if (!progress) break;
    }
  } finally {
    dm.close();
  }
  removeStrayNodes(prefix);
}

/** Removes /dev/mapper entries whose names start with `prefix` (left by tests that make nodes by hand). */
export function removeStrayNodes(prefix: string): void {
  const mapper = '/dev/mapper';
  if (existsSync(mapper)) {
    for (const entry of readdirSync(mapper)) {
      if (entry.startsWith(prefix)) rmSync(`${mapper}/${entry}`, { force: true });
    }
  }
}
