/**
 * The errors a user can act on, against the real kernel: /dev/kmsg read from a mark taken before
 * a failed TABLE_LOAD gives the kernel's own line for it (a bad thin-pool table, a device too
 * small for its target), and only lines logged after the mark; the missing-device hint names
 * the device a table names that does not exist (ENODEV for a path; ENXIO for a number of a major
 * no driver has, since a loop minor would be made on open) and says nothing when the ENXIO is
 * about the loaded device itself.
 */
import { describe, expect, it } from 'vitest';
import { DeviceMapper, kernelLogMark, kernelLogSince, KernelLogReader, missingDeviceHint, type TableRow } from '../../lib/index.js';
import { makeLoopDevice } from '../helpers/loop.js';
import { catchDmError, useKernelFixture, zeroTable } from './lib-support.js';

const { dm, names, loops } = useKernelFixture('toolkit-kernel-log');

describe('the kernel log', () => {
  it("carries the thin-pool's complaint about a bad table", () => {
    const loop = makeLoopDevice(8);
    loops.push(loop);
    const device = dm.create(names.of('pool'));
    const mark = kernelLogMark();
    expect(mark).toBeDefined();
    const error = catchDmError(() => dm.load({ name: device.name }, [{ start: 0, length: 2048, type: 'thin-pool', params: `${loop.path}` }]));
    expect(error.code).toBe('EINVAL');
    const lines = kernelLogSince(mark);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^device-mapper: table: ${device.major}:${device.minor}: thin-pool: Invalid argument count`)));
    expect(lines.every((line) => line.startsWith('device-mapper:'))).toBe(true);
  });

  it('carries "too small for target" for a table longer than its device, and nothing logged before the mark', () => {
    const loop = makeLoopDevice(1);
    loops.push(loop);
    const device = dm.create(names.of('small'));
    const rows: TableRow[] = [{ start: 0, length: loop.sectors * 2, type: 'linear', params: `${loop.path} 0` }];
    catchDmError(() => dm.load({ name: device.name }, rows));
    const mark = kernelLogMark();
    expect(kernelLogSince(mark)).toEqual([]);
    const error = catchDmError(() => dm.load({ name: device.name }, rows));
    expect(error.code).toBe('EINVAL');
    const loopName = loop.path.slice('/dev/'.length);
    expect(kernelLogSince(mark)).toContainEqual(expect.stringContaining(`${loopName} too small for target`));
  });

  it('with the kernelLog option, a failed ioctl\'s DmError carries those lines itself', () => {
    const loop = makeLoopDevice(1);
    loops.push(loop);
    const logging = DeviceMapper.open({ kernelLog: true });
    try {
      const pool = logging.create(names.of('logged-pool'));
      const bad = catchDmError(() => logging.load({ name: pool.name }, [{ start: 0, length: 2048, type: 'thin-pool', params: `${loop.path}` }]));
      expect(bad.kernelLog).toContainEqual(expect.stringMatching(/thin-pool: Invalid argument count/));
      const small = logging.create(names.of('logged-small'));
      const tooSmall = catchDmError(() => logging.load({ name: small.name }, [{ start: 0, length: loop.sectors * 2, type: 'linear', params: `${loop.path} 0` }]));
      expect(tooSmall.kernelLog).toContainEqual(expect.stringContaining(`${loop.path.slice('/dev/'.length)} too small for target`));
      // Without the option nothing is read.
      expect(catchDmError(() => dm.load({ name: small.name }, [{ start: 0, length: loop.sectors * 2, type: 'linear', params: `${loop.path} 0` }])).kernelLog).toBeUndefined();
    } finally {
      logging.close();
    }
  });

  it('a reader of its own keeps marks apart, and a filter picks lines', () => {
    const reader = new KernelLogReader();
    try {
      const device = dm.create(names.of('two'));
      const first = reader.mark();
      catchDmError(() => dm.load({ name: device.name }, [{ start: 0, length: 8, type: 'thin-pool', params: '' }]));
      const second = reader.mark();
      catchDmError(() => dm.load({ name: device.name }, [{ start: 0, length: 8, type: 'linear', params: '' }]));
      expect(reader.since(first).some((line) => line.includes('thin-pool'))).toBe(true);
      expect(reader.since(second).some((line) => line.includes('thin-pool'))).toBe(false);
      expect(reader.since(second, (line) => line.includes('linear')).length).toBeGreaterThan(0);
    } finally {
      reader.close();
    }
  });
});

describe('the missing-device hint', () => {
  it('names a path that does not exist (ENODEV) and a number no block device has (ENXIO)', () => {
    const device = dm.create(names.of('missing'));
    const byPath: TableRow[] = [{ start: 0, length: 2048, type: 'linear', params: '/dev/tsdmt-no-such-disk 0' }];
    expect(catchDmError(() => dm.load({ name: device.name }, byPath)).code).toBe('ENODEV');
    expect(missingDeviceHint(byPath)).toBe('the table names a device that does not exist: /dev/tsdmt-no-such-disk (no such file)');
    const byNumber: TableRow[] = [{ start: 0, length: 2048, type: 'linear', params: '240:7 0' }];
    expect(catchDmError(() => dm.load({ name: device.name }, byNumber)).code).toBe('ENXIO');
    expect(missingDeviceHint(byNumber)).toBe('the table names a device that does not exist: 240:7 (no block device has that number)');
  });

  it('says nothing when the ENXIO is about the loaded device itself', () => {
    const loop = makeLoopDevice(1);
    loops.push(loop);
    const rows: TableRow[] = [{ start: 0, length: 1024, type: 'linear', params: `${loop.path} 0` }];
    expect(catchDmError(() => dm.load({ name: names.of('no-such-device') }, rows)).code).toBe('ENXIO');
    expect(missingDeviceHint(rows)).toBeUndefined();
    expect(missingDeviceHint(zeroTable(8))).toBeUndefined();
  });
});
