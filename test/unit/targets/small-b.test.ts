/**
 * delay, flakey, dust, era, unstriped, switch, log-writes: format/parse round trips on the
 * kernel's canonical text, refusals naming the field, and the status parsers on lines Linux 6.1
 * printed in the VM (`dmsetup table`/`status` over linear slices of loop devices, after the
 * messages named in each case; captured by hand for these fixtures).
 */
import { describe, expect, it } from 'vitest';
import { delay, dust, era, flakey, logWrites, moduleForTarget, switchTarget, targetType, unstriped, type TargetType } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

const dev = (minor: number) => ({ major: 254, minor });

/** Round trips, format refusals and parse refusals for one target type. */
function cases<P>(kind: TargetType<P, unknown>, trips: [string, P][], badParams: [unknown, string][], badText: [string, string][]): void {
  describe(kind.type, () => {
    it.each(trips)('%s round-trips', (text, params) => {
      expect(kind.parse(text)).toEqual(params);
      expect(kind.format(params)).toBe(text);
    });
    it.each(badParams)('format refuses %o naming %s', (params, field) => {
      expectRefused(() => kind.format(params as P), `${kind.type}: ${field}`);
    });
    it.each(badText)('parse refuses %j naming %s', (text, field) => {
      expectRefused(() => kind.parse(text), `${kind.type}: ${field}`);
    });
    it('is in the registry', () => {
      expect(targetType(kind.type)).toBe(kind);
    });
  });
}

const read = { device: '/dev/loop0', offset: 0, delay: 100 };
cases(
  delay,
  [
    ['254:0 0 100', { read: { device: dev(0), offset: 0, delay: 100 } }],
    ['254:0 0 100 254:1 8 200', { read: { device: dev(0), offset: 0, delay: 100 }, write: { device: dev(1), offset: 8, delay: 200 } }],
    [
      '254:0 0 100 254:1 8 200 254:2 16 50',
      { read: { device: dev(0), offset: 0, delay: 100 }, write: { device: dev(1), offset: 8, delay: 200 }, flush: { device: dev(2), offset: 16, delay: 50 } },
    ],
  ],
  [
    [{}, 'read'],
    [{ read: { ...read, device: '' } }, 'read.device'],
    [{ read: { ...read, offset: -8 } }, 'read.offset'],
    [{ read: { ...read, delay: 1.5 } }, 'read.delay'],
    [{ read, flush: read }, 'flush'],
    [{ read, write: { ...read, delay: -1 } }, 'write.delay'],
  ],
  [
    ['', 'read.device'],
    ['7:0 0', 'read.delay'],
    ['7:0 0 100 7:1', 'write.offset'],
    ['7:0 0 100 7:1 0 1 7:2 0 1 x', 'params'],
  ],
);

const flaky = { device: '/dev/loop0', offset: 0, up: 1, down: 1 };
cases(
  flakey,
  [
    ['254:0 0 60 0 0', { device: dev(0), offset: 0, up: 60, down: 0 }],
    ['254:0 0 1 1 1 drop_writes', { device: dev(0), offset: 0, up: 1, down: 1, features: { dropWrites: true } }],
    ['254:0 0 1 1 1 error_writes', { device: dev(0), offset: 0, up: 1, down: 1, features: { errorWrites: true } }],
    ['254:0 0 1 1 5 corrupt_bio_byte 32 r 1 0', { device: dev(0), offset: 0, up: 1, down: 1, features: { corruptBioByte: { byte: 32, direction: 'read', value: 1, flags: 0 } } }],
  ],
  [
    [{ ...flaky, up: -1 }, 'up'],
    [{ ...flaky, down: 'x' }, 'down'],
    [{ ...flaky, features: { dropWrites: true, errorWrites: true } }, 'features'],
    [{ ...flaky, features: { corruptBioByte: { byte: 0, direction: 'read', value: 1, flags: 0 } } }, 'features.corruptBioByte.byte'],
    [{ ...flaky, features: { corruptBioByte: { byte: 1, direction: 'up', value: 1, flags: 0 } } }, 'features.corruptBioByte.direction'],
    [{ ...flaky, features: { corruptBioByte: { byte: 1, direction: 'write', value: 256, flags: 0 } } }, 'features.corruptBioByte.value'],
  ],
  [
    ['7:0 0 1', 'down'],
    ['7:0 0 1 1 1 error_reads', 'features'],
    ['7:0 0 1 1 5 corrupt_bio_byte 1 x 0 0', 'features.corruptBioByte.direction'],
    ['7:0 0 1 1 3 corrupt_bio_byte 1 w', 'features.corruptBioByte.value'],
  ],
);

cases(
  dust,
  [['254:0 0 512', { device: dev(0), offset: 0, blockSize: 512 }], ['/dev/loop0 8 4096', { device: '/dev/loop0', offset: 8, blockSize: 4096 }]],
  [
    [{ device: '/dev/loop0', offset: 0, blockSize: 256 }, 'blockSize'],
    [{ device: '/dev/loop0', offset: 0, blockSize: 1536 }, 'blockSize'],
    [{ device: '/dev/loop0', blockSize: 512 }, 'offset'],
  ],
  [
    ['7:0 0', 'blockSize'],
    ['7:0 0 1000', 'blockSize'],
  ],
);

