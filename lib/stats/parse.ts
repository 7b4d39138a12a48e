/**
 * The text of device-mapper's statistics messages (Documentation/admin-guide/device-mapper/
 * statistics.rst): `@stats_list` rows, `@stats_print` rows, and the group tag libdm keeps in a
 * region's aux data (`DMS_GROUP=<alias>:<members>#<user aux>`), read and written as libdm 1.02.185
 * does. Pure text, no kernel calls.
 */
import { dmError, type DmError } from '../errors.js';

/** A statistics region as `@stats_list` describes it. Sectors and counters are bigints (u64). */
export interface StatsRegion {
  /** The kernel's region id. */
  regionId: number;
  /** First sector of the region. */
  start: bigint;
  /** Length in sectors. */
  length: bigint;
  /** Length of each area in sectors (the kernel's step). */
  areaLength: bigint;
  /** How many areas the region has: length / areaLength, rounded up. */
  areaCount: number;
  /** The program id (`''` where the kernel shows `-`). */
  programId: string;
  /** The user's aux data: the kernel's aux data without libdm's group tag (`''` for `-`). */
  userData: string;
  /** The aux data exactly as the kernel holds it (`-` when empty). */
  rawAuxData: string;
  /** True when the region counts in nanoseconds (`precise_timestamps`); milliseconds otherwise. */
  precise: boolean;
  /** Histogram bin boundaries in nanoseconds, if the region has a histogram. */
  histogramBounds: bigint[] | undefined;
  /** The group tag, on the region that leads a group (its lowest member). */
  group: StatsGroupTag | undefined;
}

/** A group as libdm records it in its leader's aux data. */
export interface StatsGroupTag {
  /** The group's alias; `''` when it has none. */
  alias: string;
  /** Member region ids, ascending; the first is the group id. */
  members: number[];
}

/** One area's counters; times in nanoseconds (millisecond counters scaled, as libdm does). */
export interface StatsCounters {
  /** Reads completed. */
  reads: bigint;
  /** Reads merged. */
  readsMerged: bigint;
  /** Sectors read. */
  readSectors: bigint;
  /** Time spent reading (ns). */
  readNs: bigint;
  /** Writes completed. */
  writes: bigint;
  /** Writes merged. */
  writesMerged: bigint;
  /** Sectors written. */
  writeSectors: bigint;
  /** Time spent writing (ns). */
  writeNs: bigint;
  /** Requests in flight now. */
  inProgress: bigint;
  /** Time with requests in flight (ns): io_ticks. */
  ioNs: bigint;
  /** Requests in flight times the time (ns): time_in_queue. */
  weightedIoNs: bigint;
  /** Time with reads in flight (ns). */
  totalReadNs: bigint;
  /** Time with writes in flight (ns). */
  totalWriteNs: bigint;
  /** Counts per histogram bin, when the region has a histogram. */
  histogram?: bigint[];
}

/** One area of a region, with its counters. */
export interface StatsArea {
  /** First sector of the area. */
  start: bigint;
  /** Length in sectors (the last area may be shorter). */
  length: bigint;
  /** The area's counters. */
  counters: StatsCounters;
}

/** The counter names in the kernel's column order. */
export const COUNTER_NAMES = [
  'reads', 'readsMerged', 'readSectors', 'readNs', 'writes', 'writesMerged', 'writeSectors', 'writeNs',
  'inProgress', 'ioNs', 'weightedIoNs', 'totalReadNs', 'totalWriteNs',
] as const satisfies readonly (keyof StatsCounters)[];

const GROUP_TAG = 'DMS_GROUP=';
const NS_PER_MS = 1_000_000n;

function parseError(summary: string): DmError {
  return dmError('parse', 'EINVAL', summary);
}

/** Refuses what is not a string (the parsers' inputs), as every entry point refuses junk. */
export function checkText(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw dmError('invalid-argument', 'EINVAL', `The ${what} must be a string, not ${typeof value}`);
}

