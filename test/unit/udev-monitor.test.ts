/**
 * The monitor's message parsing and event matching, on messages built to systemd's
 * monitor_netlink_header layout (that real udevd sends exactly this is shown in the VM, in
 * test/vm/udev-monitor.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { UDEV_MONITOR_MAGIC, UdevMonitorHeaderLayout as L } from '../../native-defs/index.js';
import { matchesEvent } from '../../lib/udev/monitor.js';
import { parseUdevMessage } from '../../lib/udev/uevent-socket.js';

function udevMessage(properties: Record<string, string>, magic = UDEV_MONITOR_MAGIC, prefix = 'libudev'): Buffer {
  const body = Buffer.from(Object.entries(properties).map(([k, v]) => `${k}=${v}\0`).join(''));
  const header = Buffer.alloc(L.size);
  header.write(`${prefix}\0`, L.prefix, 'latin1');
  header.writeUInt32BE(magic, L.magic);
  header.writeUInt32LE(L.size, L.header_size);
  header.writeUInt32LE(L.size, L.properties_off);
  header.writeUInt32LE(body.length, L.properties_len);
  return Buffer.concat([header, body]);
}

const CHANGE = { ACTION: 'change', SUBSYSTEM: 'block', MAJOR: '253', MINOR: '3', DM_NAME: 'vol', DM_COOKIE: '6291456' };

describe('parseUdevMessage', () => {
  it('reads the properties of a udevd message', () => {
    expect(Object.fromEntries(parseUdevMessage(udevMessage(CHANGE))!)).toEqual(CHANGE);
  });

  it('keeps "=" inside values', () => {
    expect(parseUdevMessage(udevMessage({ DEVLINKS: 'a=b c' }))!.get('DEVLINKS')).toBe('a=b c');
  });

  it('refuses the kernel’s own format, a wrong magic or prefix, a short or overrunning message', () => {
    expect(parseUdevMessage(Buffer.from('change@/devices/virtual/block/dm-3\0ACTION=change\0'))).toBeUndefined();
    expect(parseUdevMessage(udevMessage(CHANGE, 0xcafefeed))).toBeUndefined();
    expect(parseUdevMessage(udevMessage(CHANGE, UDEV_MONITOR_MAGIC, 'libudex'))).toBeUndefined();
    expect(parseUdevMessage(Buffer.alloc(10))).toBeUndefined();
    const overrun = udevMessage(CHANGE);
    overrun.writeUInt32LE(overrun.length, L.properties_len);
    expect(parseUdevMessage(overrun)).toBeUndefined();
  });
});

describe('matchesEvent', () => {
  const props = new Map(Object.entries(CHANGE));
  const cookie = 6291456;

  it('by device number when known, else by name; ACTION and DM_COOKIE always', () => {
    expect(matchesEvent(props, { action: 'change', cookie, target: { major: 253, minor: 3 } })).toBe(true);
    expect(matchesEvent(props, { action: 'change', cookie, target: { major: 253, minor: 4, name: 'vol' } })).toBe(false);
    expect(matchesEvent(props, { action: 'change', cookie, target: { name: 'vol' } })).toBe(true);
    expect(matchesEvent(props, { action: 'change', cookie, target: { name: 'other' } })).toBe(false);
    expect(matchesEvent(props, { action: 'remove', cookie, target: { name: 'vol' } })).toBe(false);
    expect(matchesEvent(props, { action: 'change', cookie: cookie + 1, target: { name: 'vol' } })).toBe(false);
  });
});
