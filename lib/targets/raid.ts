/**
 * The raid target (MD's personalities under device-mapper): `<raid type> <#raid params> <chunk
 * size> [<option>…] <#devices> (<metadata device|-> <data device|->)…`
 * (Documentation/admin-guide/device-mapper/dm-raid.rst; libdm's SEG_RAID*). Module dm-raid. The
 * kernel shows options in a fixed order (the order of RAID_OPTIONS below) and 0 as raid1's chunk
 * size. Status (target 1.15, Linux 6.1): `<raid type> <#devices> <health chars> <in sync>/<total
 * sectors> <sync action> <mismatches> <data offset> <journal char>`, as libdm's
 * dm_get_status_raid reads it.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, formatWord, statusNumber, statusRatio, statusWords, type DeviceRef, type Usage } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** One member: its metadata device and its data device; either left out shows `-`. */
export interface RaidDevice {
  /** The member's metadata device (its superblock and bitmap); `-` when left out. */
  metadata?: DeviceRef;
  /** The member's data device; `-` when left out (a missing member). */
  data?: DeviceRef;
}

/** raid's options; format writes them in this (the kernel's) order. */
export interface RaidOptions {
  /** `sync` forces a full resync; `nosync` skips the initial one. */
  sync?: 'sync' | 'nosync';
  /** Member indexes to rebuild. */
  rebuild?: number[];
  /** Milliseconds between bitmap daemon runs. */
  daemonSleep?: number;
  /** KiB/s per device. */
  minRecoveryRate?: number;
  /** KiB/s per device: the most recovery may use. */
  maxRecoveryRate?: number;
  /** Member indexes marked write-mostly (raid1). */
  writeMostly?: number[];
  /** raid1 write-behind limit for write-mostly members, in sectors (mdadm's --write-behind). */
  maxWriteBehind?: number;
  /** raid4/5/6 stripe cache, in sectors. */
  stripeCache?: number;
  /** Sectors per bitmap region. */
  regionSize?: number;
  /** raid10: copies of each block (default 2). */
  raid10Copies?: number;
  /** raid10: how the copies are laid out (mdadm's near, far and offset layouts; default near). */
  raid10Format?: 'near' | 'far' | 'offset';
  /** Members to add (positive) or remove (negative) by reshaping. */
  deltaDisks?: number;
  /** Where data starts on each data device, in 512-byte sectors (room for an out-of-place reshape). */
  dataOffset?: Sectors;
  /** raid4/5/6: a journal device that closes the write hole. */
  journalDev?: DeviceRef;
  /**
   * With `journalDev`: write the journal before the array (writethrough) or cache writes in it
   * (writeback).
   */
  journalMode?: 'writethrough' | 'writeback';
}

/** What `raid(…)` takes: the raid type, chunk size, options and the members. */
export interface RaidParams {
  /** raid0, raid1, raid10, raid4, raid5_la/ra/ls/rs/n, raid6_zr/nr/nc/n_6/la_6/ra_6/ls_6/rs_6. */
  raidType: string;
  /** Sectors per chunk (0 for raid1). */
  chunkSize: number;
  /** Optional params; omitted when none is set. */
  options?: RaidOptions;
  /** The members, in array order. */
  devices: RaidDevice[];
}

/** A member's health: A alive and in sync, a alive but not in sync, D dead, - missing. */
export type RaidHealth = 'alive' | 'syncing' | 'dead' | 'missing' | 'unknown';

/**
 * What `raid.parseStatus` gives: each member's health, sync progress and action, mismatches; or the
 * raw text.
 */
