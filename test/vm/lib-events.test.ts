/**
 * Events and geometry against the real kernel. On 6.1 a rename or setUuid of a device with a live
 * table raises a device event (event_nr + 1), which is what these tests use to wake waitEvent,
 * waitEventAsync and an armed poll(2) on the control fd. Geometry is read back with HDIO_GETGEO
 * on the device's block node, and compared with what dmsetup setgeometry stores.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { statusRow, type DeviceInfo, type Geometry } from '../../lib/index.js';
import { libc } from '../../lib/sys/libc.js';
import { catchDmError, dmsetup, dmsetupInfo, zeroTable, useKernelFixture } from './lib-support.js';

const { dm, names } = useKernelFixture('lib-events');

function liveDevice(suffix: string): DeviceInfo {
  return dm.createDevice(names.of(suffix), zeroTable(2048));
}

describe('waitEvent', () => {
  it('returns at once when the device’s event number already differs from the one given', () => {
    const device = liveDevice('nowait');
    dm.rename({ name: device.name }, names.of('nowait-2'));
    const result = dm.waitEvent({ name: names.of('nowait-2') }, device.eventNr);
    expect(result.info.eventNr).toBe(device.eventNr + 1);
    expect(result.rows).toEqual(zeroTable(2048).map(statusRow));
  });

  it('blocks until another process raises an event (dmsetup rename --setuuid)', async () => {
    const device = liveDevice('sync');
    const uuid = 'TSDMT-EVENTS-SYNC';
    // The fallback rename after 5 s wakes the wait even if the first command went wrong.
    const trigger = spawn(
      'sh',
      ['-c', `sleep 0.3; dmsetup rename "$1" --setuuid "$2"; sleep 5; dmsetup rename "$1" "$1-fallback"`, 'sh', device.name, uuid],
      { env: { ...process.env, DM_DISABLE_UDEV: '1' }, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => trigger.on('exit', resolve));
    try {
      const started = performance.now();
      const result = dm.waitEvent({ name: device.name }, device.eventNr);
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(result.info).toMatchObject({ name: device.name, eventNr: device.eventNr + 1 });
      expect(result.rows).toEqual(zeroTable(2048).map(statusRow));
      expect(dmsetupInfo(device.name)).toMatchObject({ uuid, events: device.eventNr + 1 });
    } finally {
      trigger.kill();
      await exited;
    }
  });
});

describe('waitEventAsync', () => {
  it('resolves with the new event number and status once an event comes, leaving the event loop free', async () => {
    const device = liveDevice('async');
    let settled = false;
    const waiting = dm.waitEventAsync({ name: device.name }, device.eventNr).finally(() => {
      settled = true;
    });
    // The loop runs timers while the kernel holds the wait.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settled).toBe(false);
    expect(dm.info({ name: device.name }).eventNr).toBe(device.eventNr);

    dm.setUuid({ name: device.name }, 'TSDMT-EVENTS-ASYNC');
    const result = await waiting;
    expect(result.info.eventNr).toBe(device.eventNr + 1);
    expect(result.rows).toEqual(zeroTable(2048).map(statusRow));
    expect(dmsetupInfo(device.name)?.events).toBe(device.eventNr + 1);
  });

  it('counts several events: each wait returns the next number', async () => {
    const device = liveDevice('chain');
    // By number: the wait may reach the kernel before or after the rename that follows it.
    const byNumber = { major: device.major, minor: device.minor };
    let name = device.name;
    let eventNr = device.eventNr;
    for (let i = 1; i <= 3; i++) {
      const waiting = dm.waitEventAsync(byNumber, eventNr);
      const next = names.of(`chain-${i}`);
      dm.rename({ name }, next);
      name = next;
      eventNr = (await waiting).info.eventNr;
      expect(eventNr).toBe(device.eventNr + i);
    }
    expect(dmsetupInfo(name)?.events).toBe(device.eventNr + 3);
  });
});

describe('armPoll', () => {
  const POLLIN = 0x1;
  const poll = koffi.load('libc.so.6').func('int poll(void *fds, unsigned long nfds, int timeout)');

  /** poll(2) on the control fd without waiting: the revents bits. */
  function pollControl(): number {
    const pollfd = Buffer.alloc(8); // struct pollfd { int fd; short events; short revents; }
    pollfd.writeInt32LE(dm.ioctl.fd, 0);
    pollfd.writeInt16LE(POLLIN, 4);
    const ready = poll(pollfd, 1, 0) as number;
    expect(ready).toBeGreaterThanOrEqual(0);
    return ready === 0 ? 0 : pollfd.readInt16LE(6);
  }

  it('after armPoll, the control fd polls readable once a device event happens, until armed again', () => {
    const device = liveDevice('poll');
    dm.armPoll();
    expect(pollControl()).toBe(0);
    dm.rename({ name: device.name }, names.of('poll-2'));
    expect(pollControl() & POLLIN).toBe(POLLIN);
    dm.armPoll();
    expect(pollControl()).toBe(0);
  });
});

