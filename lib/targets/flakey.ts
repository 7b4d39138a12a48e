/**
 * The flakey target: `<device> <offset> <up interval> <down interval> [<#features> <feature>…]`
 * passes I/O for `up` seconds, then misbehaves for `down` seconds
 * (Documentation/admin-guide/device-mapper/dm-flakey.rst; devicemapper-rs's FlakeyTargetParams).
 * Module dm-flakey. Linux 6.1 features: drop_writes, error_writes, corrupt_bio_byte. The kernel
 * always shows the feature count (`0` when none), so format writes it too. Status is empty.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** corrupt_bio_byte: set byte `byte` (1-based) of each matching bio to `value` while down. */
export interface CorruptBioByte {
  /** Which byte of the bio's data, from 1. */
  byte: number;
  /** Corrupt reads (after they complete) or writes (before they are sent). */
  direction: 'read' | 'write';
  /** The value written into that byte: 0 to 255. */
  value: number;
  /** Only bios with all these bi_opf flags (0: every bio). */
  flags: number;
}

/** What flakey does while down; with none it fails every I/O. */
export interface FlakeyFeatures {
  /** Drop writes silently (reads still pass). */
  dropWrites?: boolean;
  /** Fail writes (reads still pass). */
  errorWrites?: boolean;
  /** `corrupt_bio_byte`: corrupt one byte of each matching bio instead of failing it. */
  corruptBioByte?: CorruptBioByte;
}

/** What `flakey(…)` takes: the device, the up and down intervals and what happens while down. */
export interface FlakeyParams {
  /** The device I/O goes to. */
  device: DeviceRef;
  /** Where the mapping starts on `device`, in 512-byte sectors. */
  offset: Sectors;
  /** Seconds of normal I/O. */
  up: number;
  /** Seconds of failing I/O. */
  down: number;
  /** What happens while down (by default every I/O fails). */
  features?: FlakeyFeatures;
}

function formatFeatures(features: FlakeyFeatures | undefined): string[] {
  if (features === undefined) return [];
  if (typeof features !== 'object' || features === null) throw fieldError('flakey', 'features', 'must be an object');
  if (features.dropWrites && features.errorWrites) throw fieldError('flakey', 'features', 'cannot have both dropWrites and errorWrites');
  const words: string[] = [];
  if (features.dropWrites) words.push('drop_writes');
  if (features.errorWrites) words.push('error_writes');
  const corrupt = features.corruptBioByte;
  if (corrupt !== undefined) {
    if (typeof corrupt !== 'object' || corrupt === null) throw fieldError('flakey', 'features.corruptBioByte', 'must be { byte, direction, value, flags }');
    if (corrupt.direction !== 'read' && corrupt.direction !== 'write') throw fieldError('flakey', 'features.corruptBioByte.direction', 'must be read or write');
    words.push(
      'corrupt_bio_byte',
      formatUint('flakey', 'features.corruptBioByte.byte', corrupt.byte, 1),
      corrupt.direction === 'read' ? 'r' : 'w',
      formatUint('flakey', 'features.corruptBioByte.value', corrupt.value, 0, 255),
      formatUint('flakey', 'features.corruptBioByte.flags', corrupt.flags),
    );
  }
  return words;
}

function parseFeatures(words: readonly string[]): FlakeyFeatures {
  const features: FlakeyFeatures = {};
  const args = new ArgReader('flakey', words.join(' '));
  while (!args.done) {
    const word = args.word('features');
    if (word === 'drop_writes') features.dropWrites = true;
    else if (word === 'error_writes') features.errorWrites = true;
    else if (word === 'corrupt_bio_byte') {
      const byte = args.uint('features.corruptBioByte.byte', 1);
      const direction = args.word('features.corruptBioByte.direction');
      if (direction !== 'r' && direction !== 'w') throw fieldError('flakey', 'features.corruptBioByte.direction', `must be r or w, not "${direction}"`);
      const value = args.uint('features.corruptBioByte.value', 0, 255);
      features.corruptBioByte = { byte, direction: direction === 'r' ? 'read' : 'write', value, flags: args.uint('features.corruptBioByte.flags') };
    } else throw fieldError('flakey', 'features', `has an unknown feature "${word}"`);
  }
  return features;
}

/**
 * The flakey target: I/O that works for `up` seconds, then fails (or is dropped) for `down`. E.g.
 * `flakey({ device, offset: 0, up: 60, down: 0, features: { dropWrites: true } })`.
 */
export const flakey = defineTarget<FlakeyParams>({
  type: 'flakey',
  module: 'dm-flakey',
  format(params) {
    const features = formatFeatures(params.features);
    return [
      formatDevice('flakey', 'device', params.device),
      formatSectors('flakey', 'offset', params.offset),
      formatUint('flakey', 'up', params.up),
      formatUint('flakey', 'down', params.down),
      String(features.length),
      ...features,
    ].join(' ');
  },
  parse(text) {
    const args = new ArgReader('flakey', text);
    const params: FlakeyParams = { device: args.device('device'), offset: args.sectors('offset'), up: args.uint('up'), down: args.uint('down') };
    if (!args.done) {
      const features = parseFeatures(args.args('features'));
      // Optional fields are given back only when set, so a built target and its parse compare equal.
      if (Object.keys(features).length > 0) params.features = features;
    }
    args.end();
    return params;
  },
});
