/**
 * cache and writecache: round trips, refusals naming the field, and their status parsers on real
 * status lines.
 */
import { describe, expect, it } from 'vitest';
import { cache, writecache } from '../../../lib/targets/index.js';
import { checkTarget } from './support.js';

const loop = (minor: number) => ({ major: 7, minor });
const devices = { metadata: loop(2), cache: loop(3), origin: loop(0) };

describe('cache', () => {
  checkTarget(cache, {
    // As `dmsetup table` printed them on Linux 6.1.176 (UML VM): the kernel echoes what it was given.
    good: [
      ['7:2 7:3 7:0 64 1 writethrough default 0', { ...devices, blockSize: 64, mode: 'writethrough' }],
      ['7:2 7:3 7:0 128 2 metadata2 writeback smq 2 migration_threshold 4096', { ...devices, blockSize: 128, mode: 'writeback', metadata2: true, policy: 'smq', policyArgs: { migration_threshold: 4096 } }],
      ['7:2 7:3 7:0 128 2 passthrough no_discard_passdown smq 0', { ...devices, blockSize: 128, mode: 'passthrough', noDiscardPassdown: true, policy: 'smq' }],
      ['7:2 7:3 7:0 2097152 0 default 0', { ...devices, blockSize: 2097152 }],
      ['7:2 7:3 7:0 64 0 mq 4 sequential_threshold 1024 random_threshold x8', { ...devices, blockSize: 64, policy: 'mq', policyArgs: { sequential_threshold: 1024, random_threshold: 'x8' } }],
    ],
    badParams: [
      [{ ...devices, blockSize: 32 }, 'blockSize'],
      [{ ...devices, blockSize: 100 }, 'blockSize'],
      [{ ...devices, blockSize: 64, mode: 'writearound' }, 'mode'],
      [{ ...devices, blockSize: 64, policy: 'a b' }, 'policy'],
      [{ ...devices, blockSize: 64, policyArgs: { 'a b': 1 } }, 'policyArgs key'],
      [{ ...devices, blockSize: 64, policyArgs: { a: -1 } }, 'policyArgs.a'],
      [{ ...devices, origin: undefined, blockSize: 64 }, 'origin'],
    ],
    badText: [
      ['7:2 7:3 7:0 64 1 bogus default 0', 'features'],
      ['7:2 7:3 7:0 64 0', 'policy'],
      ['7:2 7:3 7:0 64 0 smq 1 odd', 'policyArgs'],
      ['7:2 7:3 7:0 64 0 smq 3 a b', 'policyArgs count'],
      ['7:2 7:3', 'origin'],
    ],
  });

  it('parses real status lines', () => {
    // Linux 6.1.176 (UML VM): a writeback cache after 40 KiB of direct writes.
    expect(cache.parseStatus('8 12/16384 128 1/1024 0 0 8 2 0 1 1 2 metadata2 writeback 2 migration_threshold 4096 smq 0 rw - ')).toEqual({
      type: 'cache',
      state: 'ok',
      metadataBlockSize: 8,
      metadata: { used: 12, total: 16384 },
      blockSize: 128,
      cache: { used: 1, total: 1024 },
      readHits: 0,
      readMisses: 0,
      writeHits: 8,
      writeMisses: 2,
      demotions: 0,
      promotions: 1,
      dirty: 1,
      features: ['metadata2', 'writeback'],
      mode: 'writeback',
      coreArgs: { migration_threshold: 4096 },
      policy: 'smq',
      policyArgs: {},
      metadataMode: 'rw',
      needsCheck: false,
      extra: [],
    });
    expect(cache.parseStatus('8 12/16384 64 0/2048 0 0 0 0 0 0 0 1 writethrough 2 migration_threshold 2048 smq 0 rw - ')).toMatchObject({ mode: 'writethrough', cache: { used: 0, total: 2048 } });
    expect(cache.parseStatus('8 10/16384 128 0/1024 0 0 0 0 0 0 0 2 passthrough no_discard_passdown 2 migration_threshold 2048 smq 0 rw - ')).toMatchObject({ mode: 'passthrough', features: ['passthrough', 'no_discard_passdown'] });
  });

  it('Fail, Error, read-only and needs_check, unknown text', () => {
    expect(cache.parseStatus('Fail')).toEqual({ type: 'cache', state: 'fail' });
    expect(cache.parseStatus('Error')).toEqual({ type: 'cache', state: 'error' });
    expect(cache.parseStatus('8 12/16384 64 0/2048 0 0 0 0 0 0 0 1 writethrough 2 migration_threshold 2048 smq 0 ro needs_check new')).toMatchObject({ metadataMode: 'ro', needsCheck: true, extra: ['new'] });
    expect(cache.parseStatus('8 12/16384')).toEqual({ type: 'cache', state: 'unknown', raw: '8 12/16384' });
  });
});

