/**
 * dmsetup's text formats, byte for byte: the info block, deps and ls lines, target and version
 * lines, key hiding and `table --concise`. Expected texts are dmsetup 1.02.185's output for the
 * same device states (captured in the VM), written out here.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceInfo } from '../../lib/index.js';
import { liveDevice } from '../helpers/device-info.js';
import {
  formatConciseDevice,
  formatDepsLine,
  formatInfoBlock,
  formatLsLine,
  formatLsTargetLine,
  formatTargetLine,
  formatTargetVersion,
  hideKeys,
  quoteConcise,
} from '../../cli/format.js';

// dmsetup's own examples use major 253 (a host kernel's), not UML's 254.
const live: DeviceInfo = liveDevice('test', 0, { major: 253 });

describe('formatInfoBlock', () => {
  it('prints dmsetup\'s block, values at column 20, a blank line after it', () => {
    expect(formatInfoBlock(live, 256)).toBe(
      'Name:              test\n' +
        'State:             ACTIVE\n' +
        'Read Ahead:        256\n' +
        'Tables present:    LIVE\n' +
        'Open count:        0\n' +
        'Event number:      0\n' +
        'Major, minor:      253, 0\n' +
        'Number of targets: 1\n' +
        '\n',
    );
  });

  it('adds the uuid with its single space, and read-only / deferred-remove states', () => {
    const block = formatInfoBlock({ ...live, uuid: 'LVM-abc', readOnly: true, deferredRemove: true, suspended: true }, 256);
    expect(block).toContain('State:             SUSPENDED (READ-ONLY) (DEFERRED REMOVE)\n');
    expect(block.endsWith('Number of targets: 1\nUUID: LVM-abc\n\n')).toBe(true);
  });

  it('leaves out what is unknown: read-ahead, open count -1', () => {
    const block = formatInfoBlock({ ...live, openCount: -1 }, undefined);
    expect(block).not.toContain('Read Ahead');
    expect(block).not.toContain('Open count');
  });

  it.each([
    [false, false, 'None'],
    [true, false, 'LIVE'],
    [false, true, 'INACTIVE'],
    [true, true, 'LIVE & INACTIVE'],
  ])('Tables present with live=%s inactive=%s: %s', (liveTable, inactiveTable, text) => {
    expect(formatInfoBlock({ ...live, liveTable, inactiveTable }, 256)).toContain(`Tables present:    ${text}\n`);
  });
});

describe('deps, ls and target lines', () => {
  const deps = [
    { major: 7, minor: 5 },
    { major: 254, minor: 0 },
  ];

  it('deps: count, tab, colon, then (M, m) or names', () => {
    expect(formatDepsLine(undefined, deps, [])).toBe('2 dependencies\t: (7, 5) (254, 0)');
    expect(formatDepsLine('vg-lv', deps, ['loop5', undefined])).toBe('vg-lv: 2 dependencies\t: (loop5) (254, 0)');
    expect(formatDepsLine(undefined, [], [])).toBe('0 dependencies\t:');
  });

  it('ls: NAME\\t(M:m), or (name); ls --target: NAME\\t(M, m)', () => {
    expect(formatLsLine('test', { major: 254, minor: 3 }, undefined)).toBe('test\t(254:3)');
    expect(formatLsLine('test', { major: 254, minor: 3 }, 'dm-3')).toBe('test\t(dm-3)');
    expect(formatLsTargetLine('test', { major: 254, minor: 3 })).toBe('test\t(254, 3)');
  });

  it('a target line keeps the space after the type even with empty params', () => {
    expect(formatTargetLine({ start: 0, length: 2048, type: 'zero', params: '' })).toBe('0 2048 zero ');
    expect(formatTargetLine({ start: 0, length: 8, type: 'linear', params: '7:5 0' })).toBe('0 8 linear 7:5 0');
  });

  it('target versions: name padded to 16, then v<version>', () => {
    expect(formatTargetVersion({ name: 'linear', version: [1, 4, 0] })).toBe('linear           v1.4.0');
    expect(formatTargetVersion({ name: 'a-very-long-target', version: [1, 0, 0] })).toBe('a-very-long-target v1.0.0');
  });
});

describe('hideKeys', () => {
  it('zeroes a crypt key, keeps a keyring reference', () => {
    expect(hideKeys('crypt', 'aes-cbc-essiv:sha256 0123abcd 0 7:5 0')).toBe('aes-cbc-essiv:sha256 00000000 0 7:5 0');
    expect(hideKeys('crypt', 'aes-xts-plain64 :64:logon:cryptsetup:x 0 7:5 0')).toBe('aes-xts-plain64 :64:logon:cryptsetup:x 0 7:5 0');
    expect(hideKeys('crypt', 'nokey')).toBe('nokey');
  });

  it('zeroes integrity\'s internal_hash, journal_crypt and journal_mac keys, not bare algorithms', () => {
    const params = '7:5 0 32 J 3 internal_hash:hmac(sha256):abcd journal_crypt:cbc(aes):12ef journal_mac:hmac(sha1)';
    expect(hideKeys('integrity', params)).toBe(
      '7:5 0 32 J 3 internal_hash:hmac(sha256):0000 journal_crypt:cbc(aes):0000 journal_mac:hmac(sha1)',
    );
  });

  it('leaves other targets alone', () => {
    expect(hideKeys('linear', '7:5 0')).toBe('7:5 0');
  });
});

describe('table --concise', () => {
  it('quotes , ; and \\ with a backslash', () => {
    expect(quoteConcise('a,b;c\\d')).toBe('a\\,b\\;c\\\\d');
  });

  it('name,uuid,minor,rw|ro then each target after a comma, keys hidden unless shown', () => {
    const rows = [
      { start: 0, length: 8, type: 'zero', params: '' },
      { start: 8, length: 8, type: 'crypt', params: 'aes 00ff 0 7:5 0' },
    ];
    expect(formatConciseDevice('c2', { ...live, uuid: 'UU-C2', minor: 3, readOnly: true }, rows, false)).toBe(
      'c2,UU-C2,3,ro,0 8 zero ,8 8 crypt aes 0000 0 7:5 0',
    );
    expect(formatConciseDevice('c1', live, [], true)).toBe('c1,,0,rw');
  });
});
