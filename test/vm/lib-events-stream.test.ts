/**
 * events() against the real kernel, with another process (Debian's dmsetup, run with spawnSync)
 * doing the work and nothing nudging the stream: a suspend+resume of the same table, a multipath
 * fail_path message (a target event), a rename, a create and a remove are each heard; a suspend
 * alone is reported at the next look, as documented; aborting ends the stream and closes its
 * uevent socket, and closing the handle leaves no fd behind.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { byDev, DeviceMapper, type DeviceEvent } from '../../lib/index.js';
import { deviceNames, removeDevicesWithPrefix } from '../helpers/devices.js';
import { dmsetup } from './lib-support.js';

const names = deviceNames('evstream');
const zero = [{ start: 0, length: 8, type: 'zero', params: '' }];
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => removeDevicesWithPrefix(names.prefix));

/** The process's open fds, and how many of them are sockets. */
function fds(): { all: number; sockets: number } {
  const links = readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/self/fd/${fd}`)];
    } catch {
      return []; // the fd readdir itself used
    }
  });
  return { all: links.length, sockets: links.filter((link) => link.startsWith('socket:')).length };
}

const show = (events: DeviceEvent[]): string =>
  events
    .filter((e) => e.device.name.startsWith(names.prefix))
    .map((e) => `${e.kind} ${e.device.name}${e.previousName ? ` (was ${e.previousName})` : ''} #${e.eventNr}`)
    .join(', ');

/** Reads a stream into `seen`; `until` waits (up to 3 s) for an event that matches. */
function reader(dm: DeviceMapper) {
  const controller = new AbortController();
  const seen: DeviceEvent[] = [];
  const done = (async () => {
    for await (const event of dm.events({ signal: controller.signal })) seen.push(event);
  })();
  const until = async (what: string, test: (event: DeviceEvent) => boolean): Promise<DeviceEvent> => {
    for (let i = 0; i < 150; i++) {
      const found = seen.find(test);
      if (found) return found;
      await pause(20);
    }
    throw new Error(`not seen: ${what}; seen: ${show(seen)}`);
  };
  const of = (name: string): string[] => seen.filter((e) => e.device.name === name || e.previousName === name).map((e) => e.kind);
  return { controller, seen, done, until, of };
}

describe('events() hears what another process does', () => {
  it('a suspend+resume, a target event and a rename on three devices, a create and a remove; abort ends it, no fd left', async () => {
    const before = fds();
    const dm = DeviceMapper.open();
    try {
      const one = dm.createDevice(names.of('one'), zero);
      const path = dm.createDevice(names.of('path'), zero);
      const pathDev = `${path.major}:${path.minor}`;
      const multipath = `2 queue_mode bio 0 1 1 round-robin 0 1 1 ${pathDev} 1000`;
      const two = dm.createDevice(names.of('two'), [{ start: 0, length: 8, type: 'multipath', params: multipath }]);
      const three = dm.createDevice(names.of('three'), zero);
      const opened = fds();
      const stream = reader(dm);
      await pause(200); // the stream has taken its first look
      expect(fds().sockets).toBe(opened.sockets + 1); // its uevent socket

      dmsetup('suspend', names.of('one'));
      dmsetup('resume', names.of('one')); // same table: the kernel counts no event, it sends a change uevent
      const resumed = await stream.until('resumed one', (e) => e.kind === 'resumed' && e.device.name === names.of('one'));
      expect(resumed.device).toMatchObject({ major: one.major, minor: one.minor });

      dmsetup('message', names.of('two'), '0', `fail_path ${pathDev}`);
      const event = await stream.until('event two', (e) => e.kind === 'event' && e.device.name === names.of('two'));
      expect(event.eventNr).toBe(two.eventNr + 1);
      expect(dm.info(byDev(two)).eventNr).toBe(event.eventNr);

      dmsetup('rename', names.of('three'), names.of('three2'));
      const renamed = await stream.until('renamed three', (e) => e.kind === 'renamed');
      expect(renamed).toMatchObject({ device: { name: names.of('three2'), major: three.major, minor: three.minor }, previousName: names.of('three') });

      dmsetup('create', names.of('four'), '--table', '0 8 zero');
      const added = await stream.until('added four', (e) => e.kind === 'added' && e.device.name === names.of('four'));
      dmsetup('remove', names.of('four'));
      const removed = await stream.until('removed four', (e) => e.kind === 'removed' && e.device.name === names.of('four'));
      expect(removed.device).toEqual(added.device);

      stream.controller.abort();
      await stream.done; // ends, and its socket is closed by then
      expect(fds().sockets).toBe(opened.sockets);
      // Each device got what it did, and only that: a resume is no event, a rename no bare event.
      expect(stream.of(names.of('one'))).toEqual(['resumed']);
      expect(stream.of(names.of('two'))).toEqual(['event']);
      expect(stream.of(names.of('three2'))).toEqual(['renamed']);
      expect(stream.of(names.of('path'))).toEqual([]);
      // A create with a table may read as added, then resumed (its first resume seen apart).
      expect(['added,removed', 'added,resumed,removed']).toContain(stream.of(names.of('four')).join(','));
    } finally {
      dm.close();
    }
    // close() stops the poll thread: every fd of the handle is gone soon after.
    for (let i = 0; i < 100 && fds().all !== before.all; i++) await pause(20);
    expect(fds()).toEqual(before);
  });

  it('a suspend alone is announced by nothing: it is reported at the next look, and its resume once', async () => {
    const dm = DeviceMapper.open();
    try {
      const one = dm.createDevice(names.of('s1'), zero);
      const other = dm.createDevice(names.of('s2'), zero);
      const stream = reader(dm);
      await pause(200);
      dmsetup('suspend', names.of('s1'));
      await pause(500);
      expect(show(stream.seen)).toBe(''); // no uevent, no event count: nothing woke the stream
      dmsetup('rename', names.of('s2'), names.of('s2b')); // any change makes it look
      await stream.until('suspended s1', (e) => e.kind === 'suspended' && e.device.name === names.of('s1'));
      dmsetup('resume', names.of('s1'));
      await stream.until('resumed s1', (e) => e.kind === 'resumed');
      await pause(300);
      stream.controller.abort();
      await stream.done;
      expect(stream.of(names.of('s1'))).toEqual(['suspended', 'resumed']);
      expect(dm.info(byDev(one)).suspended).toBe(false);
      expect(stream.of(names.of('s2b'))).toEqual(['renamed']);
      expect(other.name).toBe(names.of('s2'));
    } finally {
      dm.close();
    }
  });

  it('a second stream shares the socket; the last one to end closes it', async () => {
    const dm = DeviceMapper.open();
    try {
      dm.createDevice(names.of('shared'), zero);
      const sockets = fds().sockets;
      const first = reader(dm);
      const second = reader(dm);
      await pause(200);
      expect(fds().sockets).toBe(sockets + 1);
      dmsetup('suspend', names.of('shared'));
      dmsetup('resume', names.of('shared'));
      await first.until('resumed (first)', (e) => e.kind === 'resumed');
      await second.until('resumed (second)', (e) => e.kind === 'resumed');
      first.controller.abort();
      await first.done;
      expect(fds().sockets).toBe(sockets + 1);
      second.controller.abort();
      await second.done;
      expect(fds().sockets).toBe(sockets);
    } finally {
      dm.close();
    }
  });
});
