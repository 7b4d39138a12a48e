/**
 * Pure parts of the errors a user can act on: the devices a table names (every `major:minor` or
 * absolute-path token, never a key or a number), the missing-device hint for a failed TABLE_LOAD
 * (with a scripted host), and /dev/kmsg record parsing. The VM tests read the real kernel.
 */
import { describe, expect, it } from 'vitest';
import { missingDeviceHint, parseKmsgRecord, tableDevices, type DeviceProbe, type TableRow } from '../../../lib/index.js';

const row = (type: string, params: string): TableRow => ({ start: 0, length: 2048, type, params });

describe('tableDevices', () => {
  it('finds device numbers and paths in any target, each once, in order', () => {
    const rows = [
      row('linear', '/dev/loop0 0'),
      row('snapshot', '254:3 /dev/mapper/vg-cow P 8'),
      row('multipath', '0 0 1 1 round-robin 0 2 1 8:16 1000 8:32 1000'),
      row('linear', '/dev/loop0 2048'),
    ];
    expect(tableDevices(rows).map((ref) => ref.text)).toEqual(['/dev/loop0', '254:3', '/dev/mapper/vg-cow', '8:16', '8:32']);
    expect(tableDevices(rows)[1]).toEqual({ kind: 'number', text: '254:3', dev: { major: 254, minor: 3 } });
  });

  it('takes no key, feature word or number for a device', () => {
    const crypt = row('crypt', 'aes-xts-plain64 :64:logon:cryptsetup:key 0 7:0 0 1 allow_discards');
    expect(tableDevices([crypt]).map((ref) => ref.text)).toEqual(['7:0']);
    const pool = row('thin-pool', '7:1 7:2 128 32768 1 skip_block_zeroing');
    expect(tableDevices([pool]).map((ref) => ref.text)).toEqual(['7:1', '7:2']);
  });

  it('uses a target-aware lookup when given one', () => {
    expect(tableDevices([row('linear', '/dev/x 0')], () => ['/dev/y']).map((ref) => ref.text)).toEqual(['/dev/y']);
  });
});

describe('missingDeviceHint', () => {
  const probe: DeviceProbe = {
    path: (path) =>
      path === '/dev/loop0' ? { kind: 'block', dev: { major: 7, minor: 0 } }
      : path === '/dev/mapper/stale' ? { kind: 'block', dev: { major: 254, minor: 9 } }
      : path === '/etc/passwd' ? { kind: 'not-block' }
      : { kind: 'missing' },
    blockDeviceExists: (dev) => dev.major === 7 && dev.minor < 8,
  };

  it('names the one missing device', () => {
    expect(missingDeviceHint([row('linear', '/dev/loop0 0'), row('linear', '/dev/sdz 0')], { probe })).toBe(
      'the table names a device that does not exist: /dev/sdz (no such file)',
    );
  });

  it('names each kind of problem: no file, no block device of that number, a stale node, not a block device', () => {
    const rows = [row('linear', '/dev/nope 0'), row('linear', '7:99 0'), row('linear', '/dev/mapper/stale 0'), row('linear', '/etc/passwd 0')];
    expect(missingDeviceHint(rows, { probe })).toBe(
      'the table names devices that do not exist: /dev/nope (no such file), 7:99 (no block device has that number), ' +
        '/dev/mapper/stale (a node for 254:9, which no block device has), /etc/passwd (not a block device)',
    );
  });

  it('is undefined when every device the table names exists (the errno is about something else)', () => {
    expect(missingDeviceHint([row('linear', '/dev/loop0 0'), row('linear', '7:1 0'), row('zero', '')], { probe })).toBeUndefined();
  });
});

describe('parseKmsgRecord', () => {
  it('reads priority, sequence, time and message; drops the dictionary lines', () => {
    expect(parseKmsgRecord('3,1234,56789012,-;device-mapper: table: 254:0: thin-pool: Invalid argument count\n SUBSYSTEM=block\n')).toEqual({
      priority: 3,
      seq: 1234,
      timestampUs: 56789012,
      message: 'device-mapper: table: 254:0: thin-pool: Invalid argument count',
    });
  });

  it("undoes the kernel's \\xNN escapes, and keeps extra header fields out of the message", () => {
    expect(parseKmsgRecord('6,7,8,c,caller=T1;a\\x09b\\x5cc\n')?.message).toBe('a\tb\\c');
  });

  it('is undefined for text that is not a record', () => {
    expect(parseKmsgRecord('no semicolon')).toBeUndefined();
    expect(parseKmsgRecord('x,y,z;message')).toBeUndefined();
  });
});
