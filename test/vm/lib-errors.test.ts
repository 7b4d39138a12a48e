/**
 * Failures against the real kernel: every refusal is a DmError whose `code` is the kernel's errno
 * name and whose `command` and `operation` say which ioctl failed; arguments the kernel would refuse
 * are refused before any ioctl (kind 'invalid-argument', no command). Each test also checks that
 * the failure changed nothing in the kernel, with dmsetup.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper, DmError, type TableRow } from '../../lib/index.js';
import { makeLoopDevice } from '../helpers/loop.js';
import { catchDmError, catchDmErrorAsync, dmsetupDevices, dmsetupInfo, dmsetupRows, zeroTable, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('lib-errors');

describe('the kernel refuses', () => {
  it('a duplicate name: EBUSY from DEV_CREATE, and the first device is untouched', () => {
    const name = names.of('dup');
    dm.create(name, { uuid: 'TSDMT-ERRORS-DUP-1' });
    const error = catchDmError(() => dm.create(name, { uuid: 'TSDMT-ERRORS-DUP-2' }));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EBUSY', errno: 16, command: 'DEV_CREATE', operation: 'create' });
    expect(error.message).toContain(name);
    expect(dmsetupInfo(name)?.uuid).toBe('TSDMT-ERRORS-DUP-1');
    expect(dm.tryInfo({ uuid: 'TSDMT-ERRORS-DUP-2' })).toBeUndefined();
  });

  it('a duplicate uuid: EBUSY from DEV_CREATE, and no second device', () => {
    dm.create(names.of('uuid-1'), { uuid: 'TSDMT-ERRORS-SAME' });
    const error = catchDmError(() => dm.create(names.of('uuid-2'), { uuid: 'TSDMT-ERRORS-SAME' }));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EBUSY', command: 'DEV_CREATE', operation: 'create' });
    expect(dmsetupDevices(names.prefix).map((device) => device.name)).toEqual([names.of('uuid-1')]);
  });

  it('a persistent minor already in use: ENXIO from DEV_CREATE (the kernel cannot allocate it)', () => {
    const first = dm.create(names.of('minor-1'));
    const error = catchDmError(() => dm.create(names.of('minor-2'), { dev: { major: first.major, minor: first.minor } }));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'ENXIO', command: 'DEV_CREATE', operation: 'create' });
    expect(error.hint).toMatch(/device number/);
    expect(dmsetupInfo(names.of('minor-2'))).toBeUndefined();
  });

  it('a table with bad target parameters: EINVAL from TABLE_LOAD; nothing is loaded', () => {
    const name = names.of('badparams');
    dm.createDevice(name, zeroTable(2048));
    const error = catchDmError(() => dm.load({ name }, [{ start: 0, length: 2048, type: 'linear', params: '7:0' }]));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EINVAL', errno: 22, command: 'TABLE_LOAD', operation: 'reload', device: { name } });
    expect(error.hint).toBeDefined();
    expect(dmsetupInfo(name)).toMatchObject({ live: true, inactive: false });
    expect(dmsetupRows('table', name)).toEqual(zeroTable(2048));
  });

  it('a table over a device that does not exist: ENODEV from TABLE_LOAD', () => {
    const name = names.of('nodev');
    dm.create(name);
    const error = catchDmError(() =>
      dm.load({ name }, [{ start: 0, length: 2048, type: 'linear', params: '/dev/tsdmt-no-such-disk 0' }]),
    );
    expect(error).toMatchObject({ kind: 'ioctl', code: 'ENODEV', command: 'TABLE_LOAD', operation: 'reload' });
    expect(dmsetupInfo(name)).toMatchObject({ live: false, inactive: false });
  });

  it('a table reaching past the end of its device: EINVAL from TABLE_LOAD', () => {
    const backing = makeLoopDevice(1);
    loops.push(backing);
    const name = names.of('toobig');
    dm.create(name);
    const rows: TableRow[] = [{ start: 0, length: backing.sectors + 8, type: 'linear', params: `${backing.path} 0` }];
    expect(catchDmError(() => dm.load({ name }, rows))).toMatchObject({ code: 'EINVAL', command: 'TABLE_LOAD' });
    expect(dmsetupInfo(name)?.inactive).toBe(false);
  });

  it('a rename onto an existing name: EBUSY from DEV_RENAME; both devices keep their names', () => {
    const a = dm.create(names.of('ren-a'));
    const b = dm.create(names.of('ren-b'));
    const error = catchDmError(() => dm.rename({ name: a.name }, b.name));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EBUSY', command: 'DEV_RENAME', operation: 'rename' });
    expect(dmsetupInfo(a.name)?.minor).toBe(a.minor);
    expect(dmsetupInfo(b.name)?.minor).toBe(b.minor);
  });

  it('a rename of a missing device: ENXIO from DEV_RENAME', () => {
    const error = catchDmError(() => dm.rename({ name: names.of('nobody') }, names.of('somebody')));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'ENXIO', command: 'DEV_RENAME', operation: 'rename' });
    expect(dmsetupInfo(names.of('somebody'))).toBeUndefined();
  });

  it('setUuid on a device that has a uuid: EINVAL from DEV_RENAME; the uuid stays', () => {
    const name = names.of('hasuuid');
    dm.create(name, { uuid: 'TSDMT-ERRORS-FIRST' });
    const error = catchDmError(() => dm.setUuid({ name }, 'TSDMT-ERRORS-SECOND'));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EINVAL', command: 'DEV_RENAME', operation: 'rename' });
    expect(dmsetupInfo(name)?.uuid).toBe('TSDMT-ERRORS-FIRST');
  });

  it('setUuid to a uuid another device has: EBUSY from DEV_RENAME', () => {
    dm.create(names.of('owner'), { uuid: 'TSDMT-ERRORS-TAKEN' });
    const name = names.of('nouuid');
    dm.create(name);
    const error = catchDmError(() => dm.setUuid({ name }, 'TSDMT-ERRORS-TAKEN'));
    expect(error).toMatchObject({ code: 'EBUSY', command: 'DEV_RENAME', operation: 'rename' });
    expect(dmsetupInfo(name)?.uuid).toBe('');
  });

  it('suspend, resume and message on a missing device: ENXIO, sync and async', async () => {
    const device = { name: names.of('ghost') };
    expect(catchDmError(() => dm.suspend(device))).toMatchObject({ code: 'ENXIO', command: 'DEV_SUSPEND', operation: 'suspend' });
    expect(catchDmError(() => dm.resume(device))).toMatchObject({ code: 'ENXIO', command: 'DEV_SUSPEND', operation: 'resume' });
    expect(await catchDmErrorAsync(dm.suspendAsync(device))).toMatchObject({ code: 'ENXIO', command: 'DEV_SUSPEND', operation: 'suspend' });
    expect(await catchDmErrorAsync(dm.resumeAsync(device))).toMatchObject({ code: 'ENXIO', command: 'DEV_SUSPEND', operation: 'resume' });
    expect(catchDmError(() => dm.message(device, 0, '@stats_list'))).toMatchObject({ code: 'ENXIO', command: 'TARGET_MSG', operation: 'message' });
    expect(catchDmError(() => dm.clear(device))).toMatchObject({ code: 'ENXIO', command: 'TABLE_CLEAR', operation: 'clear' });
    expect(catchDmError(() => dm.load(device, zeroTable(8)))).toMatchObject({ code: 'ENXIO', command: 'TABLE_LOAD', operation: 'reload' });
  });

  it('a message the target does not know: EINVAL from TARGET_MSG', () => {
    const name = names.of('msg');
    dm.createDevice(name, zeroTable(2048));
    expect(catchDmError(() => dm.message({ name }, 0, 'no-such-message'))).toMatchObject({
      kind: 'ioctl',
      code: 'EINVAL',
      command: 'TARGET_MSG',
      operation: 'message',
    });
    expect(catchDmError(() => dm.message({ name }, 0, '@no_such_core_message'))).toMatchObject({ code: 'EINVAL', command: 'TARGET_MSG' });
  });

  it('a target type it does not know: EINVAL from GET_TARGET_VERSION', () => {
    expect(catchDmError(() => dm.targetVersion('tsdmt-nosuch'))).toMatchObject({
      kind: 'ioctl',
      code: 'EINVAL',
      command: 'GET_TARGET_VERSION',
      operation: 'target-version',
    });
  });

  it('a name with "/" when our own check is bypassed (raw ioctl): EINVAL', () => {
    // No mangling: auto mode (the default) would send `a\x2fb`, which the kernel takes.
    using raw = DeviceMapper.open({ nameMangling: 'none' });
    const error = catchDmError(() =>
      raw.ioctl.run({ command: 'DEV_CREATE', operation: 'create', name: `${names.prefix}a/b` }, () => undefined),
    );
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EINVAL', command: 'DEV_CREATE' });
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });
});

describe('refused before any ioctl (kind invalid-argument)', () => {
  function expectRefused(call: () => unknown): DmError {
    const error = catchDmError(call);
    expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EINVAL', command: undefined });
    return error;
  }

  it('a name of 128 bytes; 127 bytes is the longest the kernel takes', () => {
    const longest = names.prefix + 'n'.repeat(127 - names.prefix.length);
    expectRefused(() => dm.create(`${longest}n`));
    expect(dmsetupDevices(names.prefix)).toEqual([]);
    expect(dm.create(longest).name).toBe(longest);
    expect(dmsetupInfo(longest)?.name).toBe(longest);
  });

  it('a uuid of 129 bytes; 128 bytes is the longest the kernel takes', () => {
    const longest = 'U'.repeat(128);
    expectRefused(() => dm.create(names.of('uuid129'), { uuid: `${longest}U` }));
    expect(dmsetupDevices(names.prefix)).toEqual([]);
    expect(dm.create(names.of('uuid128'), { uuid: longest }).uuid).toBe(longest);
    expect(dmsetupInfo(names.of('uuid128'))?.uuid).toBe(longest);
    expectRefused(() => dm.info({ uuid: `${longest}U` }));
  });

  it('a name with "/", for create and for rename', () => {
    const error = expectRefused(() => dm.create(`${names.prefix}a/b`));
    expect(error.message).toContain('/');
    const name = names.of('slash');
    dm.create(name);
    expectRefused(() => dm.rename({ name }, `${names.prefix}c/d`));
    expect(dmsetupDevices(names.prefix).map((device) => device.name)).toEqual([name]);
  });

  it('an empty name or uuid', () => {
    expectRefused(() => dm.create(''));
    expectRefused(() => dm.create(names.of('emptyuuid'), { uuid: '' }));
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });

  it('tables with a gap, an overlap, a zero length, or no rows; the device keeps no inactive table', () => {
    const name = names.of('table');
    dm.create(name);
    const gap: TableRow[] = [
      { start: 0, length: 8, type: 'zero', params: '' },
      { start: 16, length: 8, type: 'zero', params: '' },
    ];
    const overlap: TableRow[] = [
      { start: 0, length: 8, type: 'zero', params: '' },
      { start: 4, length: 8, type: 'zero', params: '' },
    ];
    expect(expectRefused(() => dm.load({ name }, gap)).message).toMatch(/gaps/);
    expectRefused(() => dm.load({ name }, overlap));
    expectRefused(() => dm.load({ name }, [{ start: 0, length: 0, type: 'zero', params: '' }]));
    expectRefused(() => dm.load({ name }, [{ start: 8, length: 8, type: 'zero', params: '' }]));
    expect(expectRefused(() => dm.load({ name }, [])).message).toMatch(/at least one row/);
    expect(dmsetupInfo(name)).toMatchObject({ live: false, inactive: false });
  });

  it('createDevice with an empty table makes no device at all', () => {
    expectRefused(() => dm.createDevice(names.of('empty'), []));
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });

  it('bad retry, geometry and event numbers', () => {
    const name = names.of('args');
    dm.createDevice(name, zeroTable(8));
    expectRefused(() => dm.remove({ name }, { retry: { attempts: 0 } }));
    expectRefused(() => dm.setGeometry({ name }, { cylinders: -1, heads: 1, sectors: 1, start: 0 }));
    expectRefused(() => dm.waitEvent({ name }, -1));
    expectRefused(() => dm.message({ name }, -1, '@stats_list'));
    expect(dmsetupInfo(name)?.live).toBe(true);
  });

  it('any call on a closed handle (EBADF)', () => {
    const closed = DeviceMapper.open();
    closed.close();
    expect(catchDmError(() => closed.list())).toMatchObject({ kind: 'invalid-argument', code: 'EBADF' });
    expect(catchDmError(() => closed.info({ name: names.of('x') }))).toMatchObject({ code: 'EBADF' });
  });
});
