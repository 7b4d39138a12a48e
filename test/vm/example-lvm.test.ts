/** examples/lvm-style.ts, the toolkit's LVM-style scenario, runs against the real kernel and leaves nothing behind. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDevicesWithPrefix } from '../helpers/devices.js';

afterEach(() => removeDevicesWithPrefix('lvmex-'));

describe('examples/lvm-style', () => {
  it('makes LVs, a snapshot of a live LV, a thin pool and volume, resizes and renames, then tears it all down', () => {
    const out = execFileSync(process.execPath, [join(process.cwd(), 'dist', 'examples', 'lvm-style.js')], {
      encoding: 'utf8',
      env: { ...process.env, DM_DISABLE_UDEV: '1' },
    });
    expect(out).toContain('lvmex-vg-data: 4 extents');
    expect(out).toMatch(/^lvmex-vg-thin: 0 -$/m); // a thin volume with nothing written yet
    expect(out).toMatch(/^lvmex-vg-pool: 0\/256 data blocks used$/m); // typed ThinPoolStatus: 2 extents of 64 KiB blocks
    expect(out).toMatch(/^lvmex-vg-lv1-real: held by lvmex-vg-lv1, lvmex-vg-snap$/m);
    expect(out).toContain('left: 0 devices');
    expect(execFileSync('losetup', ['-a'], { encoding: 'utf8' })).toBe('');
  });
});
