/**
 * The library with a real systemd-udevd and Debian's dm rules (which call the real dmsetup's
 * udevflags/udevcomplete): at return of each verb `/dev/mapper/<name>` is already udev's symlink
 * (or gone), whatever the wait strategy; no semaphore is left; a udev that never completes costs
 * the time-out, a warning naming the cookie, and a node the library makes itself.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { byDev, DeviceMapper, type DeviceMapperOptions } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { cookieSemaphores, maskRule, settle, useUdevd } from '../helpers/udevd.js';

const names = deviceNames('udevlib');
const zero = [{ start: 0, length: 8, type: 'zero', params: '' }];
useUdevd();
afterEach(() => {
  settle();
  removeDevicesWithPrefix(names.prefix);
  settle();
});

/** What is at /dev/mapper/<name> right now: udev's link target, 'node', or undefined. */
function mapperEntry(name: string): string | undefined {
  const path = `/dev/mapper/${name}`;
  try {
    const stats = lstatSync(path);
    return stats.isSymbolicLink() ? readlinkSync(path) : 'node';
  } catch {
    return undefined;
  }
}

function open(options: DeviceMapperOptions, warnings: string[] = []): DeviceMapper {
  return DeviceMapper.open({ ...options, onWarning: (message) => warnings.push(message) });
}

describe.each(['cookie', 'monitor'] as const)('udevSync %s', (udevSync) => {
  it('create and remove: udev’s link is there, then gone, at return, 50 times over', () => {
    const dm = open({ udevSync });
    try {
      for (let i = 0; i < 50; i++) {
        const name = names.of(`${udevSync}${i}`);
        const info = dm.createDevice(name, zero);
        expect(mapperEntry(name)).toBe(`../dm-${info.minor}`);
        // By name: the kernel answers a removal by name with dev 0.
        dm.remove(i % 2 === 0 ? byDev(info) : { name });
        expect(mapperEntry(name)).toBeUndefined();
      }
      expect(cookieSemaphores()).toEqual([]);
    } finally {
      dm.close();
    }
  }, 600_000);

  it('create, load+resume, rename and remove: udev’s links (and by-id) are right at return', () => {
    const dm = open({ udevSync });
    try {
      for (let i = 0; i < 5; i++) {
        const name = names.of(`${udevSync}-seq${i}`);
        const info = dm.createDevice(name, zero);
        expect(mapperEntry(name)).toBe(`../dm-${info.minor}`);
        expect(existsSync(`/dev/disk/by-id/dm-name-${name}`)).toBe(true);
        dm.load(byDev(info), zero);
        dm.resume(byDev(info));
        expect(mapperEntry(name)).toBe(`../dm-${info.minor}`);
        const renamed = `${name}r`;
        dm.rename(byDev(info), renamed);
        expect(mapperEntry(renamed)).toBe(`../dm-${info.minor}`);
        expect(mapperEntry(name)).toBeUndefined();
        expect(existsSync(`/dev/disk/by-id/dm-name-${renamed}`)).toBe(true);
        dm.remove(byDev(info));
        expect(mapperEntry(renamed)).toBeUndefined();
        expect(cookieSemaphores()).toEqual([]);
      }
    } finally {
      dm.close();
    }
  }, 600_000);

  it('the async forms wait for udev too', async () => {
    const dm = open({ udevSync });
    try {
      const name = names.of(`${udevSync}-async`);
      const info = await dm.createDeviceAsync(name, zero);
      expect(mapperEntry(name)).toBe(`../dm-${info.minor}`);
      await dm.renameAsync(byDev(info), `${name}r`);
      expect(mapperEntry(`${name}r`)).toBe(`../dm-${info.minor}`);
      await dm.removeAsync(byDev(info));
      expect(mapperEntry(`${name}r`)).toBeUndefined();
      expect(cookieSemaphores()).toEqual([]);
    } finally {
      dm.close();
    }
  });
});

describe('200 create/remove cycles with udev running', () => {
  it('leave no semaphore, fd or device behind', () => {
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const dm = open({ udevSync: 'cookie' });
    const before = fds();
    try {
      for (let i = 0; i < 200; i++) {
        const info = dm.createDevice(names.of(`cycle${i}`), zero);
        dm.remove(byDev(info));
      }
      expect(fds()).toBe(before);
      expect(cookieSemaphores()).toEqual([]);
      expect(dm.list().filter((device) => device.name.startsWith(names.prefix))).toEqual([]);
    } finally {
      dm.close();
    }
  }, 900_000);
});

describe('monitor mode', () => {
  it('never makes a semaphore, even during the wait', async () => {
    const dm = open({ udevSync: 'monitor' });
    try {
      const seen: string[][] = [];
      const watching = setInterval(() => seen.push(cookieSemaphores()), 5);
      const info = await dm.createDeviceAsync(names.of('nosem'), zero);
      await dm.removeAsync(byDev(info));
      clearInterval(watching);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.flat()).toEqual([]);
    } finally {
      dm.close();
    }
  });
});

describe('a udev that never completes (95-dm-notify masked)', () => {
  it('create returns after the time-out with a warning naming the cookie, the device and a node of the library, and no semaphore', () => {
    const unmask = maskRule('95-dm-notify.rules');
    const warnings: string[] = [];
    const dm = open({ udevSync: 'cookie', udevTimeoutMs: 3000 }, warnings);
    try {
      const started = Date.now();
      const info = dm.createDevice(names.of('slow'), zero);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(3000);
      expect(took).toBeLessThan(10_000);
      expect(warnings.some((line) => /udev did not complete cookie 0x[0-9A-F]{8} in time/.test(line))).toBe(true);
      expect(dm.info(byDev(info)).liveTable).toBe(true);
      expect(mapperEntry(names.of('slow'))).toBeDefined();
      expect(cookieSemaphores()).toEqual([]);
    } finally {
      dm.close();
      unmask();
    }
  });
});
