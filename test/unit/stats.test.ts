/**
 * lib/stats on replies captured from Linux 6.1 in the VM (dmsetup message … @stats_list and
 * @stats_print, after `dmstats create` with each option and `dmstats group`), and the messages
 * DeviceStats sends (recorded by a messenger that answers with captured text: no kernel claims).
 */
import { describe, expect, it } from 'vitest';
import {
  DeviceStats,
  formatAuxData,
  formatIdList,
  isDmError,
  parseGroupTag,
  parseHistogramBounds,
  parseIdList,
  parseStatsList,
  parseStatsPrint,
  type StatsMessenger,
} from '../../lib/index.js';

// `dmsetup message st1 0 @stats_list` after five dmstats creates and `group --regions 0,1 --alias grp`.
const LIST = [
  '0: 0+2048 2048 dmstats DMS_GROUP=grp:0-1#-',
  '1: 100+200 50 dmstats -',
  '2: 0+2048 512 myprog -',
  '3: 0+2048 2048 dmstats - precise_timestamps histogram:1000000,10000000',
  '4: 0+2048 2048 dmstats -',
  '',
].join('\n');

describe('parseStatsList', () => {
  it('reads ids, ranges, steps, program ids, the group tag and the options', () => {
    const regions = parseStatsList(LIST);
    expect(regions.map((r) => [r.regionId, r.start, r.length, r.areaLength, r.areaCount])).toEqual([
      [0, 0n, 2048n, 2048n, 1],
      [1, 100n, 200n, 50n, 4],
      [2, 0n, 2048n, 512n, 4],
      [3, 0n, 2048n, 2048n, 1],
      [4, 0n, 2048n, 2048n, 1],
    ]);
    expect(regions[0]!.group).toEqual({ alias: 'grp', members: [0, 1] });
    expect(regions[0]!.userData).toBe('');
    expect(regions[0]!.rawAuxData).toBe('DMS_GROUP=grp:0-1#-');
    expect(regions[2]!.programId).toBe('myprog');
    expect(regions[3]!.precise).toBe(true);
    expect(regions[3]!.histogramBounds).toEqual([1_000_000n, 10_000_000n]);
    expect(regions[4]!.histogramBounds).toBeUndefined();
  });

  it('an empty reply is no regions; a bad row is a parse DmError', () => {
    expect(parseStatsList('')).toEqual([]);
    expect(parseStatsList(undefined)).toEqual([]);
    expect(() => parseStatsList('0 0+1')).toThrow(/Could not parse @stats_list row/);
  });

  it('millisecond histograms are scaled to nanoseconds', () => {
    const [region] = parseStatsList('5: 0+8 8 dmstats - histogram:1,10\n');
    expect(region!.precise).toBe(false);
    expect(region!.histogramBounds).toEqual([1_000_000n, 10_000_000n]);
  });
});

describe('parseStatsPrint', () => {
  it('reads the 13 counters of each area, scaling milliseconds', () => {
    // After `dd bs=512 count=8 iflag=direct` from the device: 8 reads, 1 merge, 8 sectors.
    const [area] = parseStatsPrint('0+2048 8 1 8 3 0 0 0 0 0 2 4 3 0\n', false);
    expect(area!.start).toBe(0n);
    expect(area!.length).toBe(2048n);
    expect(area!.counters).toMatchObject({ reads: 8n, readsMerged: 1n, readSectors: 8n, readNs: 3_000_000n, ioNs: 2_000_000n, weightedIoNs: 4_000_000n, totalReadNs: 3_000_000n });
  });

  it('areas of a region, and the histogram counts of a precise region', () => {
    const areas = parseStatsPrint('100+50 0 0 0 0 0 0 0 0 0 0 0 0 0\n150+50 0 0 0 0 0 0 0 0 0 0 0 0 0\n', false);
    expect(areas.map((a) => a.start)).toEqual([100n, 150n]);
    const [hist] = parseStatsPrint('0+2048 1 0 8 1500 0 0 0 0 0 0 0 0 0 1:0:0\n', true);
    expect(hist!.counters.readNs).toBe(1500n);
    expect(hist!.counters.histogram).toEqual([1n, 0n, 0n]);
  });

  it('a short row is refused', () => {
    expect(() => parseStatsPrint('0+8 1 2 3\n', false)).toThrow(/Could not parse @stats_print row/);
  });
});

