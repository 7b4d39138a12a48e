/** Control handles hold exactly one fd while open, and none after close() or a failed open. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { DeviceMapper, isDmError } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';

const names = deviceNames('control-fd');

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('control handle fds', () => {
  it('one fd per open handle, given back by close(), over many handles', () => {
    const before = openFds();
    const handles = Array.from({ length: 50 }, () => DeviceMapper.open());
    for (const dm of handles) dm.driverVersion();
    expect(openFds()).toBe(before + 50);
    for (const dm of handles) dm.close();
    expect(openFds()).toBe(before);
    handles[0]!.close(); // closing twice is harmless
    expect(openFds()).toBe(before);
  });

  it('close() with an async wait under way keeps the fd until the wait ends, then gives it back', async () => {
    const before = openFds();
    const dm = DeviceMapper.open();
    const name = names.of('wait');
    try {
      const info = dm.createDevice(name, [{ start: 0, length: 8, type: 'zero', params: '' }]);
      const waiting = dm.waitEventAsync({ major: info.major, minor: info.minor }, info.eventNr);
      dm.close();
      expect(openFds()).toBe(before + 1); // still open for the wait
      expect(() => dm.info({ name })).toThrow(/closed/);
      // A rename bumps the device's event counter on 6.1, which ends the wait.
      execFileSync('dmsetup', ['rename', name, names.of('wait2')], { env: { ...process.env, DM_DISABLE_UDEV: '1' } });
      const woken = await waiting;
      expect(woken.info.eventNr).toBeGreaterThan(info.eventNr);
      expect(openFds()).toBe(before);
    } finally {
      removeDevicesWithPrefix(names.prefix);
    }
  });

  it('a message sector that is not a whole number in range is refused before the ioctl', () => {
    const dm = DeviceMapper.open();
    try {
      for (const sector of [1.5, Number.NaN, -1, 2n ** 64n]) {
        expect(() => dm.message({ name: 'any' }, sector, '@stats_list')).toThrow(/The sector .* (is not a whole number|is out of range)/);
      }
    } finally {
      dm.close();
    }
  });

  it('a failed open leaks no fd', () => {
    const before = openFds();
    for (let i = 0; i < 20; i++) {
      let caught: unknown;
      try {
        // A device directory where the control node cannot be made: its parent is a file.
        DeviceMapper.open({ devDir: '/proc/version/x', modprobe: false });
      } catch (error) {
        caught = error;
      }
      expect(isDmError(caught)).toBe(true);
    }
    expect(openFds()).toBe(before);
  });
});
