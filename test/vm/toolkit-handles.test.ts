/**
 * Device handles against the real kernel: a handle follows its device across renames (with and
 * without a uuid: the sysfs node tells a rename from a replacement), refuses a device number
 * reused by another device (ESTALE) and a removed device (ENXIO) without touching anything, and
 * `using` / `await using` remove the device at the end of the scope (deferred while it is open).
 * dmsetup is the witness.
 */
import { describe, expect, it } from 'vitest';
import { createDeviceHandle, createDeviceHandleAsync, deviceHandle } from '../../lib/index.js';
import { catchDmError, dmsetupInfo, dmsetupRows, eventually, Openers, useKernelFixture, zeroTable } from './lib-support.js';

const openers = new Openers();
const { dm, names } = useKernelFixture('toolkit-handles', { beforeCleanup: () => openers.closeAll() });

describe('a device handle', () => {
  it('follows a rename made through it and one made by someone else (no uuid: same sysfs node)', () => {
    const handle = createDeviceHandle(dm, names.of('a'), zeroTable(2048));
    handle.rename(names.of('b'));
    expect(handle.name).toBe(names.of('b'));
    expect(handle.path).toBe(`/dev/mapper/${names.of('b')}`);
    dm.rename({ name: names.of('b') }, names.of('c'));
    expect(handle.info()).toMatchObject({ name: names.of('c'), major: handle.dev.major, minor: handle.dev.minor });
    handle.suspend();
    expect(dmsetupInfo(names.of('c'))).toMatchObject({ suspended: true });
    handle.resume();
    expect(handle.table().rows).toEqual(zeroTable(2048));
    expect(handle.status().rows[0]?.type).toBe('zero');
  });

  it('follows a device with a uuid renamed elsewhere, and loads, messages and reads its deps by number', () => {
    const handle = createDeviceHandle(dm, names.of('u'), zeroTable(2048), { uuid: 'TSDMT-HANDLES-U' });
    dm.rename({ uuid: 'TSDMT-HANDLES-U' }, names.of('u2'));
    handle.load(zeroTable(4096));
    expect(dmsetupInfo(names.of('u2'))).toMatchObject({ inactive: true });
    handle.resume();
    expect(dmsetupRows('table', names.of('u2'))).toEqual(zeroTable(4096));
    expect(handle.name).toBe(names.of('u2'));
    expect(handle.deps().deps).toEqual([]);
    expect(handle.message(0, '@cancel_deferred_remove')).toBeUndefined();
  });

  it('refuses a number reused by another device (ESTALE) and leaves that device alone', () => {
    const handle = createDeviceHandle(dm, names.of('old'), zeroTable(2048));
    dm.remove({ name: names.of('old') });
    const other = dm.createDevice(names.of('new'), zeroTable(1024), { dev: handle.dev });
    expect(other).toMatchObject(handle.dev);
    for (const verb of [() => handle.suspend(), () => handle.remove(), () => handle.load(zeroTable(8)), () => handle.table()]) {
      expect(catchDmError(verb)).toMatchObject({ code: 'ESTALE', kind: 'invalid-argument' });
    }
    expect(dmsetupInfo(names.of('new'))).toMatchObject({ live: true, inactive: false, suspended: false });
    expect(dmsetupRows('table', names.of('new'))).toEqual(zeroTable(1024));
  });

  it('a removed device: ENXIO saying so; disposal then does nothing', () => {
    const handle = deviceHandle(dm, { name: dm.createDevice(names.of('gone'), zeroTable(2048)).name });
    dm.remove({ name: names.of('gone') });
    const error = catchDmError(() => handle.info());
    expect(error).toMatchObject({ code: 'ENXIO', kind: 'ioctl' });
    expect(error.message).toContain(`the device ${names.of('gone')} (${handle.dev.major}:${handle.dev.minor}) was removed`);
    expect(() => handle[Symbol.dispose]()).not.toThrow();
  });

  it('using: removed at the end of the scope', () => {
    {
      using handle = createDeviceHandle(dm, names.of('scoped'), zeroTable(2048));
      expect(dmsetupInfo(handle.name)).toMatchObject({ live: true });
    }
    expect(dmsetupInfo(names.of('scoped'))).toBeUndefined();
  });

  it('await using: a device still open is removed deferred, and goes when it is closed', async () => {
    let minor = -1;
    {
      await using handle = await createDeviceHandleAsync(dm, names.of('busy'), zeroTable(2048));
      minor = handle.dev.minor;
      openers.open(minor);
    }
    expect(dm.info({ name: names.of('busy') })).toMatchObject({ deferredRemove: true, openCount: 1 });
    openers.closeAll();
    expect(await eventually(() => dmsetupInfo(names.of('busy')) === undefined)).toBe(true);
    expect(minor).toBeGreaterThanOrEqual(0);
  });
});
