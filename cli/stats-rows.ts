/**
 * The rows of `dmstats list` and `dmstats report` (libdm's stats walk): each area of each region,
 * then each region of more than one area, then each group, as the walk flags choose, with the
 * report fields dmsetup computes for them (its _dm_stats_*_disp functions).
 */
import { COUNTER_NAMES, formatIdList, groupOf, type StatsArea, type StatsCounters, type StatsRegion } from '../lib/index.js';
import type { FieldDef, FieldValue } from './report/fields.js';
import { humanSize } from './stats-units.js';
import { METRIC_FIELDS, metricValue } from './stats-metrics.js';
import { histogramText, type HistogramFormat } from './stats-histogram.js';

/** One object of the walk. */
export interface StatsRow {
  kind: 'area' | 'region' | 'group';
  /** The device's name, or the group's alias for grouped regions and groups. */
  name: string;
  region: StatsRegion;
  /** The group of this region (undefined when ungrouped). */
  groupId: number | undefined;
  /** Group members (group rows only). */
  members?: StatsRegion[];
  areaId: number;
  areaStart: bigint;
  areaLength: bigint;
  counters: StatsCounters | undefined;
  regionStart: bigint;
  regionLength: bigint;
  areaCount: number;
}

/** What the walk visits (DM_STATS_WALK_*). */
export interface WalkFlags {
  areas: boolean;
  regions: boolean;
  groups: boolean;
  /** Skip the region row of a region with one area (its area row says it all). */
  skipSingleArea: boolean;
}

const ZERO: StatsCounters = {
  reads: 0n, readsMerged: 0n, readSectors: 0n, readNs: 0n, writes: 0n, writesMerged: 0n, writeSectors: 0n, writeNs: 0n,
  inProgress: 0n, ioNs: 0n, weightedIoNs: 0n, totalReadNs: 0n, totalWriteNs: 0n,
};

function sum(list: readonly (StatsCounters | undefined)[]): StatsCounters | undefined {
  if (list.some((c) => c === undefined)) return undefined;
  const total: StatsCounters = { ...ZERO };
  for (const counters of list) for (const key of COUNTER_NAMES) total[key] += counters![key];
  const histograms = list.map((counters) => counters!.histogram);
  if (histograms.every((h) => h !== undefined) && histograms.length > 0) {
    total.histogram = histograms[0]!.map((_, bin) => histograms.reduce((sum, h) => sum + (h[bin] ?? 0n), 0n));
  }
  return total;
}

// libdm's area cursor for a region object is DM_STATS_WALK_REGION (1 << 49): its "area start".
const WALK_REGION = 1n << 49n;
const U64 = (1n << 64n) - 1n;

/** The walk's rows for one device; `areas` holds each region's printed areas (for counters). */
export function statsRows(
  deviceName: string,
  regions: readonly StatsRegion[],
  areas: ReadonlyMap<number, StatsArea[]>,
  flags: WalkFlags,
): StatsRow[] {
  const groups = groupOf(regions);
  const leaders = new Map(regions.filter((r) => r.group).map((r) => [r.regionId, r]));
  const nameOf = (region: StatsRegion): string => {
    const group = groups.get(region.regionId);
    const alias = group === undefined ? '' : leaders.get(group)!.group!.alias;
    return alias || deviceName;
  };
  const base = (region: StatsRegion): Omit<StatsRow, 'kind' | 'areaId' | 'areaStart' | 'areaLength' | 'counters'> => ({
    name: nameOf(region),
    region,
    groupId: groups.get(region.regionId),
    regionStart: region.start,
    regionLength: region.length,
    areaCount: region.areaCount,
  });
  const rows: StatsRow[] = [];
  if (flags.areas) {
    for (const region of regions) {
      const printed = areas.get(region.regionId);
      for (let i = 0; i < region.areaCount; i++) {
        const start = region.start + BigInt(i) * region.areaLength;
        const area = printed?.[i];
        rows.push({ ...base(region), kind: 'area', areaId: i, areaStart: start, areaLength: area?.length ?? region.areaLength, counters: area?.counters });
      }
    }
  }
  if (flags.regions) {
    for (const region of regions) {
      if (flags.skipSingleArea && flags.areas && region.areaCount === 1) continue;
      const printed = areas.get(region.regionId);
      const areaStart = flags.areas || flags.groups ? (region.start + WALK_REGION * region.areaLength) & U64 : region.start;
      rows.push({ ...base(region), kind: 'region', areaId: 0, areaStart, areaLength: region.areaLength, counters: printed ? sum(printed.map((a) => a.counters)) : undefined });
    }
  }
  if (flags.groups) {
    for (const leader of leaders.values()) {
      const members = leader.group!.members.map((id) => regions.find((r) => r.regionId === id)).filter((r) => r !== undefined);
      const length = members.reduce((total, r) => total + r.length, 0n);
      const start = members.reduce((least, r) => (r.start < least ? r.start : least), members[0]!.start);
      const counters = sum(members.flatMap((r) => (areas.get(r.regionId) ?? [undefined]).map((a) => a?.counters)));
      rows.push({
        ...base(leader), kind: 'group', name: leader.group!.alias || deviceName, groupId: leader.regionId, members,
        regionStart: start, regionLength: length, areaCount: 1, areaId: 0, areaStart: start, areaLength: length, counters,
      });
    }
  }
  return rows;
}

