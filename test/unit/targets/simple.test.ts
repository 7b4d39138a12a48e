/**
 * striped, zero, error and snapshot-origin: round trips, refusals naming the field, and striped's
 * status parser on real status lines.
 */
import { describe, expect, it } from 'vitest';
import { error, parseStatusRow, snapshotOrigin, statusRow, striped, zero } from '../../../lib/targets/index.js';
import { checkTarget } from './support.js';

const loop = (minor: number) => ({ major: 7, minor });

describe('striped', () => {
  checkTarget(striped, {
    good: [
      ['2 128 7:0 0 7:1 0', { chunkSize: 128, stripes: [{ device: loop(0), offset: 0 }, { device: loop(1), offset: 0 }] }],
      ['1 8 /dev/loop3 2048', { chunkSize: 8, stripes: [{ device: '/dev/loop3', offset: 2048 }] }],
    ],
    badParams: [
      [{ chunkSize: 128, stripes: [] }, 'stripes'],
      [{ chunkSize: 128 }, 'stripes'],
      [{ chunkSize: 0, stripes: [{ device: loop(0), offset: 0 }] }, 'chunkSize'],
      [{ chunkSize: 128, stripes: [{ device: loop(0), offset: 0 }, { device: '', offset: 0 }] }, 'stripes[1].device'],
      [{ chunkSize: 128, stripes: [{ device: loop(0), offset: -8 }] }, 'stripes[0].offset'],
      [{ chunkSize: 128, stripes: [null] }, 'stripes[0]'],
    ],
    badText: [
      ['', 'stripe count'],
      ['0 128', 'stripe count'],
      ['2 x 7:0 0 7:1 0', 'chunkSize'],
      ['2 128 7:0 0', 'stripes[1].device'],
      ['2 128 7:0 0 7:1', 'stripes[1].offset'],
      ['1 128 7:0 0 7:1', 'params'],
    ],
  });

  it('parses real status: every stripe alive', () => {
    // `dmsetup status` of `0 4096 striped 2 128 /dev/loop0 0 /dev/loop1 0`, Linux 6.1.176 (UML VM).
    expect(striped.parseStatus('2 7:0 7:1 1 AA')).toEqual({
      type: 'striped',
      stripes: [{ device: loop(0), alive: true }, { device: loop(1), alive: true }],
      extra: [],
    });
    expect(striped.parseStatus('2 7:0 7:1 1 AD').stripes.map((s) => s.alive)).toEqual([true, false]);
    expect(striped.parseStatus('garbage')).toEqual({ type: 'striped', stripes: [], extra: [] });
  });
});

describe('zero and error', () => {
  for (const kind of [zero, error]) {
    checkTarget(kind, { good: [['', {}]], badParams: [[{ size: 1 }, 'size']], badText: [['1', 'params']] });
  }

  it('modules: error is built in, zero is dm-zero; status is raw', () => {
    expect(error.module).toBeNull();
    expect(zero.module).toBe('dm-zero');
    // `dmsetup status` of a zero target prints nothing after the type.
    expect(parseStatusRow(statusRow({ start: 0, length: 100, type: 'zero', params: '' })).status).toEqual({ type: 'zero', raw: '' });
  });
});

describe('snapshot-origin', () => {
  checkTarget(snapshotOrigin, {
    good: [
      ['254:0', { origin: { major: 254, minor: 0 } }],
      ['/dev/mapper/vg-lv-real', { origin: '/dev/mapper/vg-lv-real' }],
    ],
    badParams: [[{ origin: '' }, 'origin'], [{}, 'origin']],
    badText: [['', 'origin'], ['254:0 254:1', 'params']],
  });
});
