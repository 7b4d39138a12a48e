/**
 * Table params that carry keys, kept apart from strings: `SecretParams` is the params text as a
 * list of parts, plain text and SecretKeys, in order. The codec writes it into the ioctl buffer
 * part by part (a key straight from its Buffer with `writeKernelText`), so no JS string ever holds
 * the key; `table()` reads a key-bearing row's keys from the reply bytes into SecretKeys the same
 * way. `hidden` is the text with each key as zeros, what `dmsetup table` shows without --showkeys.
 */
import { inspect } from 'node:util';
import { invalidArgument } from '../errors.js';
import { SecretKey } from './secret-key.js';

/** One part of SecretParams: kernel text, or a key written as hex (or `-` when empty). */
export type ParamsPart = string | SecretKey;

/**
 * Params text with keys in it, as parts: text and SecretKeys. Made by the builders (a row of
 * `crypt({…})`) and by `table()` for a key-bearing target; the codec writes it without a string of
 * the key. `dispose()` wipes the keys it holds (a row built from your SecretKey holds that very
 * key, not a copy: disposing either disposes both).
 */
export class SecretParams {
  readonly #parts: readonly ParamsPart[];
  readonly #hidden: string;

  /** Parts in order; text parts must not contain NUL (the kernel would cut the params there). */
  constructor(parts: readonly ParamsPart[]) {
    if (!Array.isArray(parts)) throw invalidArgument('SecretParams needs a list of text and SecretKey parts');
    for (const part of parts) {
      if (typeof part === 'string') {
        if (part.includes('\0')) throw invalidArgument('Table params must not contain NUL characters');
      } else if (!(part instanceof SecretKey)) throw invalidArgument('SecretParams parts are text or SecretKeys');
    }
    this.#parts = [...parts];
    this.#hidden = this.#parts.map((part) => (typeof part === 'string' ? part : '0'.repeat(part.kernelTextLength))).join('');
  }

  /** The parts (the keys themselves, not copies). */
  get parts(): readonly ParamsPart[] {
    return this.#parts;
  }

  /** The SecretKeys among the parts, in order. */
  keys(): SecretKey[] {
    return this.#parts.filter((part): part is SecretKey => part instanceof SecretKey);
  }

  /** True once any key in it was disposed: it can no longer be written. */
  get disposed(): boolean {
    return this.keys().some((key) => key.disposed);
  }

  /** The params text with every key as zeros of its text's length (`dmsetup table` without --showkeys). */
  get hidden(): string {
    return this.#hidden;
  }

  /** Bytes `write` takes; `escaped` counts text backslashes twice, as the kernel is sent them. */
  byteLength(escaped = false): number {
    let size = 0;
    for (const part of this.#parts) {
      if (typeof part !== 'string') size += part.kernelTextLength;
      else size += Buffer.byteLength(part) + (escaped ? countBackslashes(part) : 0);
    }
    return size;
  }

  /**
   * Writes the params into `buffer` at `offset`, each key from its Buffer (no string is made);
   * `escaped` doubles text backslashes (libdevmapper's escaping for TABLE_LOAD). Returns the bytes
   * written. A disposed key refuses (DmError invalid-argument).
   */
  write(buffer: Buffer, offset: number, escaped = false): number {
    if (this.disposed) throw invalidArgument('A key of these table params was disposed: build the row again with a live SecretKey');
    if (offset + this.byteLength(escaped) > buffer.length) throw invalidArgument('The buffer is too small for the table params');
    let at = offset;
    for (const part of this.#parts) {
      if (typeof part !== 'string') at += part.writeKernelText(buffer, at);
      else at += buffer.write(escaped ? part.replace(/\\/g, '\\\\') : part, at, 'utf8');
    }
    return at - offset;
  }

  /**
   * The whole text, keys as hex: a string the library cannot wipe (what `table({ showKeys: true })`
   * gives). Only for a caller that must print the keys.
   */
  revealText(): string {
    return this.#parts.map((part) => (typeof part === 'string' ? part : part.toKernelText())).join('');
  }

  /** Wipes every key it holds. */
  dispose(): void {
    for (const key of this.keys()) key.dispose();
  }

  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The hidden text: keys never reach a string this way. */
  toString(): string {
    return this.hidden;
  }

  /** The hidden text (JSON never shows a key). */
  toJSON(): string {
    return this.hidden;
  }

  /** What console.log shows: the hidden text. */
  [inspect.custom](): string {
    return `SecretParams <${this.hidden}>`;
  }
}

function countBackslashes(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\\'); at !== -1; at = text.indexOf('\\', at + 1)) count++;
  return count;
}

/** A byte range `[start, end)` of a reply's params that holds a key's hex. */
export type SecretSpan = readonly [start: number, end: number];

/** The value of one hex digit's byte, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
}

/** True when `bytes[start, end)` is a non-empty, even run of hex digits. */
export function isHexRun(bytes: Buffer, start: number, end: number): boolean {
  if (end <= start || (end - start) % 2 !== 0) return false;
  for (let at = start; at < end; at++) if (hexValue(bytes[at]!) === -1) return false;
  return true;
}

/** A SecretKey read from hex digits in `bytes[start, end)`, byte by byte (no string is made). */
export function keyFromHexBytes(bytes: Buffer, start: number, end: number): SecretKey {
  if (!isHexRun(bytes, start, end)) throw invalidArgument('key: must be an even number of hex digits');
  const key = Buffer.alloc((end - start) / 2);
  for (let index = 0; index < key.length; index++) {
    key[index] = (hexValue(bytes[start + index * 2]!) << 4) | hexValue(bytes[start + index * 2 + 1]!);
  }
  return SecretKey.adopt(key);
}

/**
 * SecretParams of `bytes[start, end)` (UTF-8 params of a reply) with each span's hex read into a
 * SecretKey; the spans must be in order, inside the range, and hex (else the text stays text).
 */
export function secretParamsFromBytes(bytes: Buffer, start: number, end: number, spans: readonly SecretSpan[]): SecretParams {
  const parts: ParamsPart[] = [];
  let at = start;
  for (const [from, to] of spans) {
    if (from < at || to > end || !isHexRun(bytes, from, to)) continue;
    if (from > at) parts.push(bytes.toString('utf8', at, from));
    parts.push(keyFromHexBytes(bytes, from, to));
    at = to;
  }
  if (at < end) parts.push(bytes.toString('utf8', at, end));
  return new SecretParams(parts);
}

/** The end of the word that starts at `from` in `bytes` (the next space, or `end`). */
export function wordEnd(bytes: Buffer, from: number, end: number): number {
  const space = bytes.indexOf(0x20, from);
  return space === -1 || space > end ? end : space;
}
