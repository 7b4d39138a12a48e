/**
 * Loop devices on sparse files in the guest's tmpfs, for tables that need a real block device,
 * made with the library's own test kit (tsdmsetup/testing). `detach()` detaches the device and
 * deletes its file (tests call it in afterEach/finally). attachedLoopDevices() asks losetup, so
 * the leak check does not trust the code it checks.
 */
import { execFileSync } from 'node:child_process';
import { scratchSync } from '../../lib/testing/index.js';

export interface LoopDevice {
  /** `/dev/loopN`. */
  path: string;
  major: number;
  minor: number;
  /** Size in 512-byte sectors. */
  sectors: number;
  detach(): void;
}

/** Attaches a new loop device over a sparse file of `sizeMiB`. */
export function makeLoopDevice(sizeMiB = 16): LoopDevice {
  const kit = scratchSync();
  try {
    const loop = kit.loop(sizeMiB);
    return { path: loop.path, major: loop.dev.major, minor: loop.dev.minor, sectors: loop.sectors(), detach: () => kit.cleanupSync() };
  } catch (error) {
    try {
      kit.cleanupSync();
    } catch {
      // the attach error is the one to report
    }
    throw error;
  }
}

/** Loop devices still attached (to check that a test left none behind). */
export function attachedLoopDevices(): string[] {
  const out = execFileSync('losetup', ['-a', '-n', '-O', 'NAME'], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim()).filter(Boolean);
}
