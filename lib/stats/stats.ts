/**
 * I/O statistics regions of one device (the kernel's `@stats_*` messages, as libdm's dm_stats
 * sends them): create, list, print (counters), clear, delete, aux data, and libdm's groups, kept
 * in the aux data of a group's first region so that dmstats and this library see the same groups.
 */
import type { DeviceId } from '../device/device-id.js';
import { dmError } from '../errors.js';
import {
  formatAuxData,
  parseIdList,
  parseStatsList,
  parseStatsPrint,
  type StatsArea,
  type StatsRegion,
} from './parse.js';

/** What the statistics calls need of a handle: DeviceMapper's message(). */
export interface StatsMessenger {
  /** Sends `message` to DM core for `device` (sector 0); returns the reply text. */
  message(device: DeviceId, sector: number | bigint, message: string): string | undefined;
}

/** The options of a new region (dm_stats_create_region's arguments). */
export interface CreateRegionOptions {
  /** First sector (default 0). With neither start nor length, the region is the whole device. */
  start?: bigint;
  /** Length in sectors (default: to the end of the device). */
  length?: bigint;
  /** Split the region into this many areas (default 1). Exclusive with areaLength. */
  areas?: number;
  /** Split the region into areas of this many sectors. */
  areaLength?: bigint;
  /** Count times in nanoseconds (`precise_timestamps`). */
  precise?: boolean;
  /** Latency histogram bin boundaries in nanoseconds, ascending. */
  histogramBounds?: readonly bigint[];
  /** The program id (default `dmstats`, so that dmstats shows the region). */
  programId?: string;
  /** The region's aux data (default none). */
  userData?: string;
}

/** A group made by createGroup: its id (its first member) and libdm's warnings. */
export interface CreatedGroup {
  /** The group's id: its first member's region id. */
  groupId: number;
  /** libdm's warnings, e.g. `WARNING: region IDs 0 and 1 overlap. Some events will be counted twice.` */
  warnings: string[];
}

/** The program id dmstats uses, and the default of createRegion. */
export const DMSTATS_PROGRAM_ID = 'dmstats';

const NS_PER_MS = 1_000_000n;
const WORD = /^[^\s]+$/;

function invalid(summary: string): never {
  throw dmError('invalid-argument', 'EINVAL', summary);
}

function checkWord(value: string, what: string): void {
  if (!WORD.test(value)) invalid(`The ${what} "${value}" must be one word: no spaces, not empty`);
}

function checkId(id: number, what: string): void {
  if (!Number.isSafeInteger(id) || id < 0) invalid(`The ${what} ${id} must be a whole number, 0 or more`);
}

/**
 * The statistics of one device. Every call sends messages through the handle given; nothing is
 * cached between calls (list() is sent again where libdm lists).
 *
 * @example
 * ```ts
 * const stats = new DeviceStats(dm, { name: 'data' });
 * const id = stats.createRegion({ areas: 4 });
 * const areas = stats.print(id); // four areas, 13 counters each
 * stats.deleteRegion(id);
 * ```
 */
export class DeviceStats {
  /** The statistics of `device`, sent through `dm` (a DeviceMapper). */
  constructor(
    private readonly dm: StatsMessenger,
    /** The device whose regions these are. */
    readonly device: DeviceId,
  ) {}

  private send(message: string): string | undefined {
    return this.dm.message(this.device, 0, message);
  }

  /** The regions, all of them or those of one program id (`@stats_list [program]`). */
  list(programId?: string): StatsRegion[] {
    if (programId !== undefined && programId !== '') checkWord(programId, 'program id');
    return parseStatsList(this.send(programId ? `@stats_list ${programId}` : '@stats_list'));
  }

