/** Control handles hold exactly one fd while open, and none after close() or a failed open. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { byDev, DeviceMapper, isDmError, type DmError } from '../../lib/index.js';
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

  // Issue 9 changed this: close() used to let a pending wait run on until an event came; now it
  // ends it (ECANCELED), so a closed handle never keeps the process alive.
  it('close() with an async wait under way ends it with ECANCELED and gives every fd back', async () => {
    const before = openFds();
    const dm = DeviceMapper.open();
    const name = names.of('wait');
    try {
      const info = dm.createDevice(name, [{ start: 0, length: 8, type: 'zero', params: '' }]);
      const waiting = dm.waitEventAsync(byDev(info), info.eventNr);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the wait is asleep in poll(2) by now
      dm.close();
      expect(() => dm.info({ name })).toThrow(/closed/);
      const error = await waiting.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(isDmError(error, 'ECANCELED')).toBe(true);
      expect((error as DmError).kind).toBe('cancelled');
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
