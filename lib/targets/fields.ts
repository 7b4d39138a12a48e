/**
 * The fields target params are made of, both ways: devices (`/dev/loop0` or `7:0`), sector counts
 * (exact past 2^53), small integers, single words and `<count> <arg>…` feature lists. Every
 * refusal is a DmError kind 'invalid-argument' whose message names the target and the field, so a
 * target file only says which field comes next. (libdm builds these strings by hand with
 * dm_snprintf in libdm-deptree.c's _emit_segment_line; the kernel splits them with dm_read_arg.)
 */
import { invalidArgument, type DmError } from '../errors.js';
import { validateDevNumber } from '../device/devt.js';
import type { DevNumber } from '../device/device-id.js';
import { exactCount, isSectors, SECTOR_MAX, type Sectors } from './units.js';

/**
 * A device as a target names it: a path (`/dev/loop0`), or a device number (a DevNumber, a
 * DeviceInfo, a LoopDevice: anything with `major` and `minor`). The kernel's `table` output always
 * shows the number, so `parse` gives a DevNumber back for `7:0`.
 */
export type DeviceRef = string | { readonly major: number; readonly minor: number };

/** The refusal for field `field` of target `target`: `linear: offset must be …`. */
export function fieldError(target: string, field: string, rule: string): DmError {
  return invalidArgument(`${target}: ${field} ${rule}`);
}

/** Text shown for a refused value; long or odd values are cut so an error stays one readable line. */
function shown(value: unknown): string {
  let text: string;
  if (typeof value === 'bigint') text = `${value}n`;
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = typeof value === 'object' && value !== null ? JSON.stringify(value) ?? String(value) : String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A device field as kernel text: a path without white space, or `major:minor`. */
export function formatDevice(target: string, field: string, value: unknown): string {
  if (typeof value === 'string') {
    if (value === '' || /[\s\0]/.test(value)) {
      throw fieldError(target, field, `must be a device path without white space, not ${shown(value)}`);
    }
    return value;
  }
  if (typeof value === 'object' && value !== null && 'major' in value && 'minor' in value) {
    const { major, minor } = value as DevNumber;
    try {
      validateDevNumber(major, minor);
    } catch (error) {
      throw fieldError(target, field, (error as Error).message.replace(/^The /, 'has '));
    }
    return `${major}:${minor}`;
  }
  throw fieldError(target, field, `must be a device path or { major, minor }, not ${shown(value)}`);
}

/** A sector count or offset as kernel text (whole, 0 to 2^64-1; a number must be a safe integer). */
export function formatSectors(target: string, field: string, value: unknown): string {
  if (!isSectors(value)) {
    throw fieldError(target, field, `must be a whole number of sectors (a safe integer or a bigint up to 2^64-1), not ${shown(value)}`);
  }
  return String(value);
}

/** A whole number in [min, max] as kernel text. */
export function formatUint(target: string, field: string, value: unknown, min = 0, max = 0xffffffff): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw fieldError(target, field, `must be a whole number from ${min} to ${max}, not ${shown(value)}`);
  }
  return String(value);
}

/** One word of kernel text: not empty, no white space. */
export function formatWord(target: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || /[\s\0]/.test(value)) {
    throw fieldError(target, field, `must be one word without white space, not ${shown(value)}`);
  }
  return value;
}

/** `<count> <arg>…` (the kernel's feature-argument lists); empty list → `0`. */
export function formatArgs(target: string, field: string, args: readonly string[]): string {
  return [String(args.length), ...args.map((arg, index) => formatWord(target, `${field}[${index}]`, arg))].join(' ');
}

/** A whole number from kernel text: digits only (what the kernel's kstrtoul/sscanf("%llu") give back). */
const DIGITS = /^\d+$/;

/** Reads kernel params text field by field; each refusal names the target and the field. */
export class ArgReader {
  private readonly words: string[];
  private at = 0;

  /** Splits `text` into words as the kernel does; `target` names the target in every refusal. */
  constructor(
    /** The target type named in refusals (`linear: offset must be …`). */
    readonly target: string,
    text: string,
  ) {
    if (typeof text !== 'string') throw fieldError(target, 'params', `must be a string, not ${shown(text)}`);
    // Split once on runs of white space: linear in the length of the text.
    const trimmed = text.trim();
    this.words = trimmed === '' ? [] : trimmed.split(/\s+/);
  }

  /** True when every word was read. */
  get done(): boolean {
    return this.at >= this.words.length;
  }

  /** The words not read yet. */
  rest(): string[] {
    const rest = this.words.slice(this.at);
    this.at = this.words.length;
    return rest;
  }

  /** The next word, without consuming it. */
  peek(): string | undefined {
    return this.words[this.at];
  }

  /** The next word; missing → error naming `field`. */
  word(field: string): string {
    const word = this.words[this.at];
    if (word === undefined) throw fieldError(this.target, field, 'is missing');
    this.at++;
    return word;
  }

  /** A device: `M:m` → DevNumber, anything else is kept as a path. */
  device(field: string): DeviceRef {
    return parseDevice(this.word(field));
  }

  /** A sector count: a number when safe, a bigint above 2^53. */
  sectors(field: string): Sectors {
    const word = this.word(field);
    if (!DIGITS.test(word)) throw fieldError(this.target, field, `must be a whole number of sectors, not ${shown(word)}`);
    const big = BigInt(word);
    if (big > SECTOR_MAX) throw fieldError(this.target, field, `must be at most 2^64-1, not ${word}`);
    return exactCount(big);
  }

  /** A whole number in [min, max]. */
  uint(field: string, min = 0, max = 0xffffffff): number {
    const word = this.word(field);
    const value = DIGITS.test(word) && word.length <= 16 ? Number(word) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw fieldError(this.target, field, `must be a whole number from ${min} to ${max}, not ${shown(word)}`);
    }
    return value;
  }

  /** A `<count> <arg>…` list. */
  args(field: string): string[] {
    const count = this.uint(`${field} count`, 0, this.words.length - this.at - 1);
    const args = this.words.slice(this.at, this.at + count);
    this.at += count;
    return args;
  }

  /** Refuses words left over. */
  end(): void {
    if (!this.done) throw fieldError(this.target, 'params', `have unexpected extra words: ${shown(this.words.slice(this.at).join(' '))}`);
  }
}

/** `7:0` → `{ major: 7, minor: 0 }`; any other text is a path, kept as it is. */
export function parseDevice(word: string): DeviceRef {
  const match = /^(\d{1,7}):(\d{1,7})$/.exec(word);
  return match ? { major: Number(match[1]), minor: Number(match[2]) } : word;
}

/** A status number: a number when safe, a bigint above 2^53; undefined when the word is not digits. */
export function statusNumber(word: string | undefined): Sectors | undefined {
  if (word === undefined || !DIGITS.test(word)) return undefined;
  return exactCount(BigInt(word));
}

/** Used and total (blocks, sectors) as a status line shows them: `used/total`. */
export interface Usage {
  /** How many are in use. */
  readonly used: Sectors;
  /** How many there are. */
  readonly total: Sectors;
}

/** `used/total` in status lines → both numbers; undefined when malformed. */
export function statusRatio(word: string | undefined): Usage | undefined {
  if (word === undefined) return undefined;
  const slash = word.indexOf('/');
  if (slash === -1) return undefined;
  const used = statusNumber(word.slice(0, slash));
  const total = statusNumber(word.slice(slash + 1));
  return used === undefined || total === undefined ? undefined : { used, total };
}

/** Status text split on white space (linear time). */
export function statusWords(text: string): string[] {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  return trimmed === '' ? [] : trimmed.split(/\s+/);
}
