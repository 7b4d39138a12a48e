/**
 * mirror and raid: format/parse round trips on the kernel's canonical text, refusals naming the
 * field, and the status parsers on lines Linux 6.1 printed in the VM (`dmsetup status`, dm-mirror
 * and dm-raid 1.15.1 over linear slices of loop devices; captured by hand for these fixtures).
 */
import { describe, expect, it } from 'vitest';
import { mirror, raid, targetType, moduleForTarget, type MirrorParams, type RaidParams } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

const dev = (minor: number) => ({ major: 254, minor });

describe('mirror', () => {
  // Each text as `dmsetup table` showed it after creating the device (Linux 6.1).
  it.each<[string, MirrorParams]>([
    ['core 1 1024 2 254:0 0 254:1 0', { log: { type: 'core', regionSize: 1024 }, legs: [{ device: dev(0), offset: 0 }, { device: dev(1), offset: 0 }] }],
    [
      'core 2 1024 nosync 2 254:0 0 254:1 0 1 handle_errors',
      { log: { type: 'core', regionSize: 1024, sync: 'nosync' }, legs: [{ device: dev(0), offset: 0 }, { device: dev(1), offset: 0 }], features: { handleErrors: true } },
    ],
    [
      'disk 2 254:2 1024 3 254:0 0 254:1 0 254:3 0 1 handle_errors',
      { log: { type: 'disk', device: dev(2), regionSize: 1024 }, legs: [0, 1, 3].map((minor) => ({ device: dev(minor), offset: 0 })), features: { handleErrors: true } },
    ],
    ['core 2 8 sync 2 254:0 0 254:1 0', { log: { type: 'core', regionSize: 8, sync: 'sync' }, legs: [{ device: dev(0), offset: 0 }, { device: dev(1), offset: 0 }] }],
    [
      'core 3 64 nosync block_on_error 1 /dev/loop0 8 2 handle_errors keep_log',
      { log: { type: 'core', regionSize: 64, sync: 'nosync', blockOnError: true }, legs: [{ device: '/dev/loop0', offset: 8 }], features: { handleErrors: true, keepLog: true } },
    ],
  ])('%s round-trips', (text, params) => {
    expect(mirror.parse(text)).toEqual(params);
    expect(mirror.format(params)).toBe(text);
  });

  const good: MirrorParams = { log: { type: 'core', regionSize: 1024 }, legs: [{ device: '/dev/loop0', offset: 0 }] };
  it.each<[unknown, string]>([
    [{ ...good, legs: [] }, 'legs'],
    [{ ...good, legs: [{ device: 'a b', offset: 0 }] }, 'legs[0].device'],
    [{ ...good, legs: [{ device: '/dev/loop0', offset: -1 }] }, 'legs[0].offset'],
    [{ ...good, log: { type: 'ram', regionSize: 1 } }, 'log.type'],
    [{ ...good, log: { type: 'core', regionSize: 0 } }, 'log.regionSize'],
    [{ ...good, log: { type: 'disk', regionSize: 8 } }, 'log.device'],
    [{ ...good, log: { type: 'core', device: '/dev/loop1', regionSize: 8 } }, 'log.device'],
    [{ ...good, log: { type: 'core', regionSize: 8, sync: 'maybe' } }, 'log.sync'],
    [{ ...good, features: { keepLog: true } }, 'features'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => mirror(params as MirrorParams), `mirror: ${field}`);
  });

  it.each([
    ['', 'log.type'],
    ['core 1 x 1 7:0 0', 'log.regionSize'],
    ['core 2 8 fast 1 7:0 0', 'log'],
    ['core 1 8 0', 'leg count'],
    ['core 1 8 2 7:0 0', 'legs[1].device'],
    ['core 1 8 1 7:0 0 1 frob', 'features'],
  ])('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => mirror.parse(text), `mirror: ${field}`);
  });

  it('reads the kernel status: in sync, a failed leg, a disk log', () => {
    expect(mirror.parseStatus!('2 254:0 254:1 16/16 1 AA 1 core')).toEqual({
      type: 'mirror',
      state: 'ok',
      legs: [{ device: dev(0), health: 'A' }, { device: dev(1), health: 'A' }],
      regions: { used: 16, total: 16 },
      inSync: true,
      log: { type: 'core', words: ['core'] },
      extra: [],
    });
    // The second leg's device replaced by `error`, then written to (no handle_errors).
    const failed = mirror.parseStatus!('2 254:0 254:1 15/16 1 AD 1 core');
    expect(failed.state === 'ok' && [failed.legs.map((leg) => leg.health), failed.inSync]).toEqual([['A', 'D'], false]);
    const disk = mirror.parseStatus!('3 254:0 254:1 254:3 8/8 1 AAA 3 disk 254:2 A');
    expect(disk.state === 'ok' && disk.log).toEqual({ type: 'disk', device: dev(2), health: 'A', words: ['disk', '254:2', 'A'] });
  });

  it('keeps a status it cannot read raw', () => {
    expect(mirror.parseStatus!('2 254:0')).toEqual({ type: 'mirror', state: 'unknown', raw: '2 254:0' });
    expect(mirror.parseStatus!('x')).toMatchObject({ state: 'unknown' });
  });

  it('lives in dm-mirror', () => {
    expect(targetType('mirror')).toBe(mirror);
    expect(moduleForTarget('mirror')).toBe('dm-mirror');
  });
});

