/**
 * list(): each device's name, major:minor, event number and uuid, as the kernel reports them and as
 * dmsetup sees them; and version, driverVersion, targets and targetVersion against dmsetup's.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper } from '../../lib/index.js';
import { dmsetup, dmsetupDevices, zeroTable, useKernelFixture } from './lib-support.js';

const { dm, names } = useKernelFixture('lib-list');

const ours = (): ReturnType<DeviceMapper['list']> => dm.list().filter((device) => device.name.startsWith(names.prefix));

describe('list', () => {
  it('reports name, major:minor, event number and uuid of each device, as dmsetup does', () => {
    dm.create(names.of('b-notable'));
    dm.createDevice(names.of('a-live'), zeroTable(2048), { uuid: 'TSDMT-LIST-A' });
    const c = dm.createDevice(names.of('c-events'), zeroTable(2048));
    // Two events on c (a setUuid and a rename each raise one).
    dm.setUuid({ name: c.name }, 'TSDMT-LIST-C');
    dm.rename({ name: c.name }, names.of('c-renamed'));

    const listed = ours();
    // In the kernel's order: by name.
    expect(listed.map((device) => device.name)).toEqual([names.of('a-live'), names.of('b-notable'), names.of('c-renamed')]);
    expect(listed.find((device) => device.name === names.of('c-renamed'))).toMatchObject({
      uuid: 'TSDMT-LIST-C',
      eventNr: 2,
      major: c.major,
      minor: c.minor,
    });
    const theirs = dmsetupDevices(names.prefix);
    expect(listed).toEqual(
      theirs.map(({ name, major, minor, events, uuid }) => ({ name, major, minor, eventNr: events, uuid })),
    );
    // dmsetup ls: `name\t(major:minor)`.
    const ls = dmsetup('ls')
      .split('\n')
      .filter((line) => line.startsWith(names.prefix));
    expect(ls).toEqual(listed.map((device) => `${device.name}\t(${device.major}:${device.minor})`));
  });

  it('without uuids, the records carry none', () => {
    dm.create(names.of('nouuids'), { uuid: 'TSDMT-LIST-NOUUIDS' });
    const [device] = dm.list({ uuids: false }).filter((entry) => entry.name === names.of('nouuids'));
    expect(device).toBeDefined();
    expect(device!.uuid).toBeUndefined();
    expect(dm.list({ uuids: true }).find((entry) => entry.name === names.of('nouuids'))?.uuid).toBe('TSDMT-LIST-NOUUIDS');
  });

  it('a removed device leaves the list', () => {
    dm.create(names.of('gone'));
    expect(ours()).toHaveLength(1);
    dm.remove({ name: names.of('gone') });
    expect(ours()).toEqual([]);
    expect(dmsetupDevices(names.prefix)).toEqual([]);
  });
});

describe('versions and targets', () => {
  it('driverVersion is the driver version dmsetup prints', () => {
    const version = dm.driverVersion();
    expect(version[0]).toBe(4);
    const line = dmsetup('version')
      .split('\n')
      .find((text) => text.startsWith('Driver version:'));
    expect(line).toBe(`Driver version:    ${version.join('.')}`);
  });

  it('targets lists what dmsetup targets lists, with the same versions', () => {
    // Loading a zero table makes sure dm-zero is loaded too.
    dm.createDevice(names.of('targets'), zeroTable(8));
    const theirs = dmsetup('targets')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, version] = line.split(/\s+/);
        return { name: name!, version: version!.replace(/^v/, '').split('.').map(Number) };
      });
    const targets = dm.targets();
    expect(targets).toEqual(theirs);
    expect(targets.map((target) => target.name)).toEqual(expect.arrayContaining(['linear', 'striped', 'error', 'zero']));
  });

  it('targetVersion gives one target’s version, the same as in targets()', () => {
    const all = dm.targets();
    for (const name of ['linear', 'striped', 'error']) {
      expect(dm.targetVersion(name)).toEqual(all.find((target) => target.name === name));
    }
  });
});
