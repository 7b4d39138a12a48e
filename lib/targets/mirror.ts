/**
 * The mirror target (the old dm-raid1): `<log type> <#log args> <log args> <#mirrors> (<device>
 * <offset>)… [<#features> <feature>…]` (libdm's SEG_MIRRORED; the kernel's dm-raid1.c and
 * dm-log.c). Module dm-mirror. Logs: `core <region size> [sync|nosync]` and `disk <device>
 * <region size> [sync|nosync]`; features handle_errors, keep_log. The kernel does not show
 * `block_on_error` back in `table`. Status as libdm's dm_get_status_mirror reads it: `<#mirrors>
 * <device>… <in sync>/<total regions> 1 <health per leg> <#log words> <log type> [<log device>
 * <log health>]`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, parseDevice, statusNumber, statusRatio, statusWords, type DeviceRef, type Usage } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** How the mirror keeps its region log. */
export interface MirrorLog {
  /** `core`: in memory (resynced at each activation); `disk`: on `device`. */
  type: 'core' | 'disk';
  /** The log device (disk only). */
  device?: DeviceRef;
  /** Sectors per region. */
  regionSize: number;
  /** `sync`: resync everything; `nosync`: assume in sync. Default: resync what the log says. */
  sync?: 'sync' | 'nosync';
  /** Hold I/O instead of failing it when the log fails (not shown back by the kernel). */
  blockOnError?: boolean;
}

/** One leg of the mirror. */
export interface MirrorLeg {
  /** The device holding this copy. */
  device: DeviceRef;
  /** Where the copy starts on `device`, in 512-byte sectors. */
  offset: Sectors;
}

/** What `mirror(…)` takes: the region log, the legs and the error-handling features. */
export interface MirrorParams {
  /** Where the mirror keeps which regions are in sync (core memory or a disk log). */
  log: MirrorLog;
  /** The copies, at least one; reads go to the first leg while it works (the default mirror). */
  legs: MirrorLeg[];
  /** handle_errors: a failing leg is taken out (and userspace told); keep_log: keep a failed log. */
  features?: { handleErrors?: boolean; keepLog?: boolean };
}

/** One leg's health: A alive, F flush failed, D write failed, S sync failed, R read failed, U unknown. */
export type MirrorHealth = 'A' | 'F' | 'D' | 'S' | 'R' | 'U' | (string & {});

/**
 * What `mirror.parseStatus` gives: each leg's health, regions in sync and the log's health; or the
 * raw text.
 */
export type MirrorStatus =
  | {
      readonly type: 'mirror';
      readonly state: 'ok';
      readonly legs: readonly { readonly device: DeviceRef; readonly health: MirrorHealth }[];
      /** Regions in sync and all regions. */
      readonly regions: Usage;
      /** True when every region is in sync. */
      readonly inSync: boolean;
      readonly log: { readonly type: string; readonly device?: DeviceRef; readonly health?: MirrorHealth; readonly words: readonly string[] };
      readonly extra: readonly string[];
    }
  | { readonly type: 'mirror'; readonly state: 'unknown'; readonly raw: string };

function formatLog(log: MirrorLog): string[] {
  if (typeof log !== 'object' || log === null) throw fieldError('mirror', 'log', 'must be { type, regionSize, … }');
  if (log.type !== 'core' && log.type !== 'disk') throw fieldError('mirror', 'log.type', 'must be core or disk');
  const args: string[] = [];
  if (log.type === 'disk') args.push(formatDevice('mirror', 'log.device', log.device));
  else if (log.device !== undefined) throw fieldError('mirror', 'log.device', 'is for a disk log only');
  args.push(formatUint('mirror', 'log.regionSize', log.regionSize, 1));
  if (log.sync !== undefined) {
    if (log.sync !== 'sync' && log.sync !== 'nosync') throw fieldError('mirror', 'log.sync', 'must be sync or nosync');
    args.push(log.sync);
  }
  if (log.blockOnError) args.push('block_on_error');
  return [log.type, String(args.length), ...args];
}