  /** Creates a region and returns its id (`@stats_create`). */
  createRegion(options: CreateRegionOptions = {}): number {
    const { start = 0n, length = 0n, areas, areaLength, precise = false, histogramBounds } = options;
    if (areas !== undefined && areaLength !== undefined) invalid('Please specify one of areas and areaLength');
    if (start < 0n || length < 0n) invalid('A region start and length must not be negative');
    if (areas !== undefined && (!Number.isSafeInteger(areas) || areas < 1)) invalid(`The area count ${areas} must be 1 or more`);
    if (areaLength !== undefined && areaLength < 1n) invalid(`The area length ${areaLength} must be 1 or more sectors`);
    const programId = options.programId ?? DMSTATS_PROGRAM_ID;
    const userData = options.userData ?? '';
    if (programId !== '') checkWord(programId, 'program id');
    if (userData !== '') checkWord(userData, 'aux data');
    const range = start || length ? `${start}+${length}` : '-';
    const step = areaLength !== undefined ? `${areaLength}` : `/${areas ?? 1}`;
    const features: string[] = [];
    let nanoseconds = precise;
    if (histogramBounds) {
      if (histogramBounds.length === 0) invalid('Cannot format empty histogram description.');
      for (let i = 1; i < histogramBounds.length; i++) {
        if (histogramBounds[i]! < histogramBounds[i - 1]!) invalid('Histogram boundaries must be in order of increasing magnitude.');
      }
      // libdm turns precise timestamps on when a bound is finer than a millisecond.
      if (histogramBounds.some((bound) => bound % NS_PER_MS !== 0n)) nanoseconds = true;
    }
    if (nanoseconds) features.push('precise_timestamps');
    if (histogramBounds) {
      const scale = nanoseconds ? 1n : NS_PER_MS;
      features.push(`histogram:${histogramBounds.map((bound) => bound / scale).join(',')}`);
    }
    const optional = features.length ? [`${features.length}`, ...features] : [];
    const words = ['@stats_create', range, step, ...optional, programId || '-', userData || '-'];
    const reply = this.send(words.join(' ')) ?? '';
    if (!/^\d+\s*$/.test(reply)) throw dmError('protocol', 'EPROTO', `Could not parse @stats_create response: "${reply}"`);
    return Number.parseInt(reply, 10);
  }

  /** The areas of a region with their counters (`@stats_print`, or `@stats_print_clear` with `clear`). */
  print(regionId: number, options: { clear?: boolean } = {}): StatsArea[] {
    checkId(regionId, 'region id');
    const region = this.list().find((r) => r.regionId === regionId);
    if (!region) invalid(`Region ID ${regionId} does not exist`);
    return parseStatsPrint(this.printText(regionId, options), region.precise);
  }

  /** The kernel's `@stats_print` text of a region, unparsed (what `dmstats print` shows). */
  printText(regionId: number, options: { clear?: boolean } = {}): string {
    checkId(regionId, 'region id');
    return this.send(`@stats_print${options.clear ? '_clear' : ''} ${regionId}`) ?? '';
  }

  /** Zeroes a region's counters, except the in-progress count (`@stats_clear`). */
  clearRegion(regionId: number): void {
    checkId(regionId, 'region id');
    this.send(`@stats_clear ${regionId}`);
  }

  /**
   * Deletes a region (`@stats_delete`). A grouped region leaves its group first, as libdm does:
   * the leader's tag is rewritten (or, for the leader, the group goes).
   */
  deleteRegion(regionId: number, regions: StatsRegion[] = this.list()): void {
    checkId(regionId, 'region id');
    if (regions.length === 0) invalid(`Could not delete region ID ${regionId}: no regions found`);
    if (!regions.some((r) => r.regionId === regionId)) invalid(`Region ID ${regionId} does not exist`);
    const leader = regions.find((r) => r.group?.members.includes(regionId));
    if (leader) {
      const members = leader.group!.members.filter((id) => id !== regionId);
      const group = regionId === leader.regionId || members.length === 0 ? undefined : { ...leader.group!, members };
      this.setAuxData(leader.regionId, formatAuxData(group, leader.userData));
    }
    this.send(`@stats_delete ${regionId}`);
  }

  /** Sets a region's aux data as it is stored (group tag included): `@stats_set_aux`. */
  setAuxData(regionId: number, auxData: string): void {
    checkId(regionId, 'region id');
    checkWord(auxData, 'aux data');
    this.send(`@stats_set_aux ${regionId} ${auxData}`);
  }