describe('group tags and id lists', () => {
  it('reads and writes libdm tags', () => {
    expect(parseGroupTag('DMS_GROUP=:0-1#-')).toEqual({ group: { alias: '', members: [0, 1] }, userData: '' });
    expect(parseGroupTag('DMS_GROUP=a:0,2-3#mine')).toEqual({ group: { alias: 'a', members: [0, 2, 3] }, userData: 'mine' });
    expect(parseGroupTag('-')).toBeUndefined();
    expect(formatAuxData({ alias: 'grp', members: [0, 1] }, '')).toBe('DMS_GROUP=grp:0-1#-');
    expect(formatAuxData(undefined, 'x')).toBe('x');
    expect(formatIdList([5, 0, 1, 2])).toBe('0-2,5');
    expect(parseIdList('2-4,0')).toEqual([0, 2, 3, 4]);
    expect(parseIdList('a')).toBeUndefined();
  });

  it('histogram bounds with units, as dm_histogram_bounds_from_string', () => {
    expect(parseHistogramBounds('1ms,10ms')).toEqual([1_000_000n, 10_000_000n]);
    expect(parseHistogramBounds('10us,1s,2')).toEqual([10_000n, 1_000_000_000n, 2_000_000_000n]);
    expect(() => parseHistogramBounds('1ms,,2ms')).toThrow(/Empty histogram bin not allowed/);
    expect(() => parseHistogramBounds('1x')).toThrow(/Invalid character in histogram: x/);
  });
});

/** Answers @stats_list with `list` and @stats_create with `0`; records every message. */
function recorder(list: string): { sent: string[]; dm: StatsMessenger } {
  const sent: string[] = [];
  return {
    sent,
    dm: {
      message(_device, _sector, message) {
        sent.push(message);
        if (message.startsWith('@stats_list')) return list;
        if (message.startsWith('@stats_create')) return '0\n';
        return undefined;
      },
    },
  };
}

describe('DeviceStats messages', () => {
  it('create: range, step or area count, options, program id, aux data', () => {
    const { sent, dm } = recorder('');
    const stats = new DeviceStats(dm, { name: 'd' });
    expect(stats.createRegion()).toBe(0);
    stats.createRegion({ start: 100n, length: 200n, areas: 4 });
    stats.createRegion({ areaLength: 512n, programId: 'myprog', userData: 'u' });
    stats.createRegion({ histogramBounds: [1_000_000n, 10_000_000n] });
    stats.createRegion({ histogramBounds: [1500n], precise: false });
    expect(sent).toEqual([
      '@stats_create - /1 dmstats -',
      '@stats_create 100+200 /4 dmstats -',
      '@stats_create - 512 myprog u',
      '@stats_create - /1 1 histogram:1,10 dmstats -',
      '@stats_create - /1 2 precise_timestamps histogram:1500 dmstats -',
    ]);
  });

  it('group: the tag goes to the first member, with the overlap warning libdm prints', () => {
    const { sent, dm } = recorder('0: 0+2048 2048 dmstats -\n1: 100+200 50 dmstats -\n2: 4096+8 8 dmstats -\n');
    const group = new DeviceStats(dm, { name: 'd' }).createGroup('0,1', 'grp');
    expect(group).toEqual({ groupId: 0, warnings: ['WARNING: region IDs 0 and 1 overlap. Some events will be counted twice.'] });
    expect(sent.at(-1)).toBe('@stats_set_aux 0 DMS_GROUP=grp:0-1#-');
  });

  it('group refusals use libdm messages', () => {
    const { dm } = recorder(LIST);
    const stats = new DeviceStats(dm, { name: 'd' });
    const refusal = (call: () => unknown): string => {
      try {
        call();
      } catch (error) {
        if (isDmError(error, 'EINVAL')) return error.summary;
      }
      return 'no refusal';
    };
    expect(refusal(() => stats.createGroup('0,1'))).toBe('Region ID 0 already a member of group ID 0');
    expect(refusal(() => stats.createGroup('1,9'))).toBe('Invalid region ID: 9');
    expect(refusal(() => stats.createGroup('x'))).toBe("Could not parse list: 'x'");
    expect(refusal(() => stats.deleteGroup(3))).toBe('Group ID 3 does not exist');
  });

  it('deleting a grouped region rewrites its leader tag; ungroup clears the tag', () => {
    const { sent, dm } = recorder('0: 0+2048 2048 dmstats DMS_GROUP=:0-2#-\n1: 100+200 50 dmstats -\n2: 4096+8 8 dmstats -\n');
    const stats = new DeviceStats(dm, { name: 'd' });
    stats.deleteRegion(2);
    stats.deleteGroup(0);
    expect(sent.filter((m) => !m.startsWith('@stats_list'))).toEqual([
      '@stats_set_aux 0 DMS_GROUP=:0-1#-',
      '@stats_delete 2',
      '@stats_set_aux 0 -',
    ]);
  });
});
