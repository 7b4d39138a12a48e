/**
 * The integrity target: `<device> <offset> <tag size|-> <mode> <#options> <option>…` keeps a tag
 * (checksum or MAC) per sector and optionally journals writes (Documentation/admin-guide/
 * device-mapper/dm-integrity.rst; libdm's SEG_INTEGRITY). Module dm-integrity. Modes: D direct,
 * J journal, B bitmap, R recovery. `internal_hash`, `journal_crypt` and `journal_mac` name an
 * algorithm in `options` and may take a key, kept apart in `keys` (the secret field: SecretKeys,
 * never made strings to build or show a target; `hideSecrets` zeroes them as dmsetup does).
 * Linux 6.1 shows every option back in a fixed order (OPTIONS below) with its defaults filled in,
 * and its keys (dmsetup zeroes them unless --showkeys). Status: `<mismatches> <provided data
 * sectors> <recalculated sector|->`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, formatWord, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { SecretKey } from './secret-key.js';
import { wordEnd, type SecretSpan } from './secret-params.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** The keys of the keyed algorithms in IntegrityOptions (`hmac(sha256)`, `ctr(aes)`, …). */
export interface IntegrityKeys {
  /** The key of a keyed `internalHash` (e.g. `hmac(sha256)`). */
  internalHash?: SecretKey;
  /** The key of `journalCrypt`. */
  journalCrypt?: SecretKey;
  /** The key of `journalMac`. */
  journalMac?: SecretKey;
}

/** integrity's options, in the order the kernel shows them. */
export interface IntegrityOptions {
  /** Tags on a separate device. */
  metaDevice?: DeviceRef;
  /** Bytes per block: 512 to 4096, a power of two. */
  blockSize?: number;
  /** `recalculate`: compute missing tags in the background (with an internal hash only). */
  recalculate?: boolean;
  /** `allow_discards`: accept discards (TRIM); the kernel allows it only with an internal hash. */
  allowDiscards?: boolean;
  /**
   * `journal_sectors`: the journal's size in 512-byte sectors; used only when the device is
   * formatted (later the superblock's value counts).
   */
  journalSectors?: number;
  /**
   * `interleave_sectors`: data sectors between tag areas (rounded down to a power of two; default
   * 32768); only when formatting.
   */
  interleaveSectors?: number;
  /**
   * `buffer_sectors`: sectors per metadata buffer (rounded down to a power of two; default 128):
   * larger means fewer, bigger I/Os.
   */
  bufferSectors?: number;
  /** Percent of the journal that triggers a flush (J). */
  journalWatermark?: number;
  /** Milliseconds (J). */
  commitTime?: number;
  /** Sectors per bitmap bit (B). */
  sectorsPerBit?: Sectors;
  /** Milliseconds (B). */
  bitmapFlushInterval?: number;
  /**
   * `fix_padding`: the smaller, newer padding of the tag area (without it, the large padding older
   * kernels use).
   */
  fixPadding?: boolean;
  /**
   * `fix_hmac`: mix the sector number and a salt into the MACs and protect the superblock, so
   * sectors cannot be moved between places or disks.
   */
  fixHmac?: boolean;
  /**
   * `legacy_recalculate`: allow `recalculate` with HMAC keys (off by default: it lets a forged
   * volume be re-tagged).
   */
  legacyRecalculate?: boolean;
  /** The tag's algorithm: `crc32c`, `sha256`, `hmac(sha256)` (keyed: see IntegrityParams.keys). */
  internalHash?: string;
  /** The journal's encryption (`ctr(aes)`, keyed). */
  journalCrypt?: string;
  /** The journal's MAC (`hmac(sha256)`, keyed). */
  journalMac?: string;
  /** Options this library does not model, passed as written (after the others). */
  extra?: string[];
}

/** integrity's mode: D direct writes, J journaled, B bitmap, R recovery (read-only, no checks). */
export type IntegrityMode = 'D' | 'J' | 'B' | 'R';