function checkIds(value: unknown): asserts value is number[] {
  if (!Array.isArray(value) || !value.every((id) => Number.isSafeInteger(id) && id >= 0)) {
    throw dmError('invalid-argument', 'EINVAL', 'Region ids must be an array of whole numbers, 0 or more');
  }
}

const U64 = /^\d+$/;
function u64(text: string, what: string): bigint {
  if (!U64.test(text)) throw parseError(`Could not parse ${what}: "${text}"`);
  return BigInt(text);
}

/** Parses a `@stats_list` reply: one region per line (no lines: no regions). */
export function parseStatsList(reply: string | undefined): StatsRegion[] {
  if (reply !== undefined) checkText(reply, '@stats_list reply');
  return (reply ?? '').split('\n').filter((line) => line !== '').map(parseListRow);
}

function parseListRow(line: string): StatsRegion {
  const match = /^(\d+): (\d+)\+(\d+) (\d+) (\S+)(?: (\S+))?(?: (.*))?$/.exec(line);
  if (!match) throw parseError(`Could not parse @stats_list row: "${line}"`);
  const [, id, start, length, step, programId, aux = '-', args = ''] = match;
  const region: StatsRegion = {
    regionId: Number(id),
    start: BigInt(start!),
    length: BigInt(length!),
    areaLength: BigInt(step!),
    areaCount: areaCount(BigInt(length!), BigInt(step!)),
    programId: programId === '-' ? '' : programId!,
    userData: aux === '-' ? '' : aux,
    rawAuxData: aux,
    precise: args.split(' ').includes('precise_timestamps'),
    histogramBounds: undefined,
    group: undefined,
  };
  const histogram = args.split(' ').find((word) => word.startsWith('histogram:'));
  if (histogram) {
    const scale = region.precise ? 1n : NS_PER_MS;
    region.histogramBounds = histogram.slice('histogram:'.length).split(',').map((value) => u64(value, 'histogram boundary') * scale);
  }
  const tag = parseGroupTag(aux);
  if (tag) {
    // libdm ignores a tag whose first member is not the region carrying it.
    if (tag.group.members[0] === region.regionId) region.group = tag.group;
    region.userData = tag.userData;
  }
  return region;
}

function areaCount(length: bigint, step: bigint): number {
  if (step === 0n) return 1;
  return Number(length / step + (length % step ? 1n : 0n));
}

/**
 * Reads libdm's group tag from aux data: `DMS_GROUP=<alias>:<list>[#<user aux>]`, the list in
 * dm_bitset_parse_list's form (`0-2,5`). Undefined when the aux data has no tag.
 */
export function parseGroupTag(aux: string): { group: StatsGroupTag; userData: string } | undefined {
  checkText(aux, 'aux data');
  const at = aux.indexOf(GROUP_TAG);
  if (at === -1) return undefined;
  const rest = aux.slice(at + GROUP_TAG.length);
  const colon = rest.indexOf(':');
  if (colon === -1) throw parseError('Found malformed group tag while reading aux_data');
  const alias = rest.slice(0, colon);
  const afterAlias = rest.slice(colon + 1);
  const hash = afterAlias.indexOf('#');
  const list = hash === -1 ? afterAlias : afterAlias.slice(0, hash);
  const user = hash === -1 ? '' : afterAlias.slice(hash + 1);
  const members = parseIdList(list);
  if (!members || members.length === 0) throw parseError('Could not parse member list while reading group aux_data');
  return { group: { alias, members }, userData: user === '-' ? '' : user };
}

/** dm_bitset_parse_list: `0,2-4` → [0, 2, 3, 4] (sorted, unique); undefined when malformed. */
export function parseIdList(list: string): number[] | undefined {
  checkText(list, 'region list');
  const ids = new Set<number>();
  for (const word of list.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(word.trim());
    if (!range) return undefined;
    const first = Number(range[1]);
    const last = range[2] === undefined ? first : Number(range[2]);
    if (last < first) return undefined;
    for (let id = first; id <= last; id++) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b);
}