export type RaidStatus =
  | {
      readonly type: 'raid';
      readonly state: 'ok';
      readonly raidType: string;
      /** The health chars as shown (`AAD`), and each member's health read from them. */
      readonly healthChars: string;
      readonly health: readonly RaidHealth[];
      /** Sectors done of the current sync action, and the array's size. */
      readonly sync: Usage;
      readonly syncAction: 'idle' | 'frozen' | 'resync' | 'recover' | 'check' | 'repair' | 'reshape' | (string & {});
      /** Discrepancies found by the last check/repair. */
      readonly mismatches: Sectors;
      /** Where the data starts on each member (target 1.9+). */
      readonly dataOffset: Sectors | undefined;
      /** The journal (target 1.10+): none (`-`), writethrough (A), writeback (a), dead (D). */
      readonly journal: 'none' | 'writethrough' | 'writeback' | 'dead' | undefined;
      readonly extra: readonly string[];
    }
  | { readonly type: 'raid'; readonly state: 'unknown'; readonly raw: string };

type Kind = 'uint' | 'sectors' | 'list' | 'device' | 'signed' | 'word';
/** The options with a value: field, kernel word, kind; in the kernel's order (after sync/nosync). */
const RAID_OPTIONS: readonly (readonly [keyof RaidOptions, string, Kind])[] = [
  ['rebuild', 'rebuild', 'list'],
  ['daemonSleep', 'daemon_sleep', 'uint'],
  ['minRecoveryRate', 'min_recovery_rate', 'uint'],
  ['maxRecoveryRate', 'max_recovery_rate', 'uint'],
  ['writeMostly', 'write_mostly', 'list'],
  ['maxWriteBehind', 'max_write_behind', 'uint'],
  ['stripeCache', 'stripe_cache', 'uint'],
  ['regionSize', 'region_size', 'uint'],
  ['raid10Copies', 'raid10_copies', 'uint'],
  ['raid10Format', 'raid10_format', 'word'],
  ['deltaDisks', 'delta_disks', 'signed'],
  ['dataOffset', 'data_offset', 'sectors'],
  ['journalDev', 'journal_dev', 'device'],
  ['journalMode', 'journal_mode', 'word'],
];
const WORD_VALUES: Partial<Record<keyof RaidOptions, readonly string[]>> = {
  raid10Format: ['near', 'far', 'offset'],
  journalMode: ['writethrough', 'writeback'],
};
const HEALTH: Record<string, RaidHealth> = { A: 'alive', a: 'syncing', D: 'dead', '-': 'missing' };
const JOURNAL = { '-': 'none', A: 'writethrough', a: 'writeback', D: 'dead' } as const;

function formatValue(field: string, kind: Kind, value: unknown, devices: number): string[] {
  const name = `options.${field}`;
  switch (kind) {
    case 'list':
      if (!Array.isArray(value)) throw fieldError('raid', name, 'must be a list of member indexes');
      return value.map((index, at) => formatUint('raid', `${name}[${at}]`, index, 0, devices - 1));
    case 'sectors':
      return [formatSectors('raid', name, value)];
    case 'device':
      return [formatDevice('raid', name, value)];
    case 'signed':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 250) throw fieldError('raid', name, 'must be a whole number from -250 to 250');
      return [String(value)];
    case 'word': {
      const allowed = WORD_VALUES[field as keyof RaidOptions] ?? [];
      if (!allowed.includes(value as string)) throw fieldError('raid', name, `must be ${allowed.join(', ')}`);
      return [value as string];
    }
    default:
      return [formatUint('raid', name, value)];
  }
}

function formatOptions(options: RaidOptions | undefined, devices: number): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw fieldError('raid', 'options', 'must be an object');
  const words: string[] = [];
  if (options.sync !== undefined) {
    if (options.sync !== 'sync' && options.sync !== 'nosync') throw fieldError('raid', 'options.sync', 'must be sync or nosync');
    words.push(options.sync);
  }
  for (const [field, word, kind] of RAID_OPTIONS) {
    const value = options[field];
    if (value === undefined) continue;
    // rebuild and write_mostly repeat: `rebuild 0 rebuild 2`.
    for (const text of formatValue(field, kind, value, devices)) words.push(word, text);
  }
  return words;
}

