/**
 * The verity target: `<version> <data device> <hash device> <data block size> <hash block size>
 * <#data blocks> <hash start block> <algorithm> <root digest> <salt|-> [<#options> <option>…]`,
 * read-only data checked against a hash tree (Documentation/admin-guide/device-mapper/verity.rst;
 * libdm's SEG_VERITY is absent, veritysetup builds these). Module dm-verity. The kernel shows
 * options in the order of the fields below (Linux 6.1 has no on_error modes; FEC only when built
 * with it). Status: `<V|C> [<FEC-corrected blocks|->]`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, formatWord, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** Forward error correction from Reed-Solomon parity on `device`. */
export interface VerityFec {
  /** The device holding the Reed-Solomon parity. */
  device: DeviceRef;
  /** Parity bytes per 255-byte codeword: 2 to 24. */
  roots: number;
  /** Data blocks covered (data plus hash tree). */
  blocks: Sectors;
  /** Where the parity starts on `device`, in data blocks. */
  start: Sectors;
}

/** verity's options, in the order the kernel shows them. */
export interface VerityOptions {
  /** What a corrupt block does: ignore (log, pass), restart or panic the machine. Default: EIO. */
  onCorruption?: 'ignore' | 'restart' | 'panic';
  /** What an I/O error does: restart or panic. Default: EIO. */
  onError?: 'restart' | 'panic';
  /** `ignore_zero_blocks`: a block whose hash is a zero block's reads as zeros, unchecked. */
  ignoreZeroBlocks?: boolean;
  /**
   * `check_at_most_once`: check a data block only the first time it is read (cheaper; weaker
   * against an attacker who changes the device).
   */
  checkAtMostOnce?: boolean;
  /**
   * `try_verify_in_tasklet`: check blocks whose hashes are cached in a tasklet, not a workqueue
   * (lower latency).
   */
  tryVerifyInTasklet?: boolean;
  /** Forward error correction: corrupt blocks are repaired from parity instead of failing. */
  fec?: VerityFec;
  /** Keyring description of the root hash's PKCS#7 signature. */
  rootHashSigKeyDesc?: string;
}

/**
 * What `verity(…)` takes: data and hash devices, block sizes and counts, algorithm, root digest,
 * salt and options.
 */
export interface VerityParams {
  /** Hash format: 0 (Chromium OS: salt appended) or 1 (salt prepended, digests padded). */
  version: 0 | 1;
  /** The device holding the data that is checked. */
  data: DeviceRef;
  /** The device holding the hash tree (it may be `data` itself, the tree after the data). */
  hash: DeviceRef;
  /** Bytes: a power of two from 512 to the page size. */
  dataBlockSize: number;
  /** Bytes per hash block: a power of two from 512 to the page size. */
  hashBlockSize: number;
  /** How many data blocks (of `dataBlockSize` bytes, not sectors) the tree covers. */
  dataBlocks: Sectors;
  /** Where the tree's root block is on `hash`, in hash blocks. */
  hashStart: Sectors;
  /** The hash algorithm, a kernel crypto API name: `sha256`, `sha1`, … */
  algorithm: string;
  /** The root hash, in hex. */
  rootDigest: string;
  /** The salt in hex, or '' for none (`-`). */
  salt: string;
  /** Optional params; omitted when none is set. */
  options?: VerityOptions;
}

/**
 * What `verity.parseStatus` gives: whether corruption was seen (`V`/`C`) and FEC-corrected blocks;
 * or the raw text.
 */
export type VerityStatus =
  | {
      readonly type: 'verity';
      readonly state: 'ok';
      /** False once a block failed its check (`C`). */
      readonly valid: boolean;
      /** Blocks corrected by FEC; undefined without FEC (`-`, or nothing on a kernel built without FEC). */
      readonly fecCorrected: Sectors | undefined;
      readonly extra: readonly string[];
    }
  | { readonly type: 'verity'; readonly state: 'unknown'; readonly raw: string };

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const CORRUPTION = { ignore: 'ignore_corruption', restart: 'restart_on_corruption', panic: 'panic_on_corruption' } as const;
const ERROR = { restart: 'restart_on_error', panic: 'panic_on_error' } as const;
const FLAGS = [
  ['ignoreZeroBlocks', 'ignore_zero_blocks'],
  ['checkAtMostOnce', 'check_at_most_once'],
  ['tryVerifyInTasklet', 'try_verify_in_tasklet'],
] as const;

function blockSize(field: string, value: unknown): string {
  const text = formatUint('verity', field, value, 512, 65536);
  if (((value as number) & ((value as number) - 1)) !== 0) throw fieldError('verity', field, `must be a power of two, not ${text}`);
  return text;
}

function hex(field: string, value: unknown, empty: boolean): string {
  if (empty && value === '') return '-';
  if (typeof value !== 'string' || !HEX.test(value)) throw fieldError('verity', field, `must be hex digits${empty ? " (or '' for none)" : ''}`);
  return value.toLowerCase();
}