  /**
   * Groups regions (dm_stats_create_group): `members` in dm_bitset_parse_list's form (`0,1`,
   * `2-4`), among the regions of `programId` (default dmstats, as dmstats looks). The group id is the first member, whose aux data gets the tag. Throws with libdm's
   * messages for an absent or already grouped region and for different histogram bounds.
   */
  createGroup(members: string, alias?: string, programId = DMSTATS_PROGRAM_ID): CreatedGroup {
    const regions = this.list(programId);
    if (regions.length === 0) invalid('Could not create group: no regions found.');
    const ids = parseIdList(members);
    if (!ids || ids.length === 0) invalid(`Could not parse list: '${members}'`);
    if (alias !== undefined && alias !== '') checkWord(alias, 'group alias');
    const maxRegion = Math.max(...regions.map((r) => r.regionId));
    if (ids.at(-1)! > maxRegion) invalid(`Invalid region ID: ${ids.at(-1)}`);
    const byId = new Map(regions.map((r) => [r.regionId, r]));
    const grouped = groupOf(regions);
    let bounds: string | undefined;
    let precise = 0;
    for (const id of ids) {
      const region = byId.get(id);
      if (!region) invalid(`Region ID ${id} does not exist`);
      const group = grouped.get(id);
      if (group !== undefined) invalid(`Region ID ${id} already a member of group ID ${group}`);
      if (region.precise) precise++;
      const these = region.histogramBounds?.join(',');
      if (these !== undefined && bounds === undefined) bounds = these;
      else if (these !== undefined && these !== bounds) invalid('All region histogram bounds must match exactly');
    }
    const warnings: string[] = [];
    if (precise && precise !== ids.length) warnings.push('WARNING: Grouping regions with different clock resolution: precision may be lost.');
    warnings.push(...overlapWarnings(ids.map((id) => byId.get(id)!)));
    const leader = byId.get(ids[0]!)!;
    this.setAuxData(leader.regionId, formatAuxData({ alias: alias ?? '', members: ids }, leader.userData));
    return { groupId: leader.regionId, warnings };
  }

  /**
   * Removes a group (dm_stats_delete_group): its tag goes from the leader's aux data, and with
   * `deleteRegions` its regions are deleted too. Only `programId`'s regions are looked at (default dmstats).
   */
  deleteGroup(groupId: number, options: { deleteRegions?: boolean; programId?: string } = {}): void {
    checkId(groupId, 'group id');
    const regions = this.list(options.programId ?? DMSTATS_PROGRAM_ID);
    const maxRegion = regions.length ? Math.max(...regions.map((r) => r.regionId)) : -1;
    if (groupId > maxRegion) invalid(`Invalid group ID: ${groupId}`);
    const leader = regions.find((r) => r.regionId === groupId && r.group);
    if (!leader) invalid(`Group ID ${groupId} does not exist`);
    if (options.deleteRegions) {
      for (const id of [...leader.group!.members].reverse()) this.send(`@stats_delete ${id}`);
      return;
    }
    this.setAuxData(groupId, formatAuxData(undefined, leader.userData));
  }
}

/** Region id → the id of the group it belongs to, for every grouped region. */
export function groupOf(regions: readonly StatsRegion[]): Map<number, number> {
  if (!Array.isArray(regions) || !regions.every((r) => typeof r === 'object' && r !== null)) invalid('The regions must be an array of StatsRegion');
  const map = new Map<number, number>();
  for (const region of regions) {
    for (const member of region.group?.members ?? []) map.set(member, region.regionId);
  }
  return map;
}

/** libdm's _stats_group_check_overlap: the warning for each overlapping pair, merging as it goes. */
function overlapWarnings(regions: readonly StatsRegion[]): string[] {
  if (regions.length < 2) return [];
  // A stable sort by start, as qsort happens to leave these (ids ascending within one start).
  let extents = regions.map((r) => ({ id: r.regionId, start: r.start, len: r.length })).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const warnings: string[] = [];
  const end = (e: { start: bigint; len: bigint }): bigint => e.start + e.len - 1n;
  for (let merged = true; merged; ) {
    merged = false;
    const kept: typeof extents = [];
    for (let i = 0; i < extents.length; i++) {
      const ext = extents[i]!;
      const next = extents[i + 1];
      if (next && end(ext) > next.start) {
        warnings.push(`WARNING: region IDs ${ext.id} and ${next.id} overlap. Some events will be counted twice.`);
        if (end(ext) > end(next)) Object.assign(next, { id: ext.id, len: ext.len });
        if (ext.start < next.start) next.start = ext.start;
        merged = true;
        continue;
      }
      kept.push(ext);
    }
    extents = kept;
  }
  return warnings;
}