const COUNTER_FIELDS: Readonly<Record<string, keyof StatsCounters>> = {
  read_count: 'reads', reads_merged_count: 'readsMerged', read_sector_count: 'readSectors', read_time: 'readNs',
  write_count: 'writes', writes_merged_count: 'writesMerged', write_sector_count: 'writeSectors', write_time: 'writeNs',
  in_progress_count: 'inProgress', io_ticks: 'ioNs', queue_ticks: 'weightedIoNs', read_ticks: 'totalReadNs', write_ticks: 'totalWriteNs',
};

const num = (value: bigint): FieldValue => ({ text: value.toString(), sort: value });
const size = (sectors: bigint): FieldValue => ({ text: humanSize(sectors), sort: sectors });
const str = (text: string): FieldValue => ({ text, sort: text });

/** The fields tsdmsetup computes for stats rows (all but interval and interval_ns). */
export function statsFieldSupported(id: string): boolean {
  return id in COUNTER_FIELDS || id in HISTOGRAM_FIELDS || META_FIELDS.has(id) || METRIC_FIELDS.has(id);
}

const HISTOGRAM_FIELDS: Readonly<Record<string, Omit<HistogramFormat, 'suffix' | 'unaligned'>>> = {
  hist_count: { values: true, percent: false, bounds: undefined },
  hist_count_bounds: { values: true, percent: false, bounds: 'lower' },
  hist_count_ranges: { values: true, percent: false, bounds: 'range' },
  hist_percent: { values: true, percent: true, bounds: undefined },
  hist_percent_bounds: { values: true, percent: true, bounds: 'lower' },
  hist_percent_ranges: { values: true, percent: true, bounds: 'range' },
  hist_bounds: { values: false, percent: false, bounds: 'lower' },
  hist_ranges: { values: false, percent: false, bounds: 'range' },
};

const META_FIELDS = new Set([
  'stats_name', 'group_id', 'region_id', 'obj_type', 'region_start', 'region_len', 'area_id', 'area_start',
  'area_len', 'area_offset', 'area_count', 'program_id', 'user_data', 'precise', 'hist_bins',
]);

/** A stats row's value of one field; undefined for a field of another section. */
export function statsFieldValue(def: FieldDef, row: StatsRow, intervalNs = 1e9, format: { suffix: boolean; unaligned: boolean } = { suffix: true, unaligned: false }): FieldValue | undefined {
  const histogram = HISTOGRAM_FIELDS[def.id];
  if (histogram) return str(histogramText(row.region.histogramBounds, row.counters?.histogram, { ...histogram, ...format }));
  const counter = COUNTER_FIELDS[def.id];
  if (counter) return num(row.counters?.[counter] as bigint ?? 0n);
  if (METRIC_FIELDS.has(def.id)) return metricValue(def.id, row.counters ?? ZERO, intervalNs);
  const { region } = row;
  switch (def.id) {
    case 'stats_name': return str(row.name);
    case 'group_id': return row.groupId === undefined ? { text: '-', sort: BigInt.asUintN(64, -1n) } : num(BigInt(row.groupId));
    case 'region_id': {
      if (row.kind === 'group') return { text: formatIdList(row.members!.map((r) => r.regionId)), sort: BigInt(region.regionId) };
      return num(BigInt(region.regionId));
    }
    case 'obj_type': return str(row.kind);
    case 'region_start': return size(row.regionStart);
    case 'region_len': return size(row.regionLength);
    case 'area_id': return num(BigInt(row.areaId));
    case 'area_start': return size(row.areaStart);
    case 'area_len': return size(row.areaLength);
    case 'area_offset': return size((row.areaStart - row.regionStart) & ((1n << 64n) - 1n));
    case 'area_count': return num(BigInt(row.areaCount));
    case 'program_id': return str(region.programId);
    // libdm 1.02.185 cuts the last character of aux data that other words follow (it expects a newline there).
    case 'user_data': return str(region.userData && (region.precise || region.histogramBounds) ? region.userData.slice(0, -1) : region.userData);
    case 'precise': return { text: region.precise ? '1' : '0', sort: region.precise ? 1n : 0n };
    case 'hist_bins': return str(`${region.histogramBounds ? region.histogramBounds.length + 1 : 0}`);
    default: return undefined;
  }
}