function formatOptions(options: VerityOptions | undefined): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw fieldError('verity', 'options', 'must be an object');
  const words: string[] = [];
  if (options.onCorruption !== undefined) {
    if (!(options.onCorruption in CORRUPTION)) throw fieldError('verity', 'options.onCorruption', 'must be ignore, restart or panic');
    words.push(CORRUPTION[options.onCorruption]);
  }
  if (options.onError !== undefined) {
    if (!(options.onError in ERROR)) throw fieldError('verity', 'options.onError', 'must be restart or panic');
    words.push(ERROR[options.onError]);
  }
  for (const [field, word] of FLAGS) if (options[field]) words.push(word);
  const fec = options.fec;
  if (fec !== undefined) {
    if (typeof fec !== 'object' || fec === null) throw fieldError('verity', 'options.fec', 'must be { device, roots, blocks, start }');
    words.push('use_fec_from_device', formatDevice('verity', 'options.fec.device', fec.device), 'fec_roots', formatUint('verity', 'options.fec.roots', fec.roots, 2, 24));
    words.push('fec_blocks', formatSectors('verity', 'options.fec.blocks', fec.blocks), 'fec_start', formatSectors('verity', 'options.fec.start', fec.start));
  }
  if (options.rootHashSigKeyDesc !== undefined) words.push('root_hash_sig_key_desc', formatWord('verity', 'options.rootHashSigKeyDesc', options.rootHashSigKeyDesc));
  return words;
}

function parseOptions(list: readonly string[]): VerityOptions {
  const options: VerityOptions = {};
  const args = new ArgReader('verity', list.join(' '));
  const fec: Partial<VerityFec> = {};
  while (!args.done) {
    const word = args.word('options');
    const corruption = Object.entries(CORRUPTION).find(([, name]) => name === word);
    const error = Object.entries(ERROR).find(([, name]) => name === word);
    const flag = FLAGS.find(([, name]) => name === word);
    if (corruption) options.onCorruption = corruption[0] as VerityOptions['onCorruption'];
    else if (error) options.onError = error[0] as VerityOptions['onError'];
    else if (flag) options[flag[0]] = true;
    else if (word === 'use_fec_from_device') fec.device = args.device('options.fec.device');
    else if (word === 'fec_roots') fec.roots = args.uint('options.fec.roots', 2, 24);
    else if (word === 'fec_blocks') fec.blocks = args.sectors('options.fec.blocks');
    else if (word === 'fec_start') fec.start = args.sectors('options.fec.start');
    else if (word === 'root_hash_sig_key_desc') options.rootHashSigKeyDesc = args.word('options.rootHashSigKeyDesc');
    else throw fieldError('verity', 'options', `has an unknown option "${word}"`);
  }
  if (Object.keys(fec).length > 0) {
    for (const part of ['device', 'roots', 'blocks', 'start'] as const) if (fec[part] === undefined) throw fieldError('verity', `options.fec.${part}`, 'is missing');
    options.fec = fec as VerityFec;
  }
  return options;
}

/**
 * The verity target: read-only data checked against a hash tree. E.g. `verity({ version: 1, data,
 * hash, dataBlockSize: 4096, hashBlockSize: 4096, dataBlocks, hashStart: 0, algorithm: 'sha256',
 * rootDigest, salt })`.
 */
export const verity = defineTarget<VerityParams, VerityStatus>({
  type: 'verity',
  module: 'dm-verity',
  format(params) {
    if (params.version !== 0 && params.version !== 1) throw fieldError('verity', 'version', 'must be 0 or 1');
    const words = [
      String(params.version),
      formatDevice('verity', 'data', params.data),
      formatDevice('verity', 'hash', params.hash),
      blockSize('dataBlockSize', params.dataBlockSize),
      blockSize('hashBlockSize', params.hashBlockSize),
      formatSectors('verity', 'dataBlocks', params.dataBlocks),
      formatSectors('verity', 'hashStart', params.hashStart),
      formatWord('verity', 'algorithm', params.algorithm),
      hex('rootDigest', params.rootDigest, false),
      hex('salt', params.salt, true),
    ];
    const options = formatOptions(params.options);
    if (options.length > 0) words.push(String(options.length), ...options);
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('verity', text);
    const version = args.uint('version', 0, 1) as 0 | 1;
    const params: VerityParams = {
      version,
      data: args.device('data'),
      hash: args.device('hash'),
      dataBlockSize: args.uint('dataBlockSize', 512, 65536),
      hashBlockSize: args.uint('hashBlockSize', 512, 65536),
      dataBlocks: args.sectors('dataBlocks'),
      hashStart: args.sectors('hashStart'),
      algorithm: args.word('algorithm'),
      rootDigest: args.word('rootDigest'),
      salt: args.word('salt'),
    };
    hex('rootDigest', params.rootDigest, false);
    if (params.salt === '-') params.salt = '';
    else hex('salt', params.salt, false);
    blockSize('dataBlockSize', params.dataBlockSize);
    blockSize('hashBlockSize', params.hashBlockSize);
    if (!args.done) {
      const options = parseOptions(args.args('options'));
      if (Object.keys(options).length > 0) params.options = options;
    }
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    if (words[0] !== 'V' && words[0] !== 'C') return { type: 'verity', state: 'unknown', raw: text.trim() };
    return { type: 'verity', state: 'ok', valid: words[0] === 'V', fecCorrected: statusNumber(words[1]), extra: words.slice(2) };
  },
});
