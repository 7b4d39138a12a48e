/**
 * thin-pool and thin: round trips, refusals naming the field, and the status parsers on real
 * status lines, failure states included.
 */
import { describe, expect, it } from 'vitest';
import { parseStatusRow, statusRow, thin, thinPool } from '../../../lib/targets/index.js';
import { checkTarget, expectRefused } from './support.js';

const dev = (major: number, minor: number) => ({ major, minor });

describe('thin-pool', () => {
  checkTarget(thinPool, {
    // As `dmsetup table` printed them on Linux 6.1.176 (UML VM), less the trailing space.
    good: [
      ['7:2 7:3 128 16 2 skip_block_zeroing error_if_no_space', { metadata: dev(7, 2), data: dev(7, 3), blockSize: 128, lowWater: 16, features: { skipBlockZeroing: true, errorIfNoSpace: true } }],
      ['7:2 7:3 128 0 0', { metadata: dev(7, 2), data: dev(7, 3), blockSize: 128, lowWater: 0 }],
      ['7:2 7:3 128 0 1 read_only', { metadata: dev(7, 2), data: dev(7, 3), blockSize: 128, lowWater: 0, features: { readOnly: true } }],
      ['/dev/m /dev/d 2097152 9007199254740993 2 ignore_discard no_discard_passdown', { metadata: '/dev/m', data: '/dev/d', blockSize: 2097152, lowWater: 9007199254740993n, features: { ignoreDiscard: true, noDiscardPassdown: true } }],
    ],
    badParams: [
      [{ metadata: dev(7, 2), data: dev(7, 3), blockSize: 64, lowWater: 0 }, 'blockSize'],
      [{ metadata: dev(7, 2), data: dev(7, 3), blockSize: 192, lowWater: 0 }, 'blockSize'],
      [{ metadata: dev(7, 2), data: dev(7, 3), blockSize: 4194304, lowWater: 0 }, 'blockSize'],
      [{ metadata: dev(7, 2), data: dev(7, 3), blockSize: 128, lowWater: -1 }, 'lowWater'],
      [{ metadata: 'a b', data: dev(7, 3), blockSize: 128, lowWater: 0 }, 'metadata'],
      [{ metadata: dev(7, 2), data: {}, blockSize: 128, lowWater: 0 }, 'data'],
      [{ metadata: dev(7, 2), data: dev(7, 3), blockSize: 128, lowWater: 0, features: 'x' }, 'features'],
    ],
    badText: [
      ['7:2', 'data'],
      ['7:2 7:3 x 0 0', 'blockSize'],
      ['7:2 7:3 128 -1 0', 'lowWater'],
      ['7:2 7:3 128 0 1 bogus_feature', 'features'],
      ['7:2 7:3 128 0 2 read_only', 'features count'],
    ],
  });

  // Status lines as `dmsetup status` printed them on Linux 6.1.176 (UML VM).
  it('parses a healthy pool, a full one, a read-only one', () => {
    expect(thinPool.parseStatus('0 1648/16384 0/16 - rw discard_passdown error_if_no_space - 1024 ')).toEqual({
      type: 'thin-pool',
      state: 'ok',
      transactionId: 0,
      metadata: { used: 1648, total: 16384 },
      data: { used: 0, total: 16 },
      heldMetadataRoot: undefined,
      mode: 'rw',
      discards: 'passdown',
      whenFull: 'error',
      needsCheck: false,
      metadataLowWatermark: 1024,
      extra: [],
    });
    const full = thinPool.parseStatus('0 1649/16384 16/16 - out_of_data_space discard_passdown error_if_no_space - 1024 ');
    expect(full).toMatchObject({ state: 'ok', mode: 'out_of_data_space', data: { used: 16, total: 16 } });
    const ro = thinPool.parseStatus('0 1648/16384 0/16 - ro discard_passdown queue_if_no_space - 1024 ');
    expect(ro).toMatchObject({ state: 'ok', mode: 'ro', whenFull: 'queue' });
  });

  it('parses Error and Fail (a pool whose metadata device failed)', () => {
    expect(thinPool.parseStatus('Error')).toEqual({ type: 'thin-pool', state: 'error' });
    expect(thinPool.parseStatus('Fail')).toEqual({ type: 'thin-pool', state: 'fail' });
  });

  it('keeps unknown words and text raw, never throws', () => {
    const status = thinPool.parseStatus('18446744073709551615 1/2 3/4 42 rw no_discard_passdown queue_if_no_space needs_check 7 new_field');
    expect(status).toMatchObject({ transactionId: 18446744073709551615n, heldMetadataRoot: 42, discards: 'no-passdown', needsCheck: true, extra: ['new_field'] });
    expect(thinPool.parseStatus('what is this')).toEqual({ type: 'thin-pool', state: 'unknown', raw: 'what is this' });
    expect(thinPool.parseStatus('')).toMatchObject({ state: 'unknown' });
  });

  it('parseStatusRow finds the parser; a status row is not a table row', () => {
    const row = statusRow({ start: 0, length: 2048, type: 'thin-pool', params: 'Fail' });
    expect(parseStatusRow(row, thinPool).status).toEqual({ type: 'thin-pool', state: 'fail' });
    expect(parseStatusRow(row).status).toEqual({ type: 'thin-pool', state: 'fail' });
    expectRefused(() => parseStatusRow({ start: 0, length: 1, type: 'thin-pool', params: 'Fail' } as never), 'status');
    expectRefused(() => parseStatusRow(row, thin), 'not thin');
  });
});

describe('thin', () => {
  checkTarget(thin, {
    good: [
      ['254:0 1', { pool: dev(254, 0), deviceId: 1 }],
      ['254:0 1 7:1', { pool: dev(254, 0), deviceId: 1, externalOrigin: dev(7, 1) }],
      ['/dev/mapper/pool 16777215', { pool: '/dev/mapper/pool', deviceId: 16777215 }],
    ],
    badParams: [
      [{ pool: dev(254, 0), deviceId: 16777216 }, 'deviceId'],
      [{ pool: dev(254, 0), deviceId: -1 }, 'deviceId'],
      [{ pool: dev(254, 0), deviceId: 1, externalOrigin: '' }, 'externalOrigin'],
      [{ deviceId: 1 }, 'pool'],
    ],
    badText: [
      ['254:0', 'deviceId'],
      ['254:0 x', 'deviceId'],
      ['254:0 1 7:1 extra', 'params'],
    ],
  });

  it('parses real status lines', () => {
    // Linux 6.1.176 (UML VM): a new volume, after 256 KiB and 1 MiB of writes, and after its pool failed.
    expect(thin.parseStatus('0 -')).toEqual({ type: 'thin', state: 'ok', mappedSectors: 0, highestMappedSector: undefined, extra: [] });
    expect(thin.parseStatus('512 511')).toEqual({ type: 'thin', state: 'ok', mappedSectors: 512, highestMappedSector: 511, extra: [] });
    expect(thin.parseStatus('2048 2047')).toMatchObject({ mappedSectors: 2048, highestMappedSector: 2047 });
    expect(thin.parseStatus('Fail')).toEqual({ type: 'thin', state: 'fail' });
    expect(thin.parseStatus('junk')).toEqual({ type: 'thin', state: 'unknown', raw: 'junk' });
  });
});