function parseLog(args: ArgReader): MirrorLog {
  const type = args.word('log.type');
  if (type !== 'core' && type !== 'disk') throw fieldError('mirror', 'log.type', `must be core or disk, not "${type}"`);
  const words = new ArgReader('mirror', args.args('log').join(' '));
  const log: MirrorLog = type === 'disk' ? { type, device: words.device('log.device'), regionSize: 0 } : { type, regionSize: 0 };
  log.regionSize = words.uint('log.regionSize', 1);
  while (!words.done) {
    const word = words.word('log');
    if (word === 'sync' || word === 'nosync') log.sync = word;
    else if (word === 'block_on_error') log.blockOnError = true;
    else throw fieldError('mirror', 'log', `has an unknown argument "${word}"`);
  }
  return log;
}

/**
 * The mirror target (the old dm-raid1): copies on every leg, a region log. E.g. `mirror({ log: {
 * type: 'core', regionSize: 1024 }, legs: [{ device, offset: 0 }, …] })`.
 */
export const mirror = defineTarget<MirrorParams, MirrorStatus>({
  type: 'mirror',
  module: 'dm-mirror',
  format(params) {
    if (!Array.isArray(params.legs) || params.legs.length === 0) throw fieldError('mirror', 'legs', 'must be a list of at least one { device, offset }');
    const words = [...formatLog(params.log), String(params.legs.length)];
    params.legs.forEach((leg, index) => {
      if (typeof leg !== 'object' || leg === null) throw fieldError('mirror', `legs[${index}]`, 'must be { device, offset }');
      words.push(formatDevice('mirror', `legs[${index}].device`, leg.device), formatSectors('mirror', `legs[${index}].offset`, leg.offset));
    });
    const features = params.features ?? {};
    if (typeof features !== 'object' || features === null) throw fieldError('mirror', 'features', 'must be an object of flags');
    if (features.keepLog && !features.handleErrors) throw fieldError('mirror', 'features', 'keepLog needs handleErrors');
    const set = [features.handleErrors && 'handle_errors', features.keepLog && 'keep_log'].filter((word): word is string => Boolean(word));
    if (set.length > 0) words.push(String(set.length), ...set);
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('mirror', text);
    const log = parseLog(args);
    const count = args.uint('leg count', 1);
    const legs: MirrorLeg[] = [];
    for (let index = 0; index < count; index++) legs.push({ device: args.device(`legs[${index}].device`), offset: args.sectors(`legs[${index}].offset`) });
    const params: MirrorParams = { log, legs };
    if (!args.done) {
      const features: NonNullable<MirrorParams['features']> = {};
      for (const word of args.args('features')) {
        if (word === 'handle_errors') features.handleErrors = true;
        else if (word === 'keep_log') features.keepLog = true;
        else throw fieldError('mirror', 'features', `has an unknown feature "${word}"`);
      }
      if (Object.keys(features).length > 0) params.features = features;
    }
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const unknown = { type: 'mirror', state: 'unknown', raw: text.trim() } as const;
    const count = statusNumber(words[0]);
    if (typeof count !== 'number' || words.length < count + 4) return unknown;
    const devices = words.slice(1, 1 + count);
    const regions = statusRatio(words[1 + count]);
    const healthCount = statusNumber(words[2 + count]);
    if (!regions || typeof healthCount !== 'number') return unknown;
    const health = words.slice(3 + count, 3 + count + healthCount).join('');
    let at = 3 + count + healthCount;
    const logCount = statusNumber(words[at]);
    if (typeof logCount !== 'number' || at + 1 + logCount > words.length) return unknown;
    const logWords = words.slice(at + 1, at + 1 + logCount);
    at += 1 + logCount;
    const log: { type: string; device?: DeviceRef; health?: MirrorHealth; words: string[] } = { type: logWords[0] ?? '', words: logWords };
    // A disk log adds its device and one health char (A alive, D dead).
    if (log.type === 'disk' && logWords.length >= 3) Object.assign(log, { device: parseDevice(logWords[1]!), health: logWords[2]! });
    return {
      type: 'mirror',
      state: 'ok',
      legs: devices.map((device, index) => ({ device: parseDevice(device), health: health[index] ?? 'U' })),
      regions,
      inSync: regions.used === regions.total,
      log,
      extra: words.slice(at),
    };
  },
});
