/**
 * Node operations are race-free (issue 11): while another process keeps swapping a symlink to a
 * foreign file into the node's path, making the node never changes that file's owner or mode; and
 * taking back a half-made device never deletes a file that was at its node path before.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceMapper, DeviceNodes, isDmError } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';

const names = deviceNames('noderace');
const ATTEMPTS = 20_000;

/** A process that swaps a symlink to `victim` into `path` as fast as it can, until killed. */
function swapper(path: string, victim: string) {
  const script = `
    const fs = require('node:fs');
    const tmp = ${JSON.stringify(path)} + '.swap';
    for (;;) {
      try { fs.symlinkSync(${JSON.stringify(victim)}, tmp); } catch {}
      try { fs.renameSync(tmp, ${JSON.stringify(path)}); } catch {}
    }`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

describe('node operations under a symlink race', () => {
  it(`${ATTEMPTS} node creations with a symlink swapped in meanwhile touch no foreign file`, async () => {
    const devDir = mkdtempSync('/dev/shm/tsdmt-race-');
    const victim = join(devDir, 'victim');
    writeFileSync(victim, 'not a device\n', { mode: 0o600 });
    const before = statSync(victim);
    mkdirSync(join(devDir, 'mapper'));
    const nodes = new DeviceNodes(devDir, { uid: 0, gid: 6, mode: 0o666 });
    const path = join(devDir, 'mapper', 'racy');
    const child = swapper(path, victim);
    let made = 0;
    let refused = 0;
    try {
      await new Promise((resolve) => setTimeout(resolve, 200)); // the swapper is running
      for (let i = 0; i < ATTEMPTS; i++) {
        try {
          nodes.add('racy', { major: 7, minor: 200 + (i % 50) });
          made++;
        } catch (error) {
          if (!isDmError(error)) throw error;
          refused++;
        }
        try {
          nodes.remove('racy');
        } catch {
          // the swapper's link may vanish under us
        }
      }
    } finally {
      child.kill('SIGKILL');
    }
    const after = statSync(victim);
    expect({ mode: after.mode, uid: after.uid, gid: after.gid }).toEqual({ mode: before.mode, uid: before.uid, gid: before.gid });
    expect(readFileSync(victim, 'utf8')).toBe('not a device\n');
    expect(made + refused).toBe(ATTEMPTS);
    expect(made).toBeGreaterThan(0);
    console.log(`node race: ${made} made, ${refused} refused or lost to the swapper, 0 foreign files touched`);
    rmSync(devDir, { recursive: true, force: true });
  }, 600_000);
});

describe('taking back a half-made device', () => {
  it('leaves a file that was at the node path before', () => {
    const devDir = mkdtempSync('/dev/shm/tsdmt-revert-');
    const dm = DeviceMapper.open({ devDir, nodes: true });
    const name = names.of('revert');
    const foreign = join(devDir, 'mapper', name);
    try {
      mkdirSync(join(devDir, 'mapper'), { recursive: true });
      writeFileSync(foreign, 'someone else\n');
      // The load fails: the device named in the table does not exist.
      expect(() => dm.createDevice(name, [{ start: 0, length: 8, type: 'linear', params: '/dev/nonexistent 0' }])).toThrow();
      expect(dm.tryInfo({ name })).toBeUndefined();
      expect(existsSync(foreign)).toBe(true);
      expect(readFileSync(foreign, 'utf8')).toBe('someone else\n');
    } finally {
      dm.close();
      removeDevicesWithPrefix(names.prefix);
      rmSync(devDir, { recursive: true, force: true });
    }
  });
});