/**
 * What `integrity(…)` takes: the device, offset, tag size, mode, options and the keys of keyed
 * algorithms.
 */
export interface IntegrityParams {
  /** The device holding data and tags. */
  device: DeviceRef;
  /** Sectors at the start of `device` skipped (for a superblock of someone else). */
  offset: Sectors;
  /** Bytes of tag per sector, or '-' for the internal hash's size. */
  tagSize: number | '-';
  /** How writes are kept consistent with their tags (see IntegrityMode). */
  mode: IntegrityMode;
  /** Optional params; omitted when none is set. */
  options?: IntegrityOptions;
  /** Keys for the algorithms named in `options`: secret. */
  keys?: IntegrityKeys;
}

/**
 * What `integrity.parseStatus` gives: tag mismatches, the data sectors offered and recalculation
 * progress; or the raw text.
 */
export type IntegrityStatus =
  | {
      readonly type: 'integrity';
      readonly state: 'ok';
      /** Tag mismatches seen since activation. */
      readonly mismatches: Sectors;
      /** The data sectors the device offers: the length a table should give it. */
      readonly providedDataSectors: Sectors;
      /** Where recalculation has got to; undefined when not recalculating (`-`). */
      readonly recalculatedSector: Sectors | undefined;
      readonly extra: readonly string[];
    }
  | { readonly type: 'integrity'; readonly state: 'unknown'; readonly raw: string };

type Kind = 'flag' | 'uint' | 'sectors' | 'device' | 'alg';
const OPTIONS: readonly (readonly [keyof IntegrityOptions, string, Kind])[] = [
  ['metaDevice', 'meta_device', 'device'],
  ['blockSize', 'block_size', 'uint'],
  ['recalculate', 'recalculate', 'flag'],
  ['allowDiscards', 'allow_discards', 'flag'],
  ['journalSectors', 'journal_sectors', 'uint'],
  ['interleaveSectors', 'interleave_sectors', 'uint'],
  ['bufferSectors', 'buffer_sectors', 'uint'],
  ['journalWatermark', 'journal_watermark', 'uint'],
  ['commitTime', 'commit_time', 'uint'],
  ['sectorsPerBit', 'sectors_per_bit', 'sectors'],
  ['bitmapFlushInterval', 'bitmap_flush_interval', 'uint'],
  ['fixPadding', 'fix_padding', 'flag'],
  ['fixHmac', 'fix_hmac', 'flag'],
  ['legacyRecalculate', 'legacy_recalculate', 'flag'],
  ['internalHash', 'internal_hash', 'alg'],
  ['journalCrypt', 'journal_crypt', 'alg'],
  ['journalMac', 'journal_mac', 'alg'],
];
const MODES = new Set(['D', 'J', 'B', 'R']);
const ALGORITHM = /^[^\s:]+$/;

const ALGORITHMS = ['internalHash', 'journalCrypt', 'journalMac'] as const;

function formatAlgorithm(field: (typeof ALGORITHMS)[number], value: unknown, keys: IntegrityKeys): string {
  if (typeof value !== 'string' || !ALGORITHM.test(value)) throw fieldError('integrity', `options.${field}`, 'must be an algorithm name, one word without colons');
  const key = keys[field];
  if (key === undefined) return value;
  if (!(key instanceof SecretKey)) throw fieldError('integrity', `keys.${field}`, 'must be a SecretKey');
  if (key.disposed) throw fieldError('integrity', `keys.${field}`, 'was disposed');
  // A stand-in (see Target) gives a placeholder as long as the key's hex; an empty key gives `-` (or one 0).
  const text = key.toKernelText();
  if (text.length < 2) throw fieldError('integrity', `keys.${field}`, 'must not be empty');
  return `${value}:${text}`;
}