describe('raid', () => {
  it.each<[string, RaidParams]>([
    ['raid1 1 0 2 - 254:0 - 254:1', { raidType: 'raid1', chunkSize: 0, devices: [{ data: dev(0) }, { data: dev(1) }] }],
    [
      'raid1 3 0 region_size 1024 2 254:2 254:0 254:3 254:1',
      { raidType: 'raid1', chunkSize: 0, options: { regionSize: 1024 }, devices: [{ metadata: dev(2), data: dev(0) }, { metadata: dev(3), data: dev(1) }] },
    ],
    ['raid1 1 0 2 - 254:0 - -', { raidType: 'raid1', chunkSize: 0, devices: [{ data: dev(0) }, {}] }],
    [
      'raid6_zr 5 64 daemon_sleep 50 stripe_cache 256 4 - 254:0 - 254:1 - 254:4 - 254:5',
      { raidType: 'raid6_zr', chunkSize: 64, options: { daemonSleep: 50, stripeCache: 256 }, devices: [0, 1, 4, 5].map((minor) => ({ data: dev(minor) })) },
    ],
    [
      'raid1 8 0 sync min_recovery_rate 1 max_recovery_rate 1 region_size 512 2 254:2 254:0 254:3 254:1',
      { raidType: 'raid1', chunkSize: 0, options: { sync: 'sync', minRecoveryRate: 1, maxRecoveryRate: 1, regionSize: 512 }, devices: [{ metadata: dev(2), data: dev(0) }, { metadata: dev(3), data: dev(1) }] },
    ],
    [
      'raid1 5 0 rebuild 1 max_recovery_rate 10 2 - 254:8 - 254:9',
      { raidType: 'raid1', chunkSize: 0, options: { rebuild: [1], maxRecoveryRate: 10 }, devices: [{ data: dev(8) }, { data: dev(9) }] },
    ],
    [
      'raid5_ls 3 64 journal_dev 254:6 3 - 254:0 - 254:1 - 254:4',
      { raidType: 'raid5_ls', chunkSize: 64, options: { journalDev: dev(6) }, devices: [0, 1, 4].map((minor) => ({ data: dev(minor) })) },
    ],
    [
      'raid10 14 64 nosync rebuild 0 rebuild 2 raid10_copies 2 raid10_format far delta_disks -1 data_offset 9007199254740993 4 - 7:0 - 7:1 - 7:2 - 7:3',
      {
        raidType: 'raid10',
        chunkSize: 64,
        options: { sync: 'nosync', rebuild: [0, 2], raid10Copies: 2, raid10Format: 'far', deltaDisks: -1, dataOffset: 9007199254740993n },
        devices: [0, 1, 2, 3].map((minor) => ({ data: { major: 7, minor } })),
      },
    ],
  ])('%s round-trips', (text, params) => {
    expect(raid.parse(text)).toEqual(params);
    expect(raid.format(params)).toBe(text);
  });

  const good: RaidParams = { raidType: 'raid1', chunkSize: 0, devices: [{ data: '/dev/loop0' }, { data: '/dev/loop1' }] };
  it.each<[unknown, string]>([
    [{ ...good, raidType: 'raid 1' }, 'raidType'],
    [{ ...good, chunkSize: -1 }, 'chunkSize'],
    [{ ...good, devices: [] }, 'devices'],
    [{ ...good, devices: [{ data: 'a b' }] }, 'devices[0].data'],
    [{ ...good, options: { sync: 'yes' } }, 'options.sync'],
    [{ ...good, options: { rebuild: [2] } }, 'options.rebuild[0]'],
    [{ ...good, options: { rebuild: 1 } }, 'options.rebuild'],
    [{ ...good, options: { raid10Format: 'wide' } }, 'options.raid10Format'],
    [{ ...good, options: { deltaDisks: 251 } }, 'options.deltaDisks'],
    [{ ...good, options: { dataOffset: 1.5 } }, 'options.dataOffset'],
    [{ ...good, options: { journalMode: 'fast' } }, 'options.journalMode'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => raid(params as RaidParams), `raid: ${field}`);
  });

  it.each([
    ['raid1', 'raid params count'],
    ['raid1 1 x 2 - 7:0 - 7:1', 'chunkSize'],
    ['raid1 2 0 frob 2 - 7:0 - 7:1', 'options'],
    ['raid1 2 0 region_size 2 - 7:0 - 7:1', 'options.regionSize'],
    ['raid1 3 0 delta_disks x 2 - 7:0 - 7:1', 'options.deltaDisks'],
    ['raid1 1 0 2 - 7:0 -', 'devices[1].data'],
    ['raid1 1 0 0', 'device count'],
  ])('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => raid.parse(text), `raid: ${field}`);
  });

  it('reads the kernel status: in sync, recovering, a failed leg, a missing leg, a check, frozen, a journal', () => {
    expect(raid.parseStatus!('raid1 2 AA 16384/16384 idle 0 0 -')).toEqual({
      type: 'raid',
      state: 'ok',
      raidType: 'raid1',
      healthChars: 'AA',
      health: ['alive', 'alive'],
      sync: { used: 16384, total: 16384 },
      syncAction: 'idle',
      mismatches: 0,
      dataOffset: 0,
      journal: 'none',
      extra: [],
    });
    // `rebuild 1` with max_recovery_rate 10: the second leg is being recovered.
    expect(raid.parseStatus!('raid1 2 Aa 0/98304 recover 0 0 -')).toMatchObject({ health: ['alive', 'syncing'], sync: { used: 0, total: 98304 }, syncAction: 'recover' });
    // The second leg's device replaced by `error`, then written to.
    expect(raid.parseStatus!('raid1 2 AD 16384/16384 idle 0 0 -')).toMatchObject({ healthChars: 'AD', health: ['alive', 'dead'] });
    expect(raid.parseStatus!('raid1 2 A- 16384/16384 idle 0 0 -')).toMatchObject({ health: ['alive', 'missing'] });
    // `check` over legs that differ (created nosync).
    expect(raid.parseStatus!('raid1 2 AA 16384/16384 idle 2048 0 -')).toMatchObject({ mismatches: 2048 });
    expect(raid.parseStatus!('raid1 2 AA 0/16384 frozen 0 0 -')).toMatchObject({ syncAction: 'frozen', sync: { used: 0 } });
    expect(raid.parseStatus!('raid5_ls 3 AAA 8192/8192 idle 0 0 A')).toMatchObject({ raidType: 'raid5_ls', journal: 'writethrough' });
  });

  it('reads an older kernel line without data offset and journal, and keeps newer words', () => {
    expect(raid.parseStatus!('raid4 5 AAAAA 2/490221568 init 0')).toMatchObject({ syncAction: 'init', dataOffset: undefined, journal: undefined, extra: [] });
    expect(raid.parseStatus!('raid1 2 AA 8/8 idle 0 0 - new words')).toMatchObject({ extra: ['new', 'words'] });
    expect(raid.parseStatus!('raid1 2 AA 9007199254740993/9007199254740993 idle 0 0 -')).toMatchObject({ sync: { used: 9007199254740993n } });
  });

  it('keeps a status it cannot read raw', () => {
    expect(raid.parseStatus!('raid1 3 AA 8/8 idle 0')).toEqual({ type: 'raid', state: 'unknown', raw: 'raid1 3 AA 8/8 idle 0' });
    expect(raid.parseStatus!('')).toMatchObject({ state: 'unknown' });
  });
});