cases(
  era,
  [['254:2 254:0 128', { metadata: dev(2), origin: dev(0), blockSize: 128 }]],
  [
    [{ metadata: '/dev/a', origin: '/dev/b', blockSize: 0 }, 'blockSize'],
    [{ metadata: 5, origin: '/dev/b', blockSize: 8 }, 'metadata'],
  ],
  [
    ['7:0', 'origin'],
    ['7:0 7:1 0', 'blockSize'],
  ],
);

cases(
  unstriped,
  [['2 128 1 254:0 0', { stripes: 2, chunkSize: 128, stripe: 1, device: dev(0), offset: 0 }]],
  [
    [{ stripes: 2, chunkSize: 128, stripe: 2, device: '/dev/a', offset: 0 }, 'stripe'],
    [{ stripes: 0, chunkSize: 128, stripe: 0, device: '/dev/a', offset: 0 }, 'stripes'],
    [{ stripes: 2, chunkSize: 0, stripe: 0, device: '/dev/a', offset: 0 }, 'chunkSize'],
  ],
  [
    ['2 128 2 7:0 0', 'stripe'],
    ['2 128 1 7:0', 'offset'],
  ],
);

cases(
  switchTarget,
  [['2 64 0 254:0 0 254:1 0', { regionSize: 64, paths: [{ device: dev(0), offset: 0 }, { device: dev(1), offset: 0 }] }]],
  [
    [{ regionSize: 64, paths: [] }, 'paths'],
    [{ regionSize: 0, paths: [{ device: '/dev/a', offset: 0 }] }, 'regionSize'],
    [{ regionSize: 8, paths: [{ device: '/dev/a' }] }, 'paths[0].offset'],
  ],
  [
    ['2 64 1 x 7:0 0 7:1 0', 'optional args'],
    ['2 64 0 7:0 0', 'paths[1].device'],
  ],
);

cases(
  logWrites,
  [['254:0 254:1', { device: dev(0), log: dev(1) }]],
  [[{ device: '/dev/a' }, 'log']],
  [
    ['7:0', 'log'],
    ['7:0 7:1 7:2', 'params'],
  ],
);

describe('status of delay, dust, era, log-writes', () => {
  it('delay: bios waiting per class', () => {
    expect(delay.parseStatus!('0 0 0')).toEqual({ type: 'delay', state: 'ok', reads: 0, writes: 0, flushes: 0, extra: [] });
    expect(delay.parseStatus!('0 x')).toMatchObject({ state: 'unknown', raw: '0 x' });
  });

  it('dust: bypass and verbose at first; after `enable` and `quiet`', () => {
    expect(dust.parseStatus!('254:0 bypass verbose')).toEqual({ type: 'dust', state: 'ok', device: dev(0), failReads: false, quiet: false, extra: [] });
    expect(dust.parseStatus!('254:0 fail_read_on_bad_block quiet')).toMatchObject({ failReads: true, quiet: true });
    expect(dust.parseStatus!('254:0 sometimes')).toMatchObject({ state: 'unknown' });
  });

  it('era: fresh, after `checkpoint`, after `take_metadata_snap`', () => {
    expect(era.parseStatus!('8 9/2048 1 -')).toEqual({ type: 'era', state: 'ok', metadataBlockSize: 8, metadata: { used: 9, total: 2048 }, currentEra: 1, heldMetadataRoot: undefined, extra: [] });
    expect(era.parseStatus!('8 11/2048 2 -')).toMatchObject({ currentEra: 2 });
    expect(era.parseStatus!('8 12/2048 3 25')).toMatchObject({ currentEra: 3, heldMetadataRoot: 25 });
    expect(era.parseStatus!('8 12 3 -')).toMatchObject({ state: 'unknown' });
  });

  it('log-writes: empty, then after a `mark`', () => {
    expect(logWrites.parseStatus!('0 0')).toEqual({ type: 'log-writes', state: 'ok', loggedEntries: 0, highestSector: 0, extra: [] });
    expect(logWrites.parseStatus!('1 1')).toMatchObject({ loggedEntries: 1, highestSector: 1 });
    expect(logWrites.parseStatus!('')).toMatchObject({ state: 'unknown' });
  });

  it('flakey, unstriped and switch report nothing typed', () => {
    for (const kind of [flakey, unstriped, switchTarget]) expect(kind.parseStatus).toBeUndefined();
  });

  it('modules: the type name or the file name', () => {
    expect([delay, flakey, dust, era, unstriped, switchTarget, logWrites].map((kind) => moduleForTarget(kind.type))).toEqual([
      'dm-delay',
      'dm-flakey',
      'dm-dust',
      'dm-era',
      'dm-unstripe',
      'dm-switch',
      'dm-log-writes',
    ]);
  });
});