/** Region ids in libdm's range notation: [0, 1, 2, 5] → `0-2,5`. */
export function formatIdList(ids: readonly number[]): string {
  checkIds(ids);
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The aux data libdm writes for a region: the group tag (on a leader) and the user's data, `-` for none. */
export function formatAuxData(group: StatsGroupTag | undefined, userData: string): string {
  checkText(userData, 'user data');
  if (group !== undefined) {
    if (typeof group !== 'object' || group === null) throw dmError('invalid-argument', 'EINVAL', 'A group must be an object with alias and members');
    checkText(group.alias, 'group alias');
    checkIds(group.members);
  }
  const tag = group ? `${GROUP_TAG}${group.alias}:${formatIdList(group.members)}#` : '';
  return `${tag}${userData === '' ? '-' : userData}`;
}

/**
 * Parses a `@stats_print` reply: one area per line, `<start>+<len>` and 13 counters, then the
 * histogram counts (`a:b:c`) when the region has one. `precise` says whether times are already
 * in nanoseconds (otherwise they are milliseconds and are scaled, as libdm scales them).
 */
export function parseStatsPrint(reply: string | undefined, precise: boolean): StatsArea[] {
  if (reply !== undefined) checkText(reply, '@stats_print reply');
  const scale = precise ? 1n : NS_PER_MS;
  return (reply ?? '').split('\n').filter((line) => line !== '').map((line) => {
    const words = line.split(' ');
    const range = /^(\d+)\+(\d+)$/.exec(words[0] ?? '');
    if (!range || words.length < 14) throw parseError(`Could not parse @stats_print row: "${line}"`);
    const values = words.slice(1, 14).map((word) => u64(word, '@stats_print counter'));
    const counters = Object.fromEntries(COUNTER_NAMES.map((name, i) => [name, values[i]!])) as unknown as StatsCounters;
    for (const name of ['readNs', 'writeNs', 'ioNs', 'weightedIoNs', 'totalReadNs', 'totalWriteNs'] as const) counters[name] *= scale;
    const histogram = words[14];
    if (histogram !== undefined) counters.histogram = histogram.split(':').map((word) => u64(word, 'histogram value'));
    return { start: BigInt(range[1]!), length: BigInt(range[2]!), counters };
  });
}

/**
 * dm_histogram_bounds_from_string: `1ms,10ms,1s` (units ns, us, ms, s; a bare number takes the
 * previous value's unit, nanoseconds at first) → bounds in nanoseconds. Throws a DmError
 * (invalid-argument) with libdm's message for a malformed list.
 */
export function parseHistogramBounds(text: string): bigint[] {
  checkText(text, 'histogram bounds');
  const bounds: bigint[] = [];
  let mult = 1n;
  let at = 0;
  const bad = (summary: string): DmError => dmError('invalid-argument', 'EINVAL', summary);
  if (text === '') throw bad('Empty histogram bin not allowed: ');
  while (at < text.length) {
    const c = text[at]!;
    if (!'0123456789,muns'.includes(c)) throw bad(`Invalid character in histogram: ${c}`);
    if (c === ',') throw bad(`Empty histogram bin not allowed: ${text}`);
    const digits = /^\d*/.exec(text.slice(at))![0];
    let value = digits === '' ? 0n : BigInt(digits);
    at += digits.length;
    if (text[at] === 's') {
      mult = 1_000_000_000n;
      at++;
    } else if (text[at + 1] === 's' && text[at] !== undefined) {
      const unit = text[at];
      if (unit === 'm') mult = NS_PER_MS;
      else if (unit === 'u') mult = 1000n;
      else if (unit === 'n') mult = 1n;
      else throw bad(`Invalid character in histogram: ${unit}`);
      at += 2;
    } else if (text[at] === ',') {
      at++;
    } else if (at < text.length) {
      throw bad(`Invalid character in histogram: ${text[at]}`);
    }
    if (text[at] === ',') at++;
    value *= mult;
    bounds.push(value);
  }
  return bounds;
}
