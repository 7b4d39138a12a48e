/**
 * Loop devices on sparse files in the guest's tmpfs, for tables that need a real block device.
 * Always detached and deleted by `detach()` (tests call it in afterEach/finally).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const dir = mkdtempSync(join(tmpdir(), 'tsdm-loop-'));
  const file = join(dir, 'backing.img');
  writeFileSync(file, '');
  truncateSync(file, sizeMiB * 1024 * 1024);
  let path: string;
  try {
    path = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const rdev = statSync(path).rdev;
  let detached = false;
  return {
    path,
    major: Math.floor(rdev / 256) & 0xfff,
    minor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
    sectors: sizeMiB * 2048,
    detach() {
      if (detached) return;
      detached = true;
      try {
        execFileSync('losetup', ['-d', path]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Loop devices still attached (to check that a test left none behind). */
export function attachedLoopDevices(): string[] {
  const out = execFileSync('losetup', ['-a', '-n', '-O', 'NAME'], { encoding: 'utf8' });
  return out.split('\n').map((line) => line.trim()).filter(Boolean);
}