describe('writecache', () => {
  checkTarget(writecache, {
    good: [
      ['s 7:0 7:2 4096 0', { cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 4096 }],
      ['s 7:0 7:2 4096 1 metadata_only', { cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 4096, options: { metadataOnly: true } }],
      [
        'p 7:0 7:2 512 18 start_sector 16 high_watermark 60 low_watermark 40 writeback_jobs 100 autocommit_blocks 64 autocommit_time 1000 max_age 10000 cleaner nofua pause_writeback 100',
        { cacheType: 'pmem', origin: loop(0), cache: loop(2), blockSize: 512, options: { startSector: 16, highWatermark: 60, lowWatermark: 40, writebackJobs: 100, autocommitBlocks: 64, autocommitTime: 1000, maxAge: 10000, cleaner: true, fua: false, pauseWriteback: 100 } },
      ],
    ],
    badParams: [
      [{ cacheType: 'nvme', origin: loop(0), cache: loop(2), blockSize: 4096 }, 'cacheType'],
      [{ cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 3000 }, 'blockSize'],
      [{ cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 256 }, 'blockSize'],
      [{ cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 4096, options: { highWatermark: 101 } }, 'options.highWatermark'],
      [{ cacheType: 'ssd', origin: loop(0), cache: loop(2), blockSize: 4096, options: { startSector: -1 } }, 'options.startSector'],
      [{ cacheType: 'ssd', origin: loop(0), blockSize: 4096 }, 'cache'],
    ],
    badText: [
      ['x 7:0 7:2 4096 0', 'cacheType'],
      ['s 7:0 7:2 4096 1 bogus', 'options'],
      ['s 7:0 7:2 4096 1 start_sector', 'options.startSector'],
      ['s 7:0 7:2 4096 2 metadata_only', 'options count'],
      ['s 7:0 7:2 4096', 'options count'],
    ],
  });

  it('parses real status lines', () => {
    // Linux 6.1.176 (UML VM): an empty ssd cache, then after 10 direct 4 KiB writes.
    expect(writecache.parseStatus('0 16320 16310 0 0 0 10 0 0 0 10 0 0 0')).toEqual({
      type: 'writecache',
      state: 'ok',
      error: 0,
      totalBlocks: 16320,
      freeBlocks: 16310,
      writebackBlocks: 0,
      counters: { reads: 0, readHits: 0, writes: 10, writeHitsUncommitted: 0, writeHitsCommitted: 0, writesAround: 0, writesAllocate: 10, writesBlockedOnFreelist: 0, flushes: 0, discards: 0 },
      extra: [],
    });
    expect(writecache.parseStatus('0 16320 16320 0 0 0 0 0 0 0 0 0 0 0')).toMatchObject({ freeBlocks: 16320 });
    // Kernels before 5.15 print four numbers; an error is an errno.
    expect(writecache.parseStatus('5 100 90 2')).toMatchObject({ error: 5, counters: {} });
    expect(writecache.parseStatus('0 1 2')).toEqual({ type: 'writecache', state: 'unknown', raw: '0 1 2' });
  });
});