function checkKeys(keys: unknown, options: IntegrityOptions): IntegrityKeys {
  if (keys === undefined) return {};
  if (typeof keys !== 'object' || keys === null) throw fieldError('integrity', 'keys', 'must be an object of SecretKeys');
  for (const field of Object.keys(keys)) {
    if (!(ALGORITHMS as readonly string[]).includes(field)) throw fieldError('integrity', `keys.${field}`, 'is not a keyed algorithm (internalHash, journalCrypt, journalMac)');
    if (options[field as (typeof ALGORITHMS)[number]] === undefined) throw fieldError('integrity', `keys.${field}`, `needs options.${field}, the algorithm it is for`);
  }
  return keys as IntegrityKeys;
}

function formatOptions(options: IntegrityOptions | undefined, rawKeys: unknown): string[] {
  if (options === undefined) {
    checkKeys(rawKeys, {});
    return [];
  }
  if (typeof options !== 'object' || options === null) throw fieldError('integrity', 'options', 'must be an object');
  const keys = checkKeys(rawKeys, options);
  const words: string[] = [];
  for (const [field, word, kind] of OPTIONS) {
    const value = options[field];
    const name = `options.${field}`;
    if (value === undefined || (kind === 'flag' && !value)) continue;
    if (kind === 'flag') words.push(word);
    else if (kind === 'device') words.push(`${word}:${formatDevice('integrity', name, value)}`);
    else if (kind === 'sectors') words.push(`${word}:${formatSectors('integrity', name, value)}`);
    else if (kind === 'alg') words.push(`${word}:${formatAlgorithm(field as (typeof ALGORITHMS)[number], value, keys)}`);
    else words.push(`${word}:${formatUint('integrity', name, value)}`);
  }
  if (options.blockSize !== undefined && (options.blockSize < 512 || options.blockSize > 4096 || (options.blockSize & (options.blockSize - 1)) !== 0)) {
    throw fieldError('integrity', 'options.blockSize', `must be 512, 1024, 2048 or 4096, not ${options.blockSize}`);
  }
  (options.extra ?? []).forEach((word, index) => words.push(formatWord('integrity', `options.extra[${index}]`, word)));
  return words;
}

function parseOption(options: IntegrityOptions, keys: IntegrityKeys, word: string): void {
  const colon = word.indexOf(':');
  const name = colon === -1 ? word : word.slice(0, colon);
  const value = colon === -1 ? undefined : word.slice(colon + 1);
  const known = OPTIONS.find(([, option, kind]) => option === name && (kind === 'flag') === (value === undefined));
  const set = options as Record<string, unknown>;
  if (!known) {
    (options.extra ??= []).push(word);
    return;
  }
  const [field, , kind] = known;
  if (kind === 'flag') set[field] = true;
  else if (kind === 'alg') set[field] = parseAlgorithm(field as (typeof ALGORITHMS)[number], value!, keys);
  else {
    const reader = new ArgReader('integrity', value!);
    const name = `options.${field}`;
    set[field] = kind === 'device' ? reader.device(name) : kind === 'sectors' ? reader.sectors(name) : reader.uint(name);
    reader.end();
  }
}

/** `alg` or `alg:hexkey` → the algorithm, its key put in `keys`; the algorithm has no colon (dmsetup splits the same way). */
function parseAlgorithm(field: (typeof ALGORITHMS)[number], value: string, keys: IntegrityKeys): string {
  const keyAt = value.indexOf(':');
  const algorithm = keyAt === -1 ? value : value.slice(0, keyAt);
  if (algorithm === '') throw fieldError('integrity', `options.${field}`, 'is missing its algorithm');
  if (keyAt === -1) return algorithm;
  const hex = value.slice(keyAt + 1);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw fieldError('integrity', `keys.${field}`, 'must be hex digits');
  keys[field] = SecretKey.fromHex(hex);
  return algorithm;
}