describe('setGeometry', () => {
  const HDIO_GETGEO = 0x0301;

  /** The geometry the kernel reports for the device (HDIO_GETGEO on /dev/dm-N). */
  function kernelGeometry(device: DeviceInfo): Geometry {
    const fd = openSync(`/dev/dm-${device.minor}`, 'r');
    try {
      const geo = Buffer.alloc(16); // struct hd_geometry { u8 heads; u8 sectors; u16 cylinders; unsigned long start; }
      expect(libc().ioctl(fd, HDIO_GETGEO, geo)).toBe(0);
      return { heads: geo.readUInt8(0), sectors: geo.readUInt8(1), cylinders: geo.readUInt16LE(2), start: Number(geo.readBigUInt64LE(8)) };
    } finally {
      closeSync(fd);
    }
  }

  it('sets what HDIO_GETGEO reports, as dmsetup setgeometry does', () => {
    const device = liveDevice('geometry');
    const ours: Geometry = { cylinders: 300, heads: 4, sectors: 2, start: 7 };
    dm.setGeometry({ name: device.name }, ours);
    expect(kernelGeometry(device)).toEqual(ours);
    dmsetup('setgeometry', device.name, '120', '16', '63', '0');
    expect(kernelGeometry(device)).toEqual({ cylinders: 120, heads: 16, sectors: 63, start: 0 });
    dm.setGeometryText({ major: device.major, minor: device.minor }, '65535 255 255 1');
    expect(kernelGeometry(device)).toEqual({ cylinders: 65535, heads: 255, sectors: 255, start: 1 });
  });

  it('the kernel refuses out-of-range values with EINVAL and keeps the geometry it had', () => {
    const device = liveDevice('geometry-bad');
    const good: Geometry = { cylinders: 10, heads: 2, sectors: 3, start: 0 };
    dm.setGeometry({ name: device.name }, good);
    const refused: Geometry[] = [
      { cylinders: 65536, heads: 1, sectors: 1, start: 0 },
      { cylinders: 1, heads: 256, sectors: 1, start: 0 },
      { cylinders: 1, heads: 1, sectors: 256, start: 0 },
      // start beyond cylinders × heads × sectors
      { cylinders: 1, heads: 1, sectors: 1, start: 2 },
    ];
    for (const geometry of refused) {
      expect(catchDmError(() => dm.setGeometry({ name: device.name }, geometry))).toMatchObject({
        kind: 'ioctl',
        code: 'EINVAL',
        command: 'DEV_SET_GEOMETRY',
        operation: 'setgeometry',
      });
    }
    expect(catchDmError(() => dm.setGeometryText({ name: device.name }, '1 2 3'))).toMatchObject({ code: 'EINVAL' });
    expect(kernelGeometry(device)).toEqual(good);
  });

  it('a missing device: ENXIO', () => {
    expect(catchDmError(() => dm.setGeometry({ name: names.of('nobody') }, { cylinders: 1, heads: 1, sectors: 1, start: 0 }))).toMatchObject({
      code: 'ENXIO',
      command: 'DEV_SET_GEOMETRY',
    });
  });
});
