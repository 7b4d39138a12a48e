/**
 * The stats report's own arithmetic, on captured @stats_list text and counters: libdm's size
 * strings, the walk's rows (areas, multi-area regions, groups), the metrics and their rounding.
 * The output against dmstats itself is test/vm/cli-differential-stats.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseStatsList, parseStatsPrint } from '../../lib/index.js';
import { FIELDS } from '../../cli/report/fields.js';
import { metricValue } from '../../cli/stats-metrics.js';
import { statsFieldValue, statsRows } from '../../cli/stats-rows.js';
import { humanSize } from '../../cli/stats-units.js';
import { histogramText } from '../../cli/stats-histogram.js';
import { programName } from '../../cli/start.js';

const field = (id: string) => FIELDS.find((def) => def.id === id)!;

describe('humanSize (dm_size_to_string with --units h)', () => {
  it('prints the values dmstats printed in the VM', () => {
    expect(humanSize(0n)).toBe('0');
    expect(humanSize(1n)).toBe('512b');
    expect(humanSize(100n)).toBe('50.00k');
    expect(humanSize(2048n)).toBe('1.00m');
    expect(humanSize(2248n)).toBe('1.10m');
    // A region row's area start: (start + 2^49 * step) sectors, wrapped in uint64_t bytes.
    expect(humanSize(100n + (1n << 49n) * 50n)).toBe('12.50e');
    expect(humanSize((1n << 49n) * 512n)).toBe('0b');
  });
});

describe('the walk', () => {
  const regions = parseStatsList('0: 0+2048 2048 dmstats DMS_GROUP=grp:0-1#-\n1: 100+200 50 dmstats -\n3: 0+2048 2048 dmstats -\n');
  it('report: areas, then regions of several areas, then groups; grouped rows take the alias', () => {
    const rows = statsRows('st1', regions, new Map(), { areas: true, regions: true, groups: true, skipSingleArea: true });
    expect(rows.map((row) => `${row.name} ${row.kind} ${statsFieldValue(field('region_id'), row)!.text}.${row.areaId}`)).toEqual([
      'grp area 0.0', 'grp area 1.0', 'grp area 1.1', 'grp area 1.2', 'grp area 1.3', 'st1 area 3.0', 'grp region 1.0', 'grp group 0-1.0',
    ]);
    const group = rows.at(-1)!;
    expect(statsFieldValue(field('region_len'), group)!.text).toBe('1.10m');
    expect(statsFieldValue(field('group_id'), rows[5]!)!.text).toBe('-');
  });

  it('counters of a region and a group are the sums of their areas', () => {
    const areas = new Map([
      [0, parseStatsPrint('0+2048 8 1 8 0 0 0 0 0 0 0 0 0 0\n', false)],
      [1, parseStatsPrint('100+50 1 0 2 0 0 0 0 0 0 0 0 0 0\n150+50 2 0 4 0 0 0 0 0 0 0 0 0 0\n200+50 0 0 0 0 0 0 0 0 0 0 0 0 0\n250+50 0 0 0 0 1 0 1 0 0 0 0 0 0\n', false)],
      [3, parseStatsPrint('0+2048 0 0 0 0 0 0 0 0 0 0 0 0 0\n', false)],
    ]);
    const rows = statsRows('st1', regions, areas, { areas: false, regions: true, groups: true, skipSingleArea: false });
    const reads = rows.map((row) => statsFieldValue(field('read_count'), row)!.text);
    expect(reads).toEqual(['8', '3', '0', '11']);
    expect(statsFieldValue(field('write_sector_count'), rows[1]!)!.text).toBe('1');
  });
});

describe('metrics', () => {
  const [area] = parseStatsPrint('0+2048 8 1 8 0 0 0 0 0 0 0 0 0 0\n', false);
  it('rates over a 1 s interval, with the merge rate divided by nanoseconds as libdm does', () => {
    const value = (id: string): string => metricValue(id, area!.counters, 1e9)!.text;
    expect([value('reads_per_sec'), value('read_size_per_sec'), value('avg_request_size'), value('reads_merged_per_sec')]).toEqual(['8.00', '4.00k', '512b', '0.00']);
    expect(metricValue('reads_per_sec', area!.counters, 2e9)!.text).toBe('4.00');
  });

  it('util: dm_percent_t, a non-zero value under 0.01% shows as 0.01', () => {
    const util = (ioNs: bigint): string => metricValue('util', { ...area!.counters, ioNs }, 1e9)!.text;
    expect([util(0n), util(20_000n), util(500_000_000n), util(2_000_000_000n)]).toEqual(['0.00', '0.01', '50.00', '100.00']);
  });
});

describe('histogramText (dm_histogram_to_string)', () => {
  const bounds = [10_000_000n, 1_000_000_000n];
  const counts = [3n, 1n, 0n];
  const format = { values: true, percent: false, bounds: undefined, suffix: true, unaligned: false } as const;
  it('counts padded to 6 in an aligned report, `:`-separated without', () => {
    expect(histogramText(bounds, counts, format)).toBe('     3     1     0');
    expect(histogramText(bounds, counts, { ...format, unaligned: true })).toBe('3:1:0');
  });

  it('with lower bounds, ranges and percentages (--noheadings: `:` after each bin too, as libdm); nothing without a histogram', () => {
    expect(histogramText(bounds, counts, { ...format, bounds: 'lower', unaligned: true })).toBe('0s:3:10ms:1:1s:0');
    expect(histogramText(bounds, counts, { ...format, bounds: 'range', unaligned: true })).toBe('0s-10ms:3:10ms-1s:1:>1s:0');
    expect(histogramText(bounds, counts, { ...format, percent: true, unaligned: true })).toBe('75.00%:25.00%:0.00%');
    expect(histogramText(bounds, undefined, { ...format, values: false, bounds: 'lower' })).toBe('0s,10ms,1s');
    expect(histogramText(undefined, undefined, format)).toBe('');
  });
});

describe('the dmstats name', () => {
  it('a script run as dmstats is the stats command set', () => {
    expect(programName('/usr/sbin/dmstats')).toBe('dmstats');
    expect(programName('/usr/sbin/dmstats.real')).toBe('tsdmsetup');
  });
});
