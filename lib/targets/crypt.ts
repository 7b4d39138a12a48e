/**
 * The crypt target: `<cipher> <key> <iv_offset> <device> <offset> [<#opt> <opt>…]`, transparent
 * encryption (Documentation/admin-guide/device-mapper/dm-crypt.rst; libdm's SEG_CRYPT). Module
 * dm-crypt. The key is a SecretKey (bytes the library can wipe) or a kernel keyring reference;
 * `table` hides it as dmsetup does. Linux 6.1 reports an empty status (IMA aside), so there is
 * no status parser.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, formatWord, type DeviceRef } from './fields.js';
import { isKeyringKey, SecretKey, zeroWord, type KeyringKey } from './secret-key.js';
import { wordEnd } from './secret-params.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** crypt's optional params, in the order the kernel shows them. */
export interface CryptOptions {
  /** `allow_discards`: pass discards down to the device (this leaks which blocks are unused). */
  allowDiscards?: boolean;
  /** `same_cpu_crypt`: encrypt on the CPU that submitted the I/O, not on any CPU of an unbound workqueue. */
  sameCpuCrypt?: boolean;
  /** `submit_from_crypt_cpus`: submit writes from the encrypting thread, not from a separate one. */
  submitFromCryptCpus?: boolean;
  /** `no_read_workqueue`: decrypt reads synchronously, bypassing dm-crypt's workqueue. */
  noReadWorkqueue?: boolean;
  /** `no_write_workqueue`: encrypt writes synchronously, bypassing dm-crypt's workqueue. */
  noWriteWorkqueue?: boolean;
  /** `integrity:<bytes>:<type>`: authenticated encryption over dm-integrity. */
  integrity?: { tagSize: number; type: string };
  /** Encryption sector size in bytes (512 to 4096, a power of two). */
  sectorSize?: number;
  /**
   * `iv_large_sectors`: IVs count in `sectorSize` units instead of 512-byte sectors (`ivOffset`
   * must then be a multiple of it).
   */
  ivLargeSectors?: boolean;
  /** Options this library does not model, passed as written. */
  extra?: string[];
}

/** What `crypt(…)` takes: cipher, key, IV offset, the ciphertext device and optional params. */
export interface CryptParams {
  /** `aes-xts-plain64`, `aes-cbc-essiv:sha256`, `capi:cbc(aes)-plain`, … */
  cipher: string;
  /**
   * The key: a SecretKey (its bytes, shown as hex in the table) or a KeyringKey reference. `table`
   * output hides it as dmsetup does.
   */
  key: SecretKey | KeyringKey;
  /** Added to the sector number before the IV is made, in 512-byte sectors. */
  ivOffset: Sectors;
  /** The device holding the ciphertext. */
  device: DeviceRef;
  /** Where the ciphertext starts on `device`, in 512-byte sectors. */
  offset: Sectors;
  /** Optional params; omitted when none is set. */
  options?: CryptOptions;
}

const FLAGS = [
  ['allowDiscards', 'allow_discards'],
  ['sameCpuCrypt', 'same_cpu_crypt'],
  ['submitFromCryptCpus', 'submit_from_crypt_cpus'],
  ['noReadWorkqueue', 'no_read_workqueue'],
  ['noWriteWorkqueue', 'no_write_workqueue'],
] as const;

const KEY_TYPES = new Set(['logon', 'user', 'encrypted', 'trusted']);

function formatKey(key: unknown): string {
  if (key instanceof SecretKey) {
    if (key.disposed) throw fieldError('crypt', 'key', 'was disposed');
    return key.toKernelText();
  }
  if (isKeyringKey(key)) {
    formatUint('crypt', 'key.keySize', key.keySize, 0);
    if (!KEY_TYPES.has(key.keyType)) throw fieldError('crypt', 'key.keyType', 'must be logon, user, encrypted or trusted');
    return `:${key.keySize}:${key.keyType}:${formatWord('crypt', 'key.description', key.description)}`;
  }
  throw fieldError('crypt', 'key', 'must be a SecretKey or a keyring reference { keySize, keyType, description }');
}

function parseKey(word: string): SecretKey | KeyringKey {
  if (!word.startsWith(':')) {
    if (word !== '-' && !/^(?:[0-9a-fA-F]{2})+$/.test(word)) throw fieldError('crypt', 'key', 'must be hex digits, - or a :keyring reference');
    return SecretKey.fromHex(word);
  }
  const match = /^:(\d+):([a-z]+):(.+)$/.exec(word);
  if (!match || !KEY_TYPES.has(match[2]!)) throw fieldError('crypt', 'key', 'must be :<size>:<logon|user|encrypted|trusted>:<description>');
  return { keySize: Number(match[1]), keyType: match[2] as KeyringKey['keyType'], description: match[3]! };
}

