/**
 * Units: device-mapper counts in 512-byte sectors. Bytes become sectors only when they are a whole
 * number of sectors (no silent truncation, unlike a `>> 9`); KiB/MiB/GiB/TiB helpers; a table's
 * size without summing rows by hand. Counts may pass 2^53 (the kernel's are u64): every helper
 * takes `number | bigint`, refuses a number that is not a safe integer, and answers in the type it
 * was given. (libdm counts in `uint64_t` sectors; dmsetup's --units in libdm-report.c.)
 */
import { invalidArgument } from '../errors.js';

/** A count of 512-byte sectors: a safe integer, or a bigint for counts past 2^53. */
export type Sectors = number | bigint;

/**
 * Bytes in a sector, the unit of every table's start, length and offset: 512, whatever the device's
 * logical block size.
 */
export const SECTOR_SIZE = 512;
/** The largest count the kernel takes (u64). */
export const SECTOR_MAX = (1n << 64n) - 1n;

/** A count as a number while it is a safe integer, else the bigint itself: exact either way. */
export function exactCount(count: bigint): Sectors {
  if (typeof count !== 'bigint') throw invalidArgument(`exactCount needs a bigint, not ${describe(count)}`);
  return count <= BigInt(Number.MAX_SAFE_INTEGER) && count >= 0n ? Number(count) : count;
}

/** Checks a sector count (naming `what` in the refusal) and gives it exact: a bigint below 2^53 becomes a number. */
export function exactSectors(value: Sectors, what = 'sector count'): Sectors {
  return typeof sectors(value, what) === 'bigint' ? exactCount(value as bigint) : value;
}

/** True for a whole, non-negative count up to 2^64-1 (a number must be a safe integer). */
export function isSectors(value: unknown): value is Sectors {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  return typeof value === 'bigint' && value >= 0n && value <= SECTOR_MAX;
}

function describe(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : typeof value === 'number' ? String(value) : typeof value;
}

/** Checks a sector count and returns it; `what` names it in the refusal. */
export function sectors<T extends Sectors>(value: T, what = 'sector count'): T {
  if (!isSectors(value)) {
    throw invalidArgument(`The ${what} must be a whole number of sectors (a safe integer or a bigint up to 2^64-1), not ${describe(value)}`);
  }
  return value;
}

/** `count * unit` bytes as sectors; refuses a result that is not whole, negative or unsafe. */
function scaled(count: Sectors, unitBytes: number, what: string): Sectors {
  if (typeof count === 'bigint') {
    const bytes = count * BigInt(unitBytes);
    if (count < 0n || bytes % 512n !== 0n || bytes / 512n > SECTOR_MAX) {
      throw invalidArgument(`${describe(count)} ${what} is not a whole number of 512-byte sectors from 0 to 2^64-1`);
    }
    return bytes / 512n;
  }
  if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
    throw invalidArgument(`${describe(count)} ${what} is not a count of ${what}`);
  }
  const bytes = count * unitBytes;
  if (!Number.isSafeInteger(bytes) || bytes % 512 !== 0) {
    throw invalidArgument(
      Number.isSafeInteger(bytes)
        ? `${count} ${what} (${bytes} bytes) is not a whole number of 512-byte sectors`
        : `${count} ${what} is not a whole number of bytes below 2^53: pass a bigint`,
    );
  }
  return bytes / 512;
}

/** Bytes → sectors; refuses a count that is not a multiple of 512. */
export function bytesToSectors(bytes: number): number;
export function bytesToSectors(bytes: bigint): bigint;
export function bytesToSectors(bytes: Sectors): Sectors;
export function bytesToSectors(bytes: Sectors): Sectors {
  return scaled(bytes, 1, 'bytes');
}

/** Sectors → bytes (a number while it is safe, else refused: pass a bigint). */
export function sectorsToBytes(count: number): number;
export function sectorsToBytes(count: bigint): bigint;
export function sectorsToBytes(count: Sectors): Sectors;
export function sectorsToBytes(count: Sectors): Sectors {
  sectors(count);
  if (typeof count === 'bigint') return count * 512n;
  const bytes = count * 512;
  if (!Number.isSafeInteger(bytes)) throw invalidArgument(`${count} sectors is more bytes than a safe integer holds: pass a bigint`);
  return bytes;
}

/** KiB → sectors (`kib(4)` = 8). */
export function kib(count: number): number;
export function kib(count: bigint): bigint;
export function kib(count: Sectors): Sectors {
  return scaled(count, 1024, 'KiB');
}

/** MiB → sectors (`mib(1)` = 2048). */
export function mib(count: number): number;
export function mib(count: bigint): bigint;
export function mib(count: Sectors): Sectors {
  return scaled(count, 1024 ** 2, 'MiB');
}

/** GiB → sectors. */
export function gib(count: number): number;
export function gib(count: bigint): bigint;
export function gib(count: Sectors): Sectors {
  return scaled(count, 1024 ** 3, 'GiB');
}

/** TiB → sectors. */
export function tib(count: number): number;
export function tib(count: bigint): bigint;
export function tib(count: Sectors): Sectors {
  return scaled(count, 1024 ** 4, 'TiB');
}

/** Anything with a start and a length in sectors (a TableRow, a StatusRow). */
export interface Extent {
  /** The first sector (512-byte sectors; a bigint above 2^53). */
  readonly start: Sectors;
  /** How many 512-byte sectors (a bigint above 2^53). */
  readonly length: Sectors;
}

/** A table's size in sectors, exact: the end of its last row (rows follow each other from 0). */
export function tableSizeBig(rows: readonly Extent[]): bigint {
  if (!Array.isArray(rows)) throw invalidArgument('tableSize needs an array of rows');
  let end = 0n;
  for (const [index, row] of rows.entries()) {
    if (typeof row !== 'object' || row === null) throw invalidArgument(`Row ${index + 1} is not a table row`);
    sectors(row.start, `start of row ${index + 1}`);
    sectors(row.length, `length of row ${index + 1}`);
    const rowEnd = BigInt(row.start) + BigInt(row.length);
    if (rowEnd > end) end = rowEnd;
  }
  return end;
}

/** A table's size in sectors as a number; refused (use tableSizeBig) past 2^53. */
export function tableSize(rows: readonly Extent[]): number {
  const size = tableSizeBig(rows);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidArgument(`The table is ${size} sectors, more than a safe integer: use tableSizeBig`);
  return Number(size);
}

