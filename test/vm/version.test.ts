/** The first real call: TypeScript → koffi → ioctl(DM_VERSION) → the guest's kernel. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DeviceMapper } from '../../lib/index.js';
import { runTsdmsetup } from '../helpers/cli.js';

describe('DM_VERSION against the real kernel', () => {
  it('the driver answers interface 4.x (4.47.0 on the UML 6.1 kernel)', () => {
    const dm = DeviceMapper.open();
    try {
      const version = dm.driverVersion();
      expect(version[0]).toBe(4);
      expect(version).toEqual([4, 47, 0]);
    } finally {
      dm.close();
    }
  });

  it('tsdmsetup version prints dmsetup’s lines, with the same driver version as dmsetup', () => {
    const ours = runTsdmsetup(['version']);
    expect(ours.status).toBe(0);
    expect(ours.stdout).toMatch(/^Library version: {3}1\.02\.185 \(tsdmsetup [^)]+\)\nDriver version: {4}4\.47\.0\n$/);
    const theirs = execFileSync('dmsetup', ['version'], { encoding: 'utf8' });
    expect(ours.stdout.split('\n')[1]).toBe(theirs.split('\n')[1]);
  });
});
