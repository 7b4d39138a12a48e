/**
 * multipath: format/parse round trips on the kernel's canonical text, refusals naming the field,
 * and the status parser on lines Linux 6.1 printed in the VM (`dmsetup status` of multipath
 * devices over loop devices, and over dm devices with queue_mode bio, after `fail_path` and
 * `disable_group` messages; captured by hand for these fixtures).
 */
import { describe, expect, it } from 'vitest';
import { multipath, moduleForTarget, type MultipathParams } from '../../../lib/targets/index.js';
import { expectRefused } from './support.js';

const loop = (minor: number) => ({ major: 7, minor });

describe('multipath', () => {
  it.each<[string, MultipathParams]>([
    // As `dmsetup table` showed them (the kernel adds a trailing space, which parse ignores).
    [
      '0 0 1 1 service-time 0 2 2 7:2 1 1 7:3 1 1',
      { groups: [{ selector: 'service-time', paths: [{ device: loop(2), args: ['1', '1'] }, { device: loop(3), args: ['1', '1'] }] }] },
    ],
    [
      '1 queue_if_no_path 0 2 1 round-robin 0 1 1 7:2 1 round-robin 0 1 1 7:3 1',
      {
        features: { queueIfNoPath: true },
        groups: [
          { selector: 'round-robin', paths: [{ device: loop(2), args: ['1'] }] },
          { selector: 'round-robin', paths: [{ device: loop(3), args: ['1'] }] },
        ],
      },
    ],
    [
      '3 retain_attached_hw_handler queue_mode bio 0 1 1 queue-length 0 2 1 254:0 1 254:1 1',
      {
        features: { retainAttachedHwHandler: true, queueMode: 'bio' },
        groups: [{ selector: 'queue-length', paths: [{ device: { major: 254, minor: 0 }, args: ['1'] }, { device: { major: 254, minor: 1 }, args: ['1'] }] }],
      },
    ],
    [
      '5 queue_if_no_path pg_init_retries 5 pg_init_delay_msecs 100 2 alua 1 2 2 round-robin 1 x 1 0 /dev/sda round-robin 0 1 0 /dev/sdb',
      {
        features: { queueIfNoPath: true, pgInitRetries: 5, pgInitDelayMsecs: 100 },
        hwHandler: { name: 'alua', args: ['1'] },
        initialGroup: 2,
        groups: [
          { selector: 'round-robin', selectorArgs: ['x'], paths: [{ device: '/dev/sda' }] },
          { selector: 'round-robin', paths: [{ device: '/dev/sdb' }] },
        ],
      },
    ],
  ])('%s round-trips', (text, params) => {
    expect(multipath.parse(`${text} `)).toEqual(params);
    expect(multipath.format(params)).toBe(text);
  });

  const group = { selector: 'round-robin', paths: [{ device: '/dev/loop0', args: ['1'] }] };
  it.each<[unknown, string]>([
    [{ groups: [] }, 'groups'],
    [{ groups: [{ ...group, paths: [] }] }, 'groups[0].paths'],
    [{ groups: [{ ...group, selector: '' }] }, 'groups[0].selector'],
    [{ groups: [{ ...group, paths: [{ device: 'a b' }] }] }, 'groups[0].paths[0].device'],
    [{ groups: [{ ...group, paths: [{ device: '/dev/a', args: ['1'] }, { device: '/dev/b' }] }] }, 'groups[0].paths'],
    [{ groups: [{ ...group, paths: [{ device: '/dev/a', args: ['1 2'] }] }] }, 'groups[0].paths[0].args[0]'],
    [{ groups: [group], initialGroup: 2 }, 'initialGroup'],
    [{ groups: [group], features: { queueMode: 'fast' } }, 'features.queueMode'],
    [{ groups: [group], features: { pgInitRetries: 0 } }, 'features.pgInitRetries'],
    [{ groups: [group], hwHandler: { name: '' } }, 'hwHandler.name'],
  ])('format refuses %o naming %s', (params, field) => {
    expectRefused(() => multipath(params as MultipathParams), `multipath: ${field}`);
  });

  it.each([
    ['', 'features count'],
    ['1 frob 0 1 1 round-robin 0 1 0 7:0', 'features'],
    ['2 queue_mode x 0 1 1 round-robin 0 1 0 7:0', 'features.queueMode'],
    ['0 0 0 0', 'group count'],
    ['0 0 1 2 round-robin 0 1 0 7:0', 'initialGroup'],
    ['0 0 1 1 round-robin 0 0 0', 'groups[0].path count'],
    ['0 0 1 1 round-robin 0 1 1 7:0', 'groups[0].paths[0].args'],
    ['0 0 1 1 round-robin 0 1 0 7:0 extra', 'params'],
  ])('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => multipath.parse(text), `multipath: ${field}`);
  });

  it('reads the kernel status: service-time with a failed path', () => {
    expect(multipath.parseStatus!('2 1 0 0 1 1 E 0 2 2 7:2 A 0 0 1 7:3 F 1 0 1 ')).toEqual({
      type: 'multipath',
      state: 'ok',
      queueIo: true,
      pgInitCount: 0,
      hwHandler: [],
      nextGroup: 1,
      groups: [
        {
          state: 'enabled',
          selector: [],
          paths: [
            { device: loop(2), active: true, failCount: 0, selector: ['0', '1'] },
            { device: loop(3), active: false, failCount: 1, selector: ['0', '1'] },
          ],
        },
      ],
      extra: [],
    });
  });

  it('reads the kernel status: two round-robin groups, one disabled', () => {
    const status = multipath.parseStatus!('2 1 0 0 2 1 D 0 1 0 7:2 A 0 E 0 1 0 7:3 F 1 ');
    expect(status.state === 'ok' && status.groups.map((g) => [g.state, g.paths.map((p) => p.active)])).toEqual([
      ['disabled', [true]],
      ['enabled', [false]],
    ]);
    expect(multipath.parseStatus!('2 1 0 0 2 1 E 0 1 0 7:2 A 0 E 0 1 0 7:3 A 0 ')).toMatchObject({ groups: [{ state: 'enabled' }, { state: 'enabled' }] });
  });

  it('keeps a status it cannot read raw', () => {
    expect(multipath.parseStatus!('2 1 0 0 1 1 E 0 2 2 7:2 A')).toEqual({ type: 'multipath', state: 'unknown', raw: '2 1 0 0 1 1 E 0 2 2 7:2 A' });
    expect(multipath.parseStatus!('2 1 0 0 4294967295 1')).toMatchObject({ state: 'unknown' });
  });

  it('lives in dm-multipath', () => {
    expect(moduleForTarget('multipath')).toBe('dm-multipath');
  });
});