/** dmsetup's hide_key: after `name`, an `alg:key` pair has its key turned into zeros. */
function hideKey(text: string, name: string): string {
  const found = text.indexOf(` ${name}:`);
  if (found === -1) return text;
  const algorithmStart = found + name.length + 2;
  const space = text.indexOf(' ', algorithmStart);
  const end = space === -1 ? text.length : space;
  const colon = text.indexOf(':', algorithmStart);
  if (colon === -1 || colon >= end) return text;
  return text.slice(0, colon + 1) + '0'.repeat(end - colon - 1) + text.slice(end);
}

/** The option words whose `alg:key` value can carry a key, as bytes. */
const KEYED_WORDS = ['internal_hash:', 'journal_crypt:', 'journal_mac:'].map((word) => Buffer.from(word, 'latin1'));

/** The key spans of params bytes: in each keyed option word, what follows the algorithm's colon. */
function keySpans(bytes: Buffer, start: number, end: number): SecretSpan[] {
  const spans: SecretSpan[] = [];
  for (let at = start; at < end; ) {
    const last = wordEnd(bytes, at, end);
    const keyed = KEYED_WORDS.find((word) => last - at > word.length && bytes.compare(word, 0, word.length, at, at + word.length) === 0);
    if (keyed) {
      const colon = bytes.indexOf(0x3a, at + keyed.length);
      if (colon !== -1 && colon + 1 < last) spans.push([colon + 1, last]);
    }
    at = last + 1;
  }
  return spans;
}

/**
 * The integrity target: a checksum or MAC per sector, optionally journaled. E.g. `integrity({
 * device, offset: 0, tagSize: 32, mode: 'J', options: { internalHash: 'hmac(sha256)' }, keys: {
 * internalHash: key } })`. Its keys travel as crypt's do: in the row's `secret` (your SecretKeys,
 * not copies: dispose them once loaded), read back by `table()` into SecretKeys, never strings.
 */
export const integrity = defineTarget<IntegrityParams, IntegrityStatus>({
  type: 'integrity',
  module: 'dm-integrity',
  secretFields: ['keys'],
  format(params) {
    if (!MODES.has(params.mode)) throw fieldError('integrity', 'mode', 'must be D, J, B or R');
    const tagSize = params.tagSize === '-' ? '-' : formatUint('integrity', 'tagSize', params.tagSize, 1);
    const options = formatOptions(params.options, params.keys);
    return [formatDevice('integrity', 'device', params.device), formatSectors('integrity', 'offset', params.offset), tagSize, params.mode, String(options.length), ...options].join(' ');
  },
  parse(text) {
    const args = new ArgReader('integrity', text);
    const device = args.device('device');
    const offset = args.sectors('offset');
    let tagSize: number | '-' = '-';
    if (args.peek() === '-') args.word('tagSize');
    else tagSize = args.uint('tagSize', 1);
    const mode = args.word('mode');
    if (!MODES.has(mode)) throw fieldError('integrity', 'mode', `must be D, J, B or R, not "${mode}"`);
    const params: IntegrityParams = { device, offset, tagSize, mode: mode as IntegrityMode };
    const options: IntegrityOptions = {};
    const keys: IntegrityKeys = {};
    for (const word of args.args('options')) parseOption(options, keys, word);
    args.end();
    if (Object.keys(options).length > 0) params.options = options;
    if (Object.keys(keys).length > 0) params.keys = keys;
    return params;
  },
  secretSpans: keySpans,
  hideSecrets(text) {
    let hidden = text;
    for (const name of ['internal_hash', 'journal_crypt', 'journal_mac']) hidden = hideKey(hidden, name);
    return hidden;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const mismatches = statusNumber(words[0]);
    const providedDataSectors = statusNumber(words[1]);
    if (mismatches === undefined || providedDataSectors === undefined || words[2] === undefined) return { type: 'integrity', state: 'unknown', raw: text.trim() };
    return { type: 'integrity', state: 'ok', mismatches, providedDataSectors, recalculatedSector: statusNumber(words[2]), extra: words.slice(3) };
  },
});
