/** Control handles hold exactly one fd while open, and none after close() or a failed open. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DeviceMapper, isDmError } from '../../lib/index.js';

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