function formatOptions(options: CryptOptions | undefined): string[] {
  if (options === undefined) return [];
  if (typeof options !== 'object' || options === null) throw fieldError('crypt', 'options', 'must be an object');
  const words: string[] = [];
  for (const [field, word] of FLAGS) if (options[field]) words.push(word);
  if (options.integrity !== undefined) {
    if (typeof options.integrity !== 'object' || options.integrity === null) throw fieldError('crypt', 'options.integrity', 'must be { tagSize, type }');
    const { tagSize, type } = options.integrity;
    words.push(`integrity:${formatUint('crypt', 'options.integrity.tagSize', tagSize, 1)}:${formatWord('crypt', 'options.integrity.type', type)}`);
  }
  if (options.sectorSize !== undefined) {
    const size = options.sectorSize;
    if (![512, 1024, 2048, 4096].includes(size)) throw fieldError('crypt', 'options.sectorSize', 'must be 512, 1024, 2048 or 4096');
    words.push(`sector_size:${size}`);
  }
  if (options.ivLargeSectors) words.push('iv_large_sectors');
  if (options.extra !== undefined && !Array.isArray(options.extra)) throw fieldError('crypt', 'options.extra', 'must be a list of words');
  (options.extra ?? []).forEach((word, index) => words.push(formatWord('crypt', `options.extra[${index}]`, word)));
  return words;
}

function parseOptions(words: readonly string[]): CryptOptions {
  const options: CryptOptions = {};
  for (const word of words) {
    const flag = FLAGS.find(([, name]) => name === word);
    const integrity = /^integrity:(\d+):(\S+)$/.exec(word);
    const sector = /^sector_size:(\d+)$/.exec(word);
    if (flag) options[flag[0]] = true;
    else if (integrity) options.integrity = { tagSize: Number(integrity[1]), type: integrity[2]! };
    else if (sector) options.sectorSize = Number(sector[1]);
    else if (word === 'iv_large_sectors') options.ivLargeSectors = true;
    else (options.extra ??= []).push(word);
  }
  return options;
}

/**
 * The crypt target: transparent encryption (dm-crypt), its key kept in a SecretKey. E.g. `crypt({
 * cipher: 'aes-xts-plain64', key, ivOffset: 0, device, offset: 0 })`. Its row (`row()`,
 * `table()`) carries the key in `secret`, not in the params string; loading it is always secure.
 * The SecretKey stays yours: the row holds it, not a copy, so dispose it once the device is
 * loaded (the kernel has its own copy) and do not keep the key in strings of your own.
 */
export const crypt = defineTarget<CryptParams>({
  type: 'crypt',
  module: 'dm-crypt',
  secretFields: ['key'],
  format(params) {
    const words = [
      formatWord('crypt', 'cipher', params.cipher),
      formatKey(params.key),
      formatSectors('crypt', 'ivOffset', params.ivOffset),
      formatDevice('crypt', 'device', params.device),
      formatSectors('crypt', 'offset', params.offset),
    ];
    const options = formatOptions(params.options);
    if (options.length > 0) words.push(String(options.length), ...options);
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('crypt', text);
    const cipher = args.word('cipher');
    const key = parseKey(args.word('key'));
    const params: CryptParams = { cipher, key, ivOffset: args.sectors('ivOffset'), device: args.device('device'), offset: args.sectors('offset') };
    if (!args.done) {
      const options = parseOptions(args.args('options'));
      // Optional fields are given back only when set, so a built target and its parse compare equal.
      if (Object.keys(options).length > 0) params.options = options;
    }
    args.end();
    return params;
  },
  secretSpans(bytes, start, end) {
    // The second word, unless it is a :keyring reference or `-` (no key).
    const space = bytes.indexOf(0x20, start);
    if (space === -1 || space + 1 >= end) return [];
    const first = bytes[space + 1];
    if (first === 0x3a || first === 0x2d) return [];
    return [[space + 1, wordEnd(bytes, space + 1, end)]];
  },
  hideSecrets(text) {
    // dmsetup: the second word becomes zeros, unless it is a :keyring reference.
    const space = text.indexOf(' ');
    if (space === -1 || text[space + 1] === ':') return text;
    return zeroWord(text, space + 1);
  },
});
