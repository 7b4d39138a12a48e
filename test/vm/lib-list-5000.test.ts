/**
 * LIST_DEVICES at scale: 5 000 devices (created with `create` only, no table) come back from one
 * list() call, through the buffer growing on DM_BUFFER_FULL_FLAG from 16 KiB; dmsetup ls counts
 * the same. Creation, listing and removal are timed and printed.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DeviceMapper, DmError } from '../../lib/index.js';
import { INITIAL_BUFFER_SIZE } from '../../lib/ioctl/dm-ioctl.js';
import { DmFlag } from '../../native-defs/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { catchDmError, dmsetup } from './lib-support.js';

const names = deviceNames('lib-list-5000');
const COUNT = 5000;
const handles: DeviceMapper[] = [];

/** A new handle: its ioctl buffer starts at the initial 16 KiB. */
function freshHandle(options: { maxBufferSize?: number } = {}): DeviceMapper {
  const dm = DeviceMapper.open(options);
  handles.push(dm);
  return dm;
}

afterEach(() => {
  removeDevicesWithPrefix(names.prefix);
});

afterAll(() => {
  for (const dm of handles) dm.close();
});

const nameOf = (i: number): string => names.of(String(i).padStart(4, '0'));
const uuidOf = (i: number): string => `TSDMT-LIST-5000-${i}`;

function ms(from: number): string {
  return `${(performance.now() - from).toFixed(1)} ms`;
}

describe('list() with 5 000 devices', () => {
  it('returns every device, with names, numbers, event numbers and uuids', { timeout: 180_000 }, () => {
    const creator = freshHandle();
    let started = performance.now();
    for (let i = 0; i < COUNT; i++) creator.create(nameOf(i), i % 2 === 1 ? { uuid: uuidOf(i) } : {});
    const createTime = ms(started);

    const lister = freshHandle();
    started = performance.now();
    const listed = lister.list().filter((device) => device.name.startsWith(names.prefix));
    const listTime = ms(started);

    expect(listed).toHaveLength(COUNT);
    // The kernel lists by name; our zero-padded names sort the same way.
    expect(listed.map((device) => device.name)).toEqual(Array.from({ length: COUNT }, (_, i) => nameOf(i)));
    listed.forEach((device, i) => {
      expect(device.major).toBe(254);
      expect(device.eventNr).toBe(0);
      expect(device.uuid).toBe(i % 2 === 1 ? uuidOf(i) : '');
    });
    expect(new Set(listed.map((device) => device.minor)).size).toBe(COUNT);

    // The reply needed more than the first 16 KiB: the handle's buffer grew and kept its size.
    const reply = lister.ioctl.run({ command: 'LIST_DEVICES', operation: 'names', flags: DmFlag.UUID }, (buffer, header) => ({
      needed: header.dataSize,
      bufferSize: buffer.length,
    }));
    expect(reply.needed).toBeGreaterThan(INITIAL_BUFFER_SIZE);
    expect(reply.bufferSize).toBeGreaterThanOrEqual(reply.needed);

    started = performance.now();
    const theirs = dmsetup('ls')
      .split('\n')
      .filter((line) => line.startsWith(names.prefix));
    const dmsetupTime = ms(started);
    expect(theirs).toHaveLength(COUNT);
    // `name\t(major:minor)`, the same numbers as ours.
    const byName = new Map(listed.map((device) => [device.name, `${device.major}:${device.minor}`]));
    for (const line of theirs) {
      const [name, number] = line.split('\t');
      expect(number).toBe(`(${byName.get(name!)})`);
    }

    started = performance.now();
    for (let i = 0; i < COUNT; i++) creator.remove({ name: nameOf(i) });
    const removeTime = ms(started);
    expect(lister.list().filter((device) => device.name.startsWith(names.prefix))).toEqual([]);

    console.log(
      `list-5000: create ${COUNT} ${createTime}; list ${listTime} (reply ${reply.needed} bytes, buffer ${reply.bufferSize} bytes); ` +
        `dmsetup ls ${dmsetupTime}; remove ${COUNT} ${removeTime}`,
    );
  });

  it('a buffer cap smaller than the reply fails with ENOBUFS instead of growing past it', () => {
    const creator = freshHandle();
    for (let i = 0; i < 1000; i++) creator.create(nameOf(i));
    const capped = freshHandle({ maxBufferSize: INITIAL_BUFFER_SIZE * 2 });
    const error = catchDmError(() => capped.list());
    expect(error).toBeInstanceOf(DmError);
    expect(error).toMatchObject({ kind: 'protocol', code: 'ENOBUFS', command: 'LIST_DEVICES', operation: 'names' });
    // A handle with room lists them all.
    expect(freshHandle().list().filter((device) => device.name.startsWith(names.prefix))).toHaveLength(1000);
  });
});
