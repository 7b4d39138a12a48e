/**
 * DeviceMapper's device life cycle against the real kernel: create, load, clear, resume, suspend,
 * rename, setUuid, info, status, deps, removeAll and the createDevice composite. Each step is
 * checked by reading the kernel's state back through the library and, independently, with dmsetup.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper, type TableRow } from '../../lib/index.js';
import { makeLoopDevice, type LoopDevice } from '../helpers/loop.js';
import { catchDmError, dmsetup, dmsetupDeps, dmsetupDevices, dmsetupInfo, dmsetupRows, dmsetupStatus, trimmedStatus, zeroTable, useKernelFixture } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('lib-lifecycle');
const DM_MAJOR = 254;

function loop(sizeMiB = 8): LoopDevice {
  const device = makeLoopDevice(sizeMiB);
  loops.push(device);
  return device;
}

describe('create', () => {
  it('makes a device with no table, with the uuid and the persistent minor asked for', () => {
    const name = names.of('create');
    const info = dm.create(name, { uuid: 'TSDMT-LIFECYCLE-CREATE', dev: { major: DM_MAJOR, minor: 4321 }, readOnly: true });
    expect(info).toMatchObject({
      name,
      uuid: 'TSDMT-LIFECYCLE-CREATE',
      major: DM_MAJOR,
      minor: 4321,
      openCount: 0,
      targetCount: 0,
      liveTable: false,
      inactiveTable: false,
      suspended: false,
    });
    expect(dm.info({ name })).toEqual(info);
    expect(dmsetupInfo(name)).toMatchObject({
      name,
      uuid: 'TSDMT-LIFECYCLE-CREATE',
      major: DM_MAJOR,
      minor: 4321,
      live: false,
      inactive: false,
    });
  });

  it('without a uuid, the device has an empty one and the kernel picks the minor', () => {
    const name = names.of('plain');
    const info = dm.create(name);
    expect(info.uuid).toBe('');
    expect(info.major).toBe(DM_MAJOR);
    expect(dmsetupInfo(name)).toMatchObject({ uuid: '', major: DM_MAJOR, minor: info.minor });
  });
});

describe('load, clear and resume', () => {
  const rows: TableRow[] = [
    { start: 0, length: 1024, type: 'zero', params: '' },
    { start: 1024, length: 512, type: 'error', params: '' },
    { start: 1536, length: 512, type: 'zero', params: '' },
  ];

  it('load puts the rows in the inactive slot; the live table stays empty', () => {
    const name = names.of('load');
    dm.create(name);
    const loaded = dm.load({ name }, rows);
    expect(loaded).toMatchObject({ name, liveTable: false, inactiveTable: true });

    expect(dm.table({ name }, { inactive: true }).rows).toEqual(rows);
    expect(dm.table({ name }).rows).toEqual([]);
    expect(dm.info({ name }, { inactive: true })).toMatchObject({ targetCount: 3, inactiveTable: true, readOnly: false });
    expect(dmsetupRows('table', name, true)).toEqual(rows);
    expect(dmsetupRows('table', name)).toEqual([]);
    expect(dmsetupInfo(name)).toMatchObject({ live: false, inactive: true, segments: 0 });
  });

  it('resume makes the inactive table live', () => {
    const name = names.of('resume');
    dm.create(name);
    dm.load({ name }, rows);
    const resumed = dm.resume({ name });
    expect(resumed).toMatchObject({ liveTable: true, inactiveTable: false, suspended: false, targetCount: 3 });
    expect(dm.table({ name }).rows).toEqual(rows);
    expect(dmsetupRows('table', name)).toEqual(rows);
    expect(dmsetupInfo(name)).toMatchObject({ live: true, inactive: false, suspended: false, segments: 3 });
  });

  it('a reload of a live device swaps tables on resume (a resize)', () => {
    const name = names.of('reload');
    dm.createDevice(name, zeroTable(2048));
    dm.load({ name }, zeroTable(4096));
    expect(dmsetupInfo(name)).toMatchObject({ live: true, inactive: true });
    expect(dm.table({ name }).rows).toEqual(zeroTable(2048));
    dm.resume({ name });
    expect(dm.table({ name }).rows).toEqual(zeroTable(4096));
    expect(dmsetupRows('table', name)).toEqual(zeroTable(4096));
    expect(dmsetupInfo(name)).toMatchObject({ live: true, inactive: false });
  });

  it('load with readOnly gives a read-only device once live', () => {
    const name = names.of('readonly');
    dm.create(name, { readOnly: true });
    dm.load({ name }, zeroTable(2048), { readOnly: true });
    expect(dm.info({ name }, { inactive: true }).readOnly).toBe(true);
    const info = dm.resume({ name });
    expect(info.readOnly).toBe(true);
    expect(dmsetupInfo(name)).toMatchObject({ live: true, readOnly: true });
    expect(dmsetup('info', name)).toMatch(/^State: +ACTIVE \(READ-ONLY\)$/m);
  });

  it('load with secure is accepted and the table reads back as loaded (a crypt key)', () => {
    const name = names.of('secure');
    const backing = loop();
    const key = 'a'.repeat(64);
    const table: TableRow[] = [
      { start: 0, length: 2048, type: 'crypt', params: `aes-cbc-essiv:sha256 ${key} 0 ${backing.major}:${backing.minor} 0` },
    ];
    dm.create(name);
    dm.load({ name }, table, { secure: true });
    dm.resume({ name });
    expect(dm.table({ name }, { showKeys: true }).rows).toEqual(table);
    // Without showKeys the key is not text: zeros in params, the key itself in a SecretKey.
    const [kept] = dm.table({ name }).rows;
    expect(kept!.params).toBe(table[0]!.params.replace(key, '0'.repeat(64)));
    expect(kept!.secret!.keys()[0]!.withBytes((bytes) => bytes.equals(Buffer.alloc(32, 0xaa)))).toBe(true);
    kept!.secret!.dispose();
    expect(dmsetupRows('table', name).map((row) => row.type)).toEqual(['crypt']);
    expect(dmsetup('table', '--showkeys', name)).toContain(key);
  });

  it('clear drops the inactive table and keeps the live one', () => {
    const name = names.of('clear');
    dm.createDevice(name, zeroTable(2048));
    dm.load({ name }, zeroTable(8192));
    expect(dm.info({ name }).inactiveTable).toBe(true);
    const cleared = dm.clear({ name });
    expect(cleared).toMatchObject({ liveTable: true, inactiveTable: false });
    expect(dm.table({ name }, { inactive: true }).rows).toEqual([]);
    expect(dm.table({ name }).rows).toEqual(zeroTable(2048));
    expect(dmsetupInfo(name)).toMatchObject({ live: true, inactive: false });
    expect(dmsetupRows('table', name)).toEqual(zeroTable(2048));
  });
});

describe('suspend and resume', () => {
  function linearDevice(suffix: string): string {
    const backing = loop();
    const name = names.of(suffix);
    dm.createDevice(name, [{ start: 0, length: backing.sectors, type: 'linear', params: `${backing.path} 0` }]);
    return name;
  }

  it('suspend and resume, synchronously', () => {
    const name = linearDevice('sync');
    expect(dm.suspend({ name }).suspended).toBe(true);
    expect(dm.info({ name }).suspended).toBe(true);
    expect(dmsetupInfo(name)?.suspended).toBe(true);
    expect(dm.resume({ name }).suspended).toBe(false);
    expect(dmsetupInfo(name)?.suspended).toBe(false);
  });

  it('suspend with noFlush and noLockfs', () => {
    const name = linearDevice('noflush');
    expect(dm.suspend({ name }, { noFlush: true, noLockfs: true }).suspended).toBe(true);
    expect(dmsetupInfo(name)?.suspended).toBe(true);
    expect(dm.resume({ name }, { noFlush: true }).suspended).toBe(false);
    expect(dmsetupInfo(name)?.suspended).toBe(false);
  });

  it('suspendAsync and resumeAsync', async () => {
    const name = linearDevice('async');
    const suspended = await dm.suspendAsync({ name }, { noLockfs: true });
    expect(suspended.suspended).toBe(true);
    expect(dmsetupInfo(name)?.suspended).toBe(true);
    const resumed = await dm.resumeAsync({ name });
    expect(resumed.suspended).toBe(false);
    expect(dmsetupInfo(name)?.suspended).toBe(false);
  });

  it('async suspends and resumes of several devices at once, on one handle', async () => {
    const devices = ['many-1', 'many-2', 'many-3'].map((suffix) => linearDevice(suffix));
    const suspended = await Promise.all(devices.map((name) => dm.suspendAsync({ name })));
    expect(suspended.map((info) => [info.name, info.suspended])).toEqual(devices.map((name) => [name, true]));
    expect(devices.map((name) => dmsetupInfo(name)?.suspended)).toEqual([true, true, true]);
    const resumed = await Promise.all(devices.map((name) => dm.resumeAsync({ name })));
    expect(resumed.map((info) => [info.name, info.suspended])).toEqual(devices.map((name) => [name, false]));
    expect(devices.map((name) => dmsetupInfo(name)?.suspended)).toEqual([false, false, false]);
  });

  it('a device suspended by dmsetup is seen suspended, and our resume revives it', () => {
    const name = linearDevice('witness');
    dmsetup('suspend', name);
    expect(dm.info({ name }).suspended).toBe(true);
    dm.resume({ name });
    expect(dmsetupInfo(name)?.suspended).toBe(false);
  });
});

describe('rename and setUuid', () => {
  it('rename moves the device to the new name and returns its state under it', () => {
    const name = names.of('old');
    const newName = names.of('new');
    const created = dm.createDevice(name, zeroTable(2048));
    const renamed = dm.rename({ name }, newName);
    expect(renamed).toMatchObject({ name: newName, major: created.major, minor: created.minor });
    expect(dm.tryInfo({ name })).toBeUndefined();
    expect(dm.info({ name: newName })).toMatchObject({ major: created.major, minor: created.minor });
    expect(dmsetupInfo(name)).toBeUndefined();
    expect(dmsetupInfo(newName)).toMatchObject({ major: created.major, minor: created.minor });
  });

  it('setUuid gives a device without a uuid one, and returns it', () => {
    const name = names.of('setuuid');
    dm.createDevice(name, zeroTable(2048));
    const info = dm.setUuid({ name }, 'TSDMT-LIFECYCLE-SETUUID');
    expect(info).toMatchObject({ name, uuid: 'TSDMT-LIFECYCLE-SETUUID' });
    expect(dm.info({ uuid: 'TSDMT-LIFECYCLE-SETUUID' }).name).toBe(name);
    expect(dmsetupInfo(name)?.uuid).toBe('TSDMT-LIFECYCLE-SETUUID');
  });

  it('setUuid and rename of a device addressed by its number', () => {
    const name = names.of('bynumber');
    const created = dm.createDevice(name, zeroTable(2048));
    const byNumber = { major: created.major, minor: created.minor };
    expect(dm.setUuid(byNumber, 'TSDMT-LIFECYCLE-BYNUMBER')).toMatchObject({ name, uuid: 'TSDMT-LIFECYCLE-BYNUMBER' });
    expect(dm.rename(byNumber, names.of('bynumber-2')).name).toBe(names.of('bynumber-2'));
    expect(dmsetupInfo(names.of('bynumber-2'))).toMatchObject({ uuid: 'TSDMT-LIFECYCLE-BYNUMBER', minor: created.minor });
  });
});

describe('info, status and deps', () => {
  it('info agrees with dmsetup on every field dmsetup reports', () => {
    const name = names.of('info');
    dm.createDevice(name, zeroTable(2048), { uuid: 'TSDMT-LIFECYCLE-INFO' });
    dm.load({ name }, zeroTable(1024));
    const info = dm.info({ name });
    const theirs = dmsetupInfo(name)!;
    expect(info).toMatchObject({
      name: theirs.name,
      uuid: theirs.uuid,
      major: theirs.major,
      minor: theirs.minor,
      openCount: theirs.open,
      eventNr: theirs.events,
      targetCount: theirs.segments,
      liveTable: theirs.live,
      inactiveTable: theirs.inactive,
      suspended: theirs.suspended,
      readOnly: theirs.readOnly,
    });
  });

  it('tryInfo gives undefined for a missing device and the state for a present one', () => {
    const name = names.of('tryinfo');
    expect(dm.tryInfo({ name })).toBeUndefined();
    dm.create(name);
    expect(dm.tryInfo({ name })?.name).toBe(name);
  });

  it('status gives each target’s status line, as dmsetup status does', () => {
    const name = names.of('status');
    const backing = loop();
    const rows: TableRow[] = [
      { start: 0, length: 1024, type: 'linear', params: `${backing.major}:${backing.minor} 0` },
      { start: 1024, length: 1024, type: 'zero', params: '' },
    ];
    dm.createDevice(name, rows);
    const status = dm.status({ name });
    expect(status.info.name).toBe(name);
    expect(status.rows.map(({ start, length, type }) => ({ start, length, type }))).toEqual([
      { start: 0, length: 1024, type: 'linear' },
      { start: 1024, length: 1024, type: 'zero' },
    ]);
    expect(trimmedStatus(status.rows)).toEqual(dmsetupStatus(name));
    // The table form names the backing device by number.
    expect(dm.table({ name }).rows).toEqual(rows);
    expect(dmsetupRows('table', name)).toEqual(rows);
  });

  it('deps lists the loop devices under a linear device, as dmsetup deps does', () => {
    const name = names.of('deps');
    const first = loop();
    const second = loop();
    dm.createDevice(name, [
      { start: 0, length: 2048, type: 'linear', params: `${first.path} 0` },
      { start: 2048, length: 2048, type: 'linear', params: `${second.path} 2048` },
      { start: 4096, length: 2048, type: 'linear', params: `${first.path} 4096` },
    ]);
    const { info, deps } = dm.deps({ name });
    expect(info.name).toBe(name);
    const sorted = (list: { major: number; minor: number }[]): string[] => list.map((d) => `${d.major}:${d.minor}`).sort();
    expect(sorted(deps)).toEqual(sorted([first, second]));
    expect(sorted(deps)).toEqual(sorted(dmsetupDeps(name)));
  });

  it('deps of an inactive table', () => {
    const name = names.of('deps-inactive');
    const backing = loop();
    dm.createDevice(name, zeroTable(2048));
    dm.load({ name }, [{ start: 0, length: 2048, type: 'linear', params: `${backing.path} 0` }]);
    expect(dm.deps({ name }).deps).toEqual([]);
    expect(dm.deps({ name }, { inactive: true }).deps).toEqual([{ major: backing.major, minor: backing.minor }]);
  });
});

describe('removeAll', () => {
  it('removes every device that is not in use', () => {
    dm.create(names.of('all-1'));
    dm.createDevice(names.of('all-2'), zeroTable(2048));
    dm.createDevice(names.of('all-3'), zeroTable(2048), { uuid: 'TSDMT-LIFECYCLE-ALL' });
    expect(dmsetupDevices(names.prefix)).toHaveLength(3);
    dm.removeAll();
    expect(dmsetupDevices(names.prefix)).toEqual([]);
    expect(dm.list().filter((device) => device.name.startsWith(names.prefix))).toEqual([]);
  });
});

describe('createDevice', () => {
  it('creates, loads and resumes: a live device in one call', () => {
    const name = names.of('composite');
    const info = dm.createDevice(name, zeroTable(2048), { uuid: 'TSDMT-LIFECYCLE-COMPOSITE', readOnly: true });
    expect(info).toMatchObject({ name, uuid: 'TSDMT-LIFECYCLE-COMPOSITE', liveTable: true, suspended: false, readOnly: true });
    expect(dmsetupInfo(name)).toMatchObject({ uuid: 'TSDMT-LIFECYCLE-COMPOSITE', live: true, suspended: false, readOnly: true });
    expect(dmsetupRows('table', name)).toEqual(zeroTable(2048));
  });

  it('a table the kernel refuses leaves no device behind, and frees the name and uuid', () => {
    const name = names.of('refused');
    const error = catchDmError(() =>
      dm.createDevice(name, [{ start: 0, length: 2048, type: 'linear', params: '/dev/tsdmt-no-such-device 0' }], {
        uuid: 'TSDMT-LIFECYCLE-REFUSED',
      }),
    );
    expect(error).toMatchObject({ kind: 'ioctl', code: 'ENODEV', command: 'TABLE_LOAD', operation: 'reload' });
    expect(dm.tryInfo({ name })).toBeUndefined();
    expect(dm.tryInfo({ uuid: 'TSDMT-LIFECYCLE-REFUSED' })).toBeUndefined();
    expect(dmsetupDevices(names.prefix)).toEqual([]);
    // Both are free again.
    expect(dm.createDevice(name, zeroTable(8), { uuid: 'TSDMT-LIFECYCLE-REFUSED' }).liveTable).toBe(true);
  });

  it('a table with bad parameters (EINVAL) leaves no device behind either', () => {
    const name = names.of('badparams');
    const error = catchDmError(() => dm.createDevice(name, [{ start: 0, length: 2048, type: 'linear', params: '/dev/null' }]));
    expect(error).toMatchObject({ kind: 'ioctl', code: 'EINVAL', command: 'TABLE_LOAD', operation: 'reload' });
    expect(dm.tryInfo({ name })).toBeUndefined();
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });
});