function parseOptions(args: ArgReader): RaidOptions {
  const options: RaidOptions = {};
  const set = options as Record<string, unknown>;
  while (!args.done) {
    const word = args.word('options');
    if (word === 'sync' || word === 'nosync') {
      options.sync = word;
      continue;
    }
    const known = RAID_OPTIONS.find(([, name]) => name === word);
    if (!known) throw fieldError('raid', 'options', `has an unknown option "${word}"`);
    const [field, , kind] = known;
    const name = `options.${field}`;
    if (kind === 'list') {
      const list = (set[field] as number[] | undefined) ?? [];
      list.push(args.uint(name));
      set[field] = list;
    } else if (kind === 'sectors') set[field] = args.sectors(name);
    else if (kind === 'device') set[field] = args.device(name);
    else if (kind === 'signed') {
      const text = args.word(name);
      if (!/^[+-]?\d{1,3}$/.test(text)) throw fieldError('raid', name, `must be a whole number, not "${text}"`);
      set[field] = Number(text);
    } else if (kind === 'word') set[field] = formatValue(field, kind, args.word(name), 0)[0];
    else set[field] = args.uint(name);
  }
  return options;
}

/** A member device, or undefined for `-`. */
function parseMember(word: string, field: string): DeviceRef | undefined {
  return word === '-' ? undefined : new ArgReader('raid', word).device(field);
}

/**
 * The raid target: MD's raid levels under device-mapper. E.g. `raid({ raidType: 'raid1', chunkSize:
 * 0, devices: [{ metadata, data }, …] })`.
 */
export const raid = defineTarget<RaidParams, RaidStatus>({
  type: 'raid',
  module: 'dm-raid',
  format(params) {
    if (!Array.isArray(params.devices) || params.devices.length === 0) throw fieldError('raid', 'devices', 'must be a list of at least one { metadata?, data? }');
    const raidParams = [formatUint('raid', 'chunkSize', params.chunkSize), ...formatOptions(params.options, params.devices.length)];
    const words = [formatWord('raid', 'raidType', params.raidType), String(raidParams.length), ...raidParams, String(params.devices.length)];
    params.devices.forEach((device, index) => {
      if (typeof device !== 'object' || device === null) throw fieldError('raid', `devices[${index}]`, 'must be { metadata?, data? }');
      for (const part of ['metadata', 'data'] as const) {
        words.push(device[part] === undefined ? '-' : formatDevice('raid', `devices[${index}].${part}`, device[part]));
      }
    });
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('raid', text);
    const raidType = args.word('raidType');
    const raidParams = new ArgReader('raid', args.args('raid params').join(' '));
    const chunkSize = raidParams.uint('chunkSize');
    const options = parseOptions(raidParams);
    const count = args.uint('device count', 1, 253);
    const devices: RaidDevice[] = [];
    for (let index = 0; index < count; index++) {
      const device: RaidDevice = {};
      for (const part of ['metadata', 'data'] as const) {
        const member = parseMember(args.word(`devices[${index}].${part}`), `devices[${index}].${part}`);
        if (member !== undefined) device[part] = member;
      }
      devices.push(device);
    }
    args.end();
    const params: RaidParams = { raidType, chunkSize, devices };
    if (Object.keys(options).length > 0) params.options = options;
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const count = statusNumber(words[1]);
    const chars = words[2] ?? '';
    const sync = statusRatio(words[3]);
    const mismatches = statusNumber(words[5]);
    if (words[0] === undefined || count === undefined || chars.length !== Number(count) || !sync || words[4] === undefined || mismatches === undefined) {
      return { type: 'raid', state: 'unknown', raw: text.trim() };
    }
    const journal = words[7] === undefined ? undefined : JOURNAL[words[7] as keyof typeof JOURNAL];
    return {
      type: 'raid',
      state: 'ok',
      raidType: words[0],
      healthChars: chars,
      health: [...chars].map((char) => HEALTH[char] ?? 'unknown'),
      sync,
      syncAction: words[4],
      mismatches,
      dataOffset: statusNumber(words[6]),
      journal,
      extra: words.slice(journal === undefined && words[7] !== undefined ? 7 : 8),
    };
  },
});
