/**
 * The integrity target: `<device> <offset> <tag size|-> <mode> <#options> <option>…` keeps a tag
 * (checksum or MAC) per sector and optionally journals writes (Documentation/admin-guide/
 * device-mapper/dm-integrity.rst; libdm's SEG_INTEGRITY). Module dm-integrity. Modes: D direct,
 * J journal, B bitmap, R recovery. `internal_hash`, `journal_crypt` and `journal_mac` may carry a
 * key: a SecretKey, hidden by toString/JSON/inspect and by `hideSecrets` as dmsetup hides it.
 * Linux 6.1 shows every option back in a fixed order (OPTIONS below) with its defaults filled in,
 * and shows keys as zeros. Status: `<mismatches> <provided data sectors> <recalculated sector|->`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, formatWord, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { SecretKey } from './secret-key.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** An algorithm (`crc32c`, `sha256`, `hmac(sha256)`, `ctr(aes)`) and its key, if it takes one. */
export interface IntegrityAlgorithm {
  algorithm: string;
  key?: SecretKey;
}

/** integrity's options, in the order the kernel shows them. */
export interface IntegrityOptions {
  /** Tags on a separate device. */
  metaDevice?: DeviceRef;
  /** Bytes per block: 512 to 4096, a power of two. */
  blockSize?: number;
  recalculate?: boolean;
  allowDiscards?: boolean;
  journalSectors?: number;
  interleaveSectors?: number;
  bufferSectors?: number;
  /** Percent of the journal that triggers a flush (J). */
  journalWatermark?: number;
  /** Milliseconds (J). */
  commitTime?: number;
  /** Sectors per bitmap bit (B). */
  sectorsPerBit?: Sectors;
  /** Milliseconds (B). */
  bitmapFlushInterval?: number;
  fixPadding?: boolean;
  fixHmac?: boolean;
  legacyRecalculate?: boolean;
  internalHash?: IntegrityAlgorithm;
  journalCrypt?: IntegrityAlgorithm;
  journalMac?: IntegrityAlgorithm;
  /** Options this library does not model, passed as written (after the others). */
  extra?: string[];
}

/** integrity's mode: D direct writes, J journaled, B bitmap, R recovery (read-only, no checks). */
export type IntegrityMode = 'D' | 'J' | 'B' | 'R';

/** integrity's params. */
export interface IntegrityParams {
  device: DeviceRef;
  /** Sectors at the start of `device` skipped (for a superblock of someone else). */
  offset: Sectors;
  /** Bytes of tag per sector, or '-' for the internal hash's size. */
  tagSize: number | '-';
  mode: IntegrityMode;
  options?: IntegrityOptions;
}

/** integrity's status. */
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

function formatAlgorithm(field: string, value: unknown): string {
  if (typeof value !== 'object' || value === null) throw fieldError('integrity', field, 'must be { algorithm, key? }');
  const { algorithm, key } = value as IntegrityAlgorithm;
  if (typeof algorithm !== 'string' || !ALGORITHM.test(algorithm)) throw fieldError('integrity', `${field}.algorithm`, 'must be one word without colons');
  if (key === undefined) return algorithm;
  if (!(key instanceof SecretKey)) throw fieldError('integrity', `${field}.key`, 'must be a SecretKey');
  if (key.disposed) throw fieldError('integrity', `${field}.key`, 'was disposed');
  if (key.length === 0) throw fieldError('integrity', `${field}.key`, 'must not be empty');
  return `${algorithm}:${key.toKernelText()}`;
}

function formatOptions(options: IntegrityOptions | undefined): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw fieldError('integrity', 'options', 'must be an object');
  const words: string[] = [];
  for (const [field, word, kind] of OPTIONS) {
    const value = options[field];
    const name = `options.${field}`;
    if (value === undefined || (kind === 'flag' && !value)) continue;
    if (kind === 'flag') words.push(word);
    else if (kind === 'device') words.push(`${word}:${formatDevice('integrity', name, value)}`);
    else if (kind === 'sectors') words.push(`${word}:${formatSectors('integrity', name, value)}`);
    else if (kind === 'alg') words.push(`${word}:${formatAlgorithm(name, value)}`);
    else words.push(`${word}:${formatUint('integrity', name, value)}`);
  }
  if (options.blockSize !== undefined && (options.blockSize < 512 || options.blockSize > 4096 || (options.blockSize & (options.blockSize - 1)) !== 0)) {
    throw fieldError('integrity', 'options.blockSize', `must be 512, 1024, 2048 or 4096, not ${options.blockSize}`);
  }
  (options.extra ?? []).forEach((word, index) => words.push(formatWord('integrity', `options.extra[${index}]`, word)));
  return words;
}

function parseOption(options: IntegrityOptions, word: string): void {
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
  else if (kind === 'alg') set[field] = parseAlgorithm(field, value!);
  else {
    const reader = new ArgReader('integrity', value!);
    const name = `options.${field}`;
    set[field] = kind === 'device' ? reader.device(name) : kind === 'sectors' ? reader.sectors(name) : reader.uint(name);
    reader.end();
  }
}

/** `alg` or `alg:hexkey`; the algorithm has no colon (dmsetup splits the same way). */
function parseAlgorithm(field: string, value: string): IntegrityAlgorithm {
  const keyAt = value.indexOf(':');
  const algorithm = keyAt === -1 ? value : value.slice(0, keyAt);
  if (algorithm === '') throw fieldError('integrity', `options.${field}.algorithm`, 'is missing');
  if (keyAt === -1) return { algorithm };
  const hex = value.slice(keyAt + 1);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw fieldError('integrity', `options.${field}.key`, 'must be hex digits');
  return { algorithm, key: SecretKey.fromHex(hex) };
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

/** `integrity({ device, offset: 0, tagSize: 4, mode: 'J', options: { internalHash: { algorithm: 'crc32c' } } })`. */
export const integrity = defineTarget<IntegrityParams, IntegrityStatus>({
  type: 'integrity',
  module: 'dm-integrity',
  format(params) {
    if (!MODES.has(params.mode)) throw fieldError('integrity', 'mode', 'must be D, J, B or R');
    const tagSize = params.tagSize === '-' ? '-' : formatUint('integrity', 'tagSize', params.tagSize, 1);
    const options = formatOptions(params.options);
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
    for (const word of args.args('options')) parseOption(options, word);
    args.end();
    if (Object.keys(options).length > 0) params.options = options;
    return params;
  },
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
